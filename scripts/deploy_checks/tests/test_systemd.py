"""The systemd units pass; each rule fails on a copy broken in exactly its way, and, where
systemd-analyze is installed, so do its verification and its exposure rating."""

from __future__ import annotations

import shutil
import tempfile
import unittest
from pathlib import Path

from deploy_checks import systemd
from deploy_checks.findings import rules_of

from .support import REPO

UNITS = REPO / systemd.UNITS
SERVICE = (UNITS / systemd.SERVICE).read_text(encoding="utf-8")
ENV = systemd.parse_env((UNITS / systemd.ENV_FILE).read_text(encoding="utf-8"))


def rules_for(text: str) -> set[str]:
    unit = systemd.parse(text)
    where = "taskforge.service"
    return rules_of(list(systemd.service_findings(unit, where))
                    + list(systemd.server_findings(unit, where, ENV)))


def without(key: str, text: str = SERVICE) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(f"{key}="))


def added(line: str, text: str = SERVICE) -> str:
    """`text` with `line` added at the end of its [Service] section."""
    return text.replace("\n[Install]", f"\n{line}\n\n[Install]", 1)


def replaced(key: str, value: str) -> str:
    return added(f"{key}={value}", without(key))


class TheUnits(unittest.TestCase):
    def test_pass_the_rules(self) -> None:
        findings, _ = systemd.check(REPO, run_analyze=False)
        self.assertEqual(findings, [])

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_pass_systemd_analyze_verify_and_security(self) -> None:
        findings, notes = systemd.check(REPO)
        self.assertEqual((findings, notes), ([], []))


class EachRuleFails(unittest.TestCase):
    def test_parse(self) -> None:
        with self.assertRaises(ValueError):
            systemd.parse("[Service]\nExecStart /usr/local/bin/taskforge serve\n")
        with self.assertRaises(ValueError):
            systemd.parse("User=taskforge\n[Service]\n")

    def test_hardening(self) -> None:
        for key in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "CapabilityBoundingSet",
                    "SystemCallFilter", "RestrictAddressFamilies", "MemoryDenyWriteExecute"):
            with self.subTest(missing=key):
                self.assertIn("systemd/hardening", rules_for(without(key)))
        self.assertIn("systemd/hardening", rules_for(replaced("ProtectSystem", "full")))
        self.assertIn("systemd/hardening", rules_for(replaced("NoNewPrivileges", "no")))
        self.assertIn("systemd/hardening",
                      rules_for(replaced("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE")))
        # An empty assignment resets a list: the filter is gone again.
        self.assertIn("systemd/hardening", rules_for(added("SystemCallFilter=")))

    def test_dedicated_user(self) -> None:
        self.assertIn("systemd/user", rules_for(without("User")))
        self.assertIn("systemd/user", rules_for(replaced("User", "root")))

    def test_state_directory(self) -> None:
        self.assertIn("systemd/state-directory", rules_for(without("StateDirectory")))

    def test_stop_timeout_above_the_drain(self) -> None:
        self.assertIn("systemd/stop-timeout", rules_for(replaced("TimeoutStopSec", "30s")))
        self.assertIn("systemd/stop-timeout", rules_for(replaced("TimeoutStopSec", "20")))

    def test_restart_policy(self) -> None:
        self.assertIn("systemd/restart", rules_for(without("RestartPreventExitStatus")))
        self.assertIn("systemd/restart", rules_for(without("Restart")))

    def test_secrets(self) -> None:
        self.assertIn("systemd/secrets", rules_for(
            added("Environment=TASKFORGE_JWT_SECRET=a-signing-key-in-the-unit")))
        self.assertIn("systemd/secrets", rules_for(without("LoadCredential")))
        found = list(systemd.env_findings({"TASKFORGE_JWT_SECRET": "a-key-in-the-env-file",
                                           "TASKFORGE_LOG": "json"}, "taskforge.env"))
        self.assertEqual(rules_of(found), {"systemd/secrets"})


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
class SystemdAnalyzeFails(unittest.TestCase):
    def analyze(self, text: str) -> set[str]:
        with tempfile.TemporaryDirectory() as temporary:
            directory = Path(temporary)
            (directory / "taskforge.service").write_text(text, encoding="utf-8")
            findings, _ = systemd.analyze(directory, ["taskforge.service"])
            return rules_of(findings)

    def test_on_an_unknown_key(self) -> None:
        self.assertIn("systemd/verify", self.analyze(SERVICE.replace("ProtectClock=", "ProtectClok=")))

    def test_on_a_weakened_sandbox(self) -> None:
        weak = SERVICE
        for key in ("PrivateUsers", "ProtectSystem", "SystemCallFilter", "RestrictNamespaces",
                    "CapabilityBoundingSet", "PrivateDevices"):
            weak = without(key, weak)
        self.assertEqual(self.analyze(weak), {"systemd/exposure"})


if __name__ == "__main__":
    unittest.main()
