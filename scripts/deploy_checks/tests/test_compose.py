"""The Compose file passes; each rule fails on a copy broken in exactly its way."""

from __future__ import annotations

import copy
import unittest
from functools import lru_cache
from typing import Any, Callable

import yaml

from deploy_checks import compose
from deploy_checks.findings import rules_of

from .support import REPO

Obj = dict[str, Any]


@lru_cache(maxsize=None)
def _document() -> Obj:
    return yaml.safe_load((REPO / compose.COMPOSE).read_text(encoding="utf-8"))


def broken(breaking: Callable[[Obj], object]) -> set[str]:
    document = copy.deepcopy(_document())
    breaking(document)
    return rules_of(list(compose.check_document(document)))


def service(document: Obj, name: str) -> Obj:
    return document["services"][name]


class TheComposeFile(unittest.TestCase):
    def test_passes_with_its_example_environment_and_git_ignoring_its_secrets(self) -> None:
        self.assertEqual(compose.check(REPO), [])

    def test_the_files_holding_secrets_must_be_ignored_by_git(self) -> None:
        found = compose.check(REPO, ignored=lambda path: False)
        self.assertEqual({f.where for f in found}, set(compose.PRIVATE_FILES))
        self.assertEqual(rules_of(found), {"compose/git-ignored"})


class EachRuleFails(unittest.TestCase):
    def assert_breaks(self, rule: str, breaking: Callable[[Obj], object]) -> None:
        self.assertIn(rule, broken(breaking))

    def test_parse(self) -> None:
        self.assertEqual(rules_of(list(compose.check_document(["not", "a", "mapping"]))),
                         {"compose/parse"})

    def test_required_services(self) -> None:
        self.assert_breaks("compose/services", lambda d: d["services"].pop("postgres"))
        self.assert_breaks("compose/services", lambda d: service(d, "proxy").update(ports=["80:80"]))

    def test_pinned_images(self) -> None:
        for image in ("caddy", "caddy:latest", "ghcr.io/taskforge/taskforge"):
            with self.subTest(image=image):
                self.assert_breaks("compose/image-pinned",
                                   lambda d: service(d, "proxy").update(image=image))
        self.assert_breaks("compose/image-pinned", lambda d: service(d, "taskforge").pop("image"))

    def test_no_secret_values(self) -> None:
        self.assert_breaks("compose/secret-values", lambda d: service(d, "postgres")
                           ["environment"].update(POSTGRES_PASSWORD="letmein-written-here"))
        self.assert_breaks("compose/secret-values", lambda d: service(d, "taskforge").update(
            environment=["TASKFORGE_DATABASE=postgres://taskforge:letmein@postgres/taskforge"]))
        self.assert_breaks("compose/secret-values", lambda d: d["secrets"].update(
            jwt_secret={"content": "a-signing-key-inline"}))
        found = compose.env_example_findings("A=1\n# TASKFORGE_JWT_SECRET=commented\n"
                                             "TASKFORGE_POSTGRES_PASSWORD=letmein\n")
        self.assertEqual([(f.rule, f.where) for f in found],
                         [("compose/secret-values", f"{compose.ENV_EXAMPLE}:3")])

    def test_hardening(self) -> None:
        self.assert_breaks("compose/hardening", lambda d: service(d, "taskforge").pop("read_only"))
        self.assert_breaks("compose/hardening", lambda d: service(d, "taskforge").pop("cap_drop"))
        self.assert_breaks("compose/hardening",
                           lambda d: service(d, "taskforge").update(cap_add=["SYS_ADMIN"]))
        self.assert_breaks("compose/hardening",
                           lambda d: service(d, "taskforge").pop("security_opt"))
        self.assert_breaks("compose/hardening", lambda d: service(d, "taskforge").update(user="0"))

    def test_health_checks(self) -> None:
        self.assert_breaks("compose/healthcheck",
                           lambda d: service(d, "taskforge").pop("healthcheck"))
        self.assert_breaks("compose/healthcheck", lambda d: service(d, "taskforge")["healthcheck"]
                           .update(test=["CMD", "true"]))
        self.assert_breaks("compose/healthcheck", lambda d: service(d, "postgres").pop("healthcheck"))
        self.assert_breaks("compose/healthcheck",
                           lambda d: service(d, "proxy").update(depends_on=["taskforge"]))

    def test_stop_grace_above_the_drain(self) -> None:
        self.assert_breaks("compose/stop-grace",
                           lambda d: service(d, "taskforge").update(stop_grace_period="30s"))
        self.assert_breaks("compose/stop-grace",
                           lambda d: service(d, "taskforge").pop("stop_grace_period"))

    def test_trusted_proxies(self) -> None:
        self.assert_breaks("compose/trusted-proxies", lambda d: service(d, "taskforge")
                           ["environment"].pop("TASKFORGE_TRUSTED_PROXIES"))
        self.assert_breaks("compose/trusted-proxies", lambda d: service(d, "proxy")["networks"]
                           ["edge"].update(ipv4_address="172.30.80.11"))

    def test_exposure(self) -> None:
        self.assert_breaks("compose/exposure",
                           lambda d: service(d, "taskforge").update(ports=["8080:8080"]))
        self.assert_breaks("compose/exposure",
                           lambda d: d["networks"]["database"].update(internal=False))
        self.assert_breaks("compose/exposure",
                           lambda d: service(d, "postgres")["networks"].append("edge"))


if __name__ == "__main__":
    unittest.main()
