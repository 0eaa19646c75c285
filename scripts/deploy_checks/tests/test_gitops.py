"""The GitOps examples pass; each rule fails on a copy broken in exactly its way."""

from __future__ import annotations

import unittest
from typing import Any

from deploy_checks import gitops
from deploy_checks.findings import rules_of

from .support import REPO

FLUX = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
    "metadata": {"name": "taskforge"},
    "spec": {"path": "./deploy/k8s/overlays/production", "prune": True,
             "sourceRef": {"kind": "GitRepository", "name": "taskforge"}},
}
ARGO = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "taskforge"},
    "spec": {"source": {"path": "deploy/k8s/overlays/production", "targetRevision": "v0.1.0"},
             "syncPolicy": {"automated": {"prune": True}}},
}


def rules(obj: dict[str, Any], **spec: Any) -> set[str]:
    changed = {**obj, "spec": {**obj["spec"], **spec}}
    return rules_of(list(gitops.object_findings(REPO, "x.yaml", changed, {"taskforge"})))


class TheExamples(unittest.TestCase):
    def test_pass(self) -> None:
        self.assertEqual(gitops.check(REPO), [])

    def test_the_sketches_above_pass_too(self) -> None:
        self.assertEqual((rules(FLUX), rules(ARGO)), (set(), set()))


class EachRuleFails(unittest.TestCase):
    def test_paths_must_be_overlays_that_exist(self) -> None:
        self.assertIn("gitops/path", rules(FLUX, path="./deploy/k8s/overlays/staging"))
        self.assertIn("gitops/path", rules(FLUX, path="./deploy/k8s/base"))
        self.assertIn("gitops/path", rules(ARGO, source={**ARGO["spec"]["source"], "path": None}))

    def test_the_source_must_be_defined(self) -> None:
        self.assertIn("gitops/source", rules(FLUX, sourceRef={"kind": "GitRepository",
                                                              "name": "elsewhere"}))

    def test_revisions_must_be_pinned(self) -> None:
        repository = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
                      "metadata": {"name": "taskforge"}, "spec": {"ref": {"branch": "main"}}}
        self.assertIn("gitops/pinned-revision", rules(repository))
        for revision in ("HEAD", "main", "release"):
            source = {**ARGO["spec"]["source"], "targetRevision": revision}
            self.assertIn("gitops/pinned-revision", rules(ARGO, source=source))

    def test_pruning(self) -> None:
        self.assertIn("gitops/prune", rules(FLUX, prune=False))
        self.assertIn("gitops/prune", rules(ARGO, syncPolicy={"automated": {}}))

    def test_plain_kubernetes_objects_are_schema_checked(self) -> None:
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"},
                     "spec": {"finalizerz": []}}
        self.assertEqual(rules_of(list(gitops.object_findings(REPO, "x.yaml", namespace, set()))),
                         {"k8s/schema"})


if __name__ == "__main__":
    unittest.main()
