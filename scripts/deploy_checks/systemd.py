"""systemd: the units of deploy/systemd parse and keep their sandbox — a dedicated user, a
state directory, no new privileges, a read-only system, every capability dropped, ... — stop
no sooner than TaskForge drains, and take no secret from the environment file. Where
`systemd-analyze` is installed, it must verify the units without a word and rate the
service's exposure at most `MAX_EXPOSURE`."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from .findings import Finding, is_secret_name, literal_secret, seconds
from .k8s_policy import DEFAULT_SHUTDOWN_GRACE

UNITS = "deploy/systemd"
SERVICE = "taskforge.service"
ENV_FILE = "taskforge.env"
# `systemd-analyze security` scores exposure from 0 (locked down) to 10; it multiplies by 10
# for --threshold. The unit scores about 1.2 with systemd 252.
MAX_EXPOSURE = 2.0

# Each service's sandbox: key → the values that satisfy it (any of them).
HARDENING = {
    "NoNewPrivileges": {"yes", "true"},
    "ProtectSystem": {"strict"},
    "ProtectHome": {"yes", "true", "read-only", "tmpfs"},
    "PrivateTmp": {"yes", "true"},
    "PrivateDevices": {"yes", "true"},
    "ProtectKernelTunables": {"yes", "true"},
    "ProtectKernelModules": {"yes", "true"},
    "ProtectKernelLogs": {"yes", "true"},
    "ProtectControlGroups": {"yes", "true"},
    "RestrictNamespaces": {"yes", "true"},
    "RestrictRealtime": {"yes", "true"},
    "RestrictSUIDSGID": {"yes", "true"},
    "LockPersonality": {"yes", "true"},
    "MemoryDenyWriteExecute": {"yes", "true"},
    "SystemCallArchitectures": {"native"},
    "CapabilityBoundingSet": {""},
}

Unit = dict[str, dict[str, list[str]]]


def parse(text: str) -> Unit:
    """A unit file as section → key → every value given (a key may repeat; an empty
    assignment resets the list, as systemd reads it). Raises ValueError on a line that is
    neither a section, an assignment, a comment nor blank."""
    unit: Unit = {}
    section = None
    logical = re.sub(r"\\\n", " ", text)
    for number, line in enumerate(logical.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            unit.setdefault(section, {})
            continue
        if section is None or "=" not in stripped:
            raise ValueError(f"line {number}: {stripped!r} is not a KEY=VALUE in a section")
        key, value = (part.strip() for part in stripped.split("=", 1))
        values = unit[section].setdefault(key, [])
        if value == "":
            # An empty assignment resets the key; for the bounding set it also means "none".
            values.clear()
            if key == "CapabilityBoundingSet":
                values.append("")
            continue
        values.append(value)
    return unit


def last(unit: Unit, key: str, section: str = "Service") -> str | None:
    """The value of `key` that counts (the last one given), or None."""
    values = unit.get(section, {}).get(key)
    return values[-1] if values else None


def service_findings(unit: Unit, where: str) -> Iterable[Finding]:
    """The rules every TaskForge service unit follows."""
    for key, allowed in HARDENING.items():
        value = last(unit, key)
        if value is None or value.lower() not in allowed:
            wanted = " or ".join(sorted(v or "(empty)" for v in allowed))
            yield Finding("systemd/hardening", where, f"{key}= must be {wanted}, is {value!r}")
    if not unit.get("Service", {}).get("SystemCallFilter"):
        yield Finding("systemd/hardening", where, "no SystemCallFilter=")
    if not last(unit, "RestrictAddressFamilies"):
        yield Finding("systemd/hardening", where, "no RestrictAddressFamilies=")
    user = last(unit, "User")
    if last(unit, "DynamicUser") not in ("yes", "true") and (not user or user in ("root", "0")):
        yield Finding("systemd/user", where, "must run as a dedicated user (User=), never root")
    if not last(unit, "StateDirectory"):
        yield Finding("systemd/state-directory", where,
                      "no StateDirectory=: under ProtectSystem=strict the data needs one")
    for assignment in unit.get("Service", {}).get("Environment", []):
        for pair in assignment.split():
            name, _, value = pair.strip('"').partition("=")
            reason = literal_secret(name, value)
            if reason:
                yield Finding("systemd/secrets", where, reason)


def server_findings(unit: Unit, where: str, env: dict[str, str]) -> Iterable[Finding]:
    """The rules of the long-running server unit on top of `service_findings`."""
    drain = seconds(env.get("TASKFORGE_SHUTDOWN_GRACE"), DEFAULT_SHUTDOWN_GRACE)
    stop = seconds(last(unit, "TimeoutStopSec"), 90.0)
    if drain is None or stop is None or stop <= drain:
        yield Finding("systemd/stop-timeout", where,
                      f"TimeoutStopSec ({last(unit, 'TimeoutStopSec')}) must exceed "
                      f"TASKFORGE_SHUTDOWN_GRACE ({env.get('TASKFORGE_SHUTDOWN_GRACE')})")
    prevented = set((last(unit, "RestartPreventExitStatus") or "").split())
    if last(unit, "Restart") in (None, "no") or not {"2", "3"} <= prevented:
        yield Finding("systemd/restart", where,
                      "restart after a crash (Restart=on-failure) but not after a refused "
                      "start (RestartPreventExitStatus=2 3)")
    if not last(unit, "LoadCredential") or "TASKFORGE_JWT_SECRET_FILE=%d/" not in \
            " ".join(unit.get("Service", {}).get("Environment", [])):
        yield Finding("systemd/secrets", where,
                      "the signing key must be a credential (LoadCredential=) read through "
                      "TASKFORGE_JWT_SECRET_FILE=%d/…")


def parse_env(text: str) -> dict[str, str]:
    """An environment file as a mapping (comments and blank lines skipped)."""
    env = {}
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip().strip('"')
    return env


def env_findings(env: dict[str, str], where: str) -> Iterable[Finding]:
    for name, value in env.items():
        if is_secret_name(name) or literal_secret(name, value):
            yield Finding("systemd/secrets", where,
                          f"{name} is set here; secrets come from credentials, not this file")


def analyze(directory: Path, units: list[str]) -> tuple[list[Finding], list[str]]:
    """`systemd-analyze verify` and `security` on copies of the units whose ExecStart points at
    a stand-in binary (verify insists that it exists). Returns findings and notes; when
    systemd-analyze is missing, one note says so and nothing is claimed."""
    tool = shutil.which("systemd-analyze")
    if not tool:
        return [], ["systemd-analyze not installed: the units were checked by the rules above "
                    "only (install systemd to verify them too)"]
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        binary = scratch / "taskforge"
        binary.write_text("#!/bin/sh\n", encoding="utf-8")
        binary.chmod(0o755)
        for name in units:
            text = (directory / name).read_text(encoding="utf-8")
            (scratch / name).write_text(text.replace("/usr/local/bin/taskforge", str(binary)),
                                        encoding="utf-8")
        paths = [str(scratch / name) for name in units]
        verify = subprocess.run([tool, "verify", "--man=no", *paths], capture_output=True,
                                text=True, check=False)
        said = (verify.stdout + verify.stderr).replace(str(scratch) + "/", "").strip()
        if verify.returncode != 0 or said:
            findings.append(Finding("systemd/verify", f"{UNITS}", f"systemd-analyze verify: {said}"))
        for name in units:
            if not name.endswith(".service"):
                continue
            security = subprocess.run(
                [tool, "security", "--offline=yes", f"--threshold={int(MAX_EXPOSURE * 10)}",
                 str(scratch / name)], capture_output=True, text=True, check=False)
            if security.returncode != 0:
                summary = (security.stdout.strip().splitlines() or ["(no output)"])[-1]
                findings.append(Finding("systemd/exposure", f"{UNITS}/{name}",
                                        f"above {MAX_EXPOSURE}: {summary}"))
    return findings, []


def check(repo: Path, run_analyze: bool = True) -> tuple[list[Finding], list[str]]:
    """Every finding on deploy/systemd, and notes on what could not be checked here."""
    directory = repo / UNITS
    env_text = (directory / ENV_FILE).read_text(encoding="utf-8")
    env = parse_env(env_text)
    findings = list(env_findings(env, f"{UNITS}/{ENV_FILE}"))
    units = sorted(p.name for p in directory.iterdir() if p.suffix in (".service", ".timer"))
    if SERVICE not in units:
        findings.append(Finding("systemd/parse", UNITS, f"{SERVICE} is missing"))
    for name in units:
        where = f"{UNITS}/{name}"
        try:
            unit = parse((directory / name).read_text(encoding="utf-8"))
        except ValueError as error:
            findings.append(Finding("systemd/parse", where, str(error)))
            continue
        if name.endswith(".service"):
            findings += service_findings(unit, where)
        if name == SERVICE:
            findings += server_findings(unit, where, env)
    notes: list[str] = []
    if run_analyze:
        found, notes = analyze(directory, units)
        findings += found
    return findings, notes
