"""Docker Compose: deploy/compose/compose.yaml parses and holds what the setup promises —
TaskForge, PostgreSQL and a TLS proxy; every image pinned; no secret value; TaskForge
hardened, health-checked, reachable only through the proxy that it trusts, and stopped no
sooner than it drains."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from .findings import Finding, literal_secret, seconds
from .k8s_policy import DEFAULT_SHUTDOWN_GRACE, unpinned

COMPOSE = "deploy/compose/compose.yaml"
ENV_EXAMPLE = "deploy/compose/env.example"
# Files the operator creates next to compose.yaml that hold secrets: git must ignore them.
PRIVATE_FILES = ("deploy/compose/.env", "deploy/compose/secrets/jwt_secret")

Obj = dict[str, Any]


def check(repo: Path, ignored: Callable[[str], bool] | None = None) -> list[Finding]:
    """Every finding on the compose file, its example environment file, and git's ignores."""
    try:
        document = yaml.safe_load((repo / COMPOSE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return [Finding("compose/parse", COMPOSE, str(error))]
    findings = list(check_document(document))
    findings += env_example_findings((repo / ENV_EXAMPLE).read_text(encoding="utf-8"))
    is_ignored = ignored or (lambda path: git_ignores(repo, path))
    for path in PRIVATE_FILES:
        if not is_ignored(path):
            findings.append(Finding("compose/git-ignored", path,
                                    "holds a secret but git does not ignore it (.gitignore)"))
    return findings


def check_document(document: Any) -> Iterable[Finding]:
    """The rules on a parsed compose file."""
    if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
        yield Finding("compose/parse", COMPOSE, "no `services` mapping")
        return
    services: dict[str, Obj] = document["services"]
    networks: Obj = document.get("networks") or {}

    for name, service in services.items():
        at = f"{COMPOSE}: service {name}"
        reason = unpinned(str(service.get("image") or ""))
        if reason:
            yield Finding("compose/image-pinned", at, f"image {service.get('image')!r} {reason}")
        for variable, value in environment(service).items():
            reason = literal_secret(variable, value)
            if reason:
                yield Finding("compose/secret-values", at, reason)
    for name, secret in (document.get("secrets") or {}).items():
        if "file" not in (secret or {}) and "external" not in (secret or {}):
            yield Finding("compose/secret-values", f"{COMPOSE}: secret {name}",
                          "a secret must come from a file or be external, never inline")

    proxy = next((n for n, s in services.items() if publishes(s, 443)), None)
    for role, name in (("taskforge", "taskforge"), ("postgres", "postgres"), ("proxy", proxy)):
        if not name or name not in services:
            yield Finding("compose/services", COMPOSE,
                          f"no {role} service" + (" publishing port 443" if role == "proxy" else ""))
    if "taskforge" not in services or not proxy:
        return
    taskforge, at = services["taskforge"], f"{COMPOSE}: service taskforge"

    yield from _hardening(taskforge, at)
    yield from _health(services, proxy)
    env = environment(taskforge)
    drain = seconds(env.get("TASKFORGE_SHUTDOWN_GRACE"), DEFAULT_SHUTDOWN_GRACE)
    stop = seconds(taskforge.get("stop_grace_period"), 10.0)
    if drain is None or stop is None or stop <= drain:
        yield Finding("compose/stop-grace", at,
                      f"stop_grace_period ({taskforge.get('stop_grace_period', '10s')}) must "
                      f"exceed TASKFORGE_SHUTDOWN_GRACE ({env.get('TASKFORGE_SHUTDOWN_GRACE')})")
    trusted = [p.strip() for p in str(env.get("TASKFORGE_TRUSTED_PROXIES") or "").split(",")]
    addresses = fixed_addresses(services[proxy])
    if not addresses or not set(addresses) <= set(trusted):
        yield Finding("compose/trusted-proxies", at,
                      "TASKFORGE_TRUSTED_PROXIES must name the proxy's fixed address, or the "
                      "throttles count every client as the proxy")
    for name, service in services.items():
        if name != proxy and service.get("ports"):
            yield Finding("compose/exposure", f"{COMPOSE}: service {name}",
                          "publishes ports; only the TLS proxy may be reachable from outside")
    for network in attached(services.get("postgres") or {}):
        if not (networks.get(network) or {}).get("internal"):
            yield Finding("compose/exposure", f"{COMPOSE}: service postgres",
                          f"network {network} is not internal: the database must reach nothing")


def _hardening(taskforge: Obj, at: str) -> Iterable[Finding]:
    if taskforge.get("read_only") is not True:
        yield Finding("compose/hardening", at, "read_only: true (a read-only root file system)")
    if "ALL" not in (taskforge.get("cap_drop") or []) or taskforge.get("cap_add"):
        yield Finding("compose/hardening", at, "cap_drop: [ALL] and no cap_add")
    if "no-new-privileges:true" not in (taskforge.get("security_opt") or []):
        yield Finding("compose/hardening", at, "security_opt: [no-new-privileges:true]")
    if str(taskforge.get("user") or "").split(":")[0] != "10001":
        yield Finding("compose/hardening", at,
                      "user must be the image's unprivileged 10001 (Dockerfile)")


def _health(services: dict[str, Obj], proxy: str) -> Iterable[Finding]:
    for name, path in (("taskforge", "/ready"), ("postgres", None)):
        test = (services.get(name) or {}).get("healthcheck", {}).get("test")
        if not test or (path and path not in " ".join(map(str, test))):
            yield Finding("compose/healthcheck", f"{COMPOSE}: service {name}",
                          "no health check" + (f" on {path}" if path else ""))
    depends = (services[proxy].get("depends_on") or {})
    if not isinstance(depends, dict) or \
            (depends.get("taskforge") or {}).get("condition") != "service_healthy":
        yield Finding("compose/healthcheck", f"{COMPOSE}: service {proxy}",
                      "must wait for taskforge to be healthy (depends_on condition)")


def environment(service: Obj) -> dict[str, Any]:
    """A service's environment as a mapping, whichever of the two forms it is written in."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def publishes(service: Obj, port: int) -> bool:
    """True when the service publishes container port `port` on the host."""
    for entry in service.get("ports") or []:
        target = entry.get("target") if isinstance(entry, dict) else \
            str(entry).split("/")[0].rsplit(":", 1)[-1]
        if str(target) == str(port):
            return True
    return False


def fixed_addresses(service: Obj) -> list[str]:
    """The fixed addresses a service has on its networks."""
    networks = service.get("networks")
    if not isinstance(networks, dict):
        return []
    return [str(settings[key]) for settings in networks.values() if isinstance(settings, dict)
            for key in ("ipv4_address", "ipv6_address") if settings.get(key)]


def attached(service: Obj) -> list[str]:
    """The networks a service is attached to."""
    networks = service.get("networks") or ["default"]
    return list(networks) if isinstance(networks, (list, dict)) else []


def env_example_findings(text: str) -> list[Finding]:
    """The example environment file ships no value for a secret."""
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        reason = literal_secret(name.strip(), value.strip())
        if reason:
            findings.append(Finding("compose/secret-values", f"{ENV_EXAMPLE}:{number}", reason))
    return findings


def git_ignores(repo: Path, path: str) -> bool:
    """True when git would ignore `path` (it need not exist)."""
    done = subprocess.run(["git", "-C", str(repo), "check-ignore", "--quiet", "--no-index", path],
                          capture_output=True, check=False)
    return done.returncode == 0
