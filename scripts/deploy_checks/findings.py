"""What a check reports: one finding per broken rule and place."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A rule that does not hold, where, and why."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


def rules_of(findings: list[Finding]) -> set[str]:
    """The names of the rules that `findings` break."""
    return {f.rule for f in findings}


# Names of settings whose value is a credential: such a value is referenced (a Secret, a file,
# an interpolated variable), never written into a manifest.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL", re.I)

# A URL that carries a password: scheme://user:password@host.
URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:\s]+:([^@]+)@", re.I)


def is_secret_name(name: str) -> bool:
    """True for a setting that holds a credential itself (a `..._FILE` names a file instead)."""
    return bool(SECRET_NAME.search(name)) and not name.upper().endswith("_FILE")


def literal_secret(name: str, value: object) -> str | None:
    """Why `name=value` writes a secret into a manifest, or None when it does not.

    A value that only refers to a secret — empty, or a `${VARIABLE}` interpolation — is fine.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text or is_interpolation(text):
        return None
    if is_secret_name(name):
        return f"{name} holds a literal value; reference a secret instead"
    match = URL_WITH_PASSWORD.match(text)
    if match and not is_interpolation(match.group(1)):
        return f"{name} is a URL with a literal password; reference a secret instead"
    return None


def is_interpolation(text: str) -> bool:
    """True for `${VARIABLE}`, `${VARIABLE:?message}` and the like: a value given elsewhere."""
    return bool(re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?\-+][^}]*)?\}", text.strip()))


DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|min|h)?\s*$")


def seconds(value: object, default: float | None = None) -> float | None:
    """A duration such as `30s`, `2m`, `45` (seconds) or `1500ms` in seconds; `default` when
    the value is absent, None when it is not a duration."""
    if value is None:
        return default
    match = DURATION.match(str(value))
    if not match:
        return None
    number, unit = int(match.group(1)), match.group(2) or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600}[unit]
