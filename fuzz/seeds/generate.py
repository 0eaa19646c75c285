#!/usr/bin/env python3
"""Writes the seed inputs of TaskForge's fuzz targets into fuzz/seeds/<target>/.

Seeds are meaningful valid (and near-valid) inputs for each parser: tokens signed with the
fuzz harness's public test keys (fuzz/src/token_verifier.rs), cursors as the service issues
them, realistic listing query strings and request bodies. `scripts/fuzz` starts from these and
the checked-in corpus (fuzz/corpus/<target>/), and minimises the corpus afterwards.

Standard library only; run it from anywhere: python3 fuzz/seeds/generate.py
"""

import base64
import hashlib
import hmac
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent

# Must match fuzz/src/token_verifier.rs.
CURRENT = ("fuzz-current", b"taskforge fuzzing key: public, test only!")
PREVIOUS = ("fuzz-previous", b"taskforge fuzzing previous key: public too")
NOW = 1_767_225_600  # FixedClock::default_instant(), 2026-01-01T00:00:00Z

USER = "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6b"
TASK = "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6c"
PROJECT = "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6d"
JTI = "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6e"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def sign(secret: bytes, header: bytes, payload: bytes) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    tag = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(tag)}"


def claims(**overrides):
    base = {
        "aud": "taskforge-api",
        "exp": NOW + 900,
        "iat": NOW,
        "iss": "taskforge",
        "jti": JTI,
        "nbf": NOW,
        "role": "editor",
        "sub": USER,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def token_seeds():
    header = {"alg": "HS256", "kid": CURRENT[0], "typ": "JWT"}
    payloads = [
        claims(),
        claims(role="admin"),
        claims(role="viewer", aud=["other", "taskforge-api"]),
        claims(exp=NOW - 10),  # expired, inside the leeway
        claims(exp=NOW - 3600),  # expired
        claims(iat=NOW + 3600, nbf=NOW + 3600),  # not yet valid
        claims(iss="someone-else"),
        claims(aud="someone-else"),
        claims(sub="not-a-uuid"),
        claims(role="root"),
        claims(exp=9_223_372_036_854),
        claims(jti=None),
    ]
    seeds = {}
    for i, payload in enumerate(payloads):
        seeds[f"raw-{i:02}"] = b"\x00" + sign(CURRENT[1], compact(header), compact(payload)).encode()
        seeds[f"signed-{i:02}"] = b"\x01" + compact(header) + b"\n" + compact(payload)
    previous = {"alg": "HS256", "kid": PREVIOUS[0], "typ": "JWT"}
    seeds["raw-previous-key"] = b"\x00" + sign(PREVIOUS[1], compact(previous), compact(claims())).encode()
    seeds["signed-previous-key"] = b"\x03" + compact(previous) + b"\n" + compact(claims())
    for name, hdr in {
        "alg-none": {"alg": "none", "typ": "JWT"},
        "alg-hs512": {"alg": "HS512", "kid": CURRENT[0]},
        "unknown-kid": {"alg": "HS256", "kid": "nobody"},
        "crit": {"alg": "HS256", "crit": ["exp"]},
        "kid-number": {"alg": "HS256", "kid": 7},
    }.items():
        seeds[f"signed-{name}"] = b"\x01" + compact(hdr) + b"\n" + compact(claims())
    seeds["raw-two-parts"] = b"\x00" + f"{b64(compact(header))}.{b64(compact(claims()))}".encode()
    seeds["raw-four-parts"] = seeds["raw-00"] + b".x"
    return seeds


# TaskSort::ALL's order: the first byte of a cursor's binary form (Cursor::to_bytes).
SORT_INDEX = {"-created_at": 0, "created_at": 1, "-priority": 2, "priority": 3,
              "-due_date": 4, "due_date": 5, "-title": 6, "title": 7}


def cursor_seeds():
    """Cursor::to_bytes forms: the harness seals each with the real sealer, so the fuzzer
    starts from the positions the service issues (a sealed wire cursor cannot be a seed: it
    needs the key)."""
    task = bytes.fromhex(TASK.replace("-", ""))
    days_2026_02_28 = 20_512
    plains = {
        "created-desc": ("-created_at", (NOW * 1_000_000).to_bytes(8, "big", signed=True)),
        "created-asc": ("created_at", (0).to_bytes(8, "big", signed=True)),
        "priority": ("priority", bytes([3])),
        "priority-desc": ("-priority", bytes([1])),
        "due": ("due_date", bytes([1]) + days_2026_02_28.to_bytes(4, "big", signed=True)),
        "due-none": ("-due_date", bytes([0])),
        "title": ("title", "Write the release notes".encode()),
        "title-unicode": ("-title", "Übersicht — 日本語 ✓".encode()),
        "title-newline": ("title", "line\nbreak".encode()),
    }
    return {f"bytes-{name}": bytes([SORT_INDEX[sort]]) + task + value
            for name, (sort, value) in plains.items()}


def listing_seeds():
    queries = [
        "",
        "limit=10",
        "sort=-priority&limit=200",
        f"project_id={PROJECT}&status=in_progress&priority=urgent",
        f"assignee_id={USER}&label=Ops&due_before=2026-03-01&due_after=2025-12-31",
        f"parent_id={TASK}&q=release+notes&sort=title",
        "q=%C3%9Cbersicht&label=team%3Abackend",
        "cursor=v1." + b64(f"-created_at\n{TASK}\n{NOW * 1_000_000}".encode()),  # refused since v2
        "format=csv&status=done&sort=due_date",
        "format=xml",
        "per_category=5",
        f"project_id={PROJECT}",
        "limit=0&status=nope&colour=red",
        "label=a&label=b",
        "q=%ZZ&limit=%2B5",
    ]
    return {f"query-{i:02}": q.encode() for i, q in enumerate(queries)}


def body_seeds():
    bodies = [
        (0, {"username": "alice", "password": "correct horse battery", "email": "a@example.com"}),
        (0, {"username": "A", "password": "password"}),
        (1, {"username": "alice", "password": "x"}),
        (2, {"refresh_token": "rt_abcdef"}),
        (3, {"current_password": "old one!", "new_password": "a much better one"}),
        (4, {"name": "Backend"}),
        (5, {"name": "Website relaunch", "description": "Q1 project"}),
        (6, {"name": "Renamed", "description": None, "owner_id": USER}),
        (7, {
            "project_id": PROJECT, "title": "  Write the release notes ", "description": "…",
            "status": "todo", "priority": "high", "labels": ["Docs", "docs", "release:1.0"],
            "due_date": "2026-02-28", "parent_id": TASK, "is_public": True,
        }),
        (8, {"title": "New title", "labels": None, "due_date": None, "status": "done"}),
        (8, {"title": None, "is_public": None}),
        (9, {"project_id": PROJECT}),
        (10, {"role": "viewer"}),
        (10, {"role": "Admin"}),
    ]
    return {f"body-{i:02}": bytes([sel]) + compact(b) for i, (sel, b) in enumerate(bodies)}


def main():
    for target, seeds in {
        "token_verifier": token_seeds(),
        "cursor_decoder": cursor_seeds(),
        "listing_query": listing_seeds(),
        "json_bodies": body_seeds(),
    }.items():
        out = HERE / target
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for name, data in seeds.items():
            (out / name).write_bytes(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
