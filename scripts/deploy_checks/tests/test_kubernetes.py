"""The Kubernetes overlays pass; each policy rule and the schema check fail on a manifest
broken in exactly their way."""

from __future__ import annotations

import unittest
from typing import Callable

from deploy_checks import k8s_policy, kubernetes
from deploy_checks.findings import rules_of

from .support import Obj, container, pod, rendered, the

MIN_REPLICAS = {name: expected["min_replicas"] for name, expected in kubernetes.OVERLAYS.items()}


def findings_after(overlay: str, breaking: Callable[[list[Obj]], object]) -> set[str]:
    objects = rendered(overlay)
    breaking(objects)
    return rules_of(k8s_policy.check(objects, overlay, min_replicas=MIN_REPLICAS[overlay]))


class TheOverlays(unittest.TestCase):
    def test_every_overlay_passes_the_policy_and_the_schemas(self) -> None:
        for overlay in kubernetes.OVERLAYS:
            with self.subTest(overlay=overlay):
                objects = rendered(overlay)
                self.assertEqual(
                    k8s_policy.check(objects, overlay, min_replicas=MIN_REPLICAS[overlay]), [])
                self.assertEqual(kubernetes.schema_findings(objects, overlay), [])

    def test_production_runs_several_replicas_on_postgresql_and_single_node_one_on_a_volume(
            self) -> None:
        production, single = rendered("production"), rendered("single-node")
        self.assertGreaterEqual(the(production, "Deployment")["spec"]["replicas"], 2)
        env = {e["name"]: e for e in container(production).get("env", [])}
        self.assertIn("secretKeyRef", env["TASKFORGE_DATABASE"]["valueFrom"])
        self.assertEqual(the(single, "Deployment")["spec"]["strategy"]["type"], "Recreate")
        self.assertEqual(the(single, "PersistentVolumeClaim")["spec"]["accessModes"],
                         ["ReadWriteOnce"])


class EachRuleFails(unittest.TestCase):
    """One broken copy per rule; the rule named must be among the findings."""

    def assert_breaks(self, rule: str, breaking: Callable[[list[Obj]], object],
                      overlay: str = "production") -> None:
        self.assertIn(rule, findings_after(overlay, breaking))

    def test_probes(self) -> None:
        self.assert_breaks("k8s/probes", lambda o: container(o).pop("readinessProbe"))
        self.assert_breaks("k8s/probes", lambda o: container(o).pop("livenessProbe"))
        self.assert_breaks("k8s/probes", lambda o: container(o)["livenessProbe"]["httpGet"]
                           .update(path="/ready"))

    def test_resources(self) -> None:
        self.assert_breaks("k8s/resources", lambda o: container(o)["resources"].pop("limits"))
        self.assert_breaks("k8s/resources",
                           lambda o: container(o)["resources"]["requests"].pop("memory"))

    def test_pre_stop_pause(self) -> None:
        self.assert_breaks("k8s/pre-stop", lambda o: container(o).pop("lifecycle"))

    def test_grace_period_above_pause_plus_drain(self) -> None:
        self.assert_breaks("k8s/termination-grace",
                           lambda o: pod(o).update(terminationGracePeriodSeconds=30))

        def longer_drain_in_the_config_map(objects: list[Obj]) -> None:
            container(objects)["env"] = [e for e in container(objects)["env"]
                                         if e["name"] != "TASKFORGE_SHUTDOWN_GRACE"]
            the(objects, "ConfigMap")["data"]["TASKFORGE_SHUTDOWN_GRACE"] = "60s"

        self.assert_breaks("k8s/termination-grace", longer_drain_in_the_config_map)

    def test_security_context(self) -> None:
        context = lambda o: container(o)["securityContext"]  # noqa: E731
        self.assert_breaks("k8s/run-as-non-root", lambda o: context(o).update(runAsNonRoot=False))
        self.assert_breaks("k8s/run-as-non-root", lambda o: context(o).update(runAsUser=0))
        self.assert_breaks("k8s/read-only-root",
                           lambda o: context(o).pop("readOnlyRootFilesystem"))
        self.assert_breaks("k8s/privilege-escalation",
                           lambda o: context(o).update(allowPrivilegeEscalation=True))
        self.assert_breaks("k8s/privilege-escalation", lambda o: context(o).update(privileged=True))
        self.assert_breaks("k8s/capabilities", lambda o: context(o)["capabilities"].update(drop=[]))
        self.assert_breaks("k8s/capabilities",
                           lambda o: context(o)["capabilities"].update(add=["NET_ADMIN"]))

        def no_seccomp(objects: list[Obj]) -> None:
            context(objects).pop("seccompProfile")
            pod(objects)["securityContext"].pop("seccompProfile")

        self.assert_breaks("k8s/seccomp", no_seccomp)
        self.assert_breaks("k8s/seccomp",
                           lambda o: context(o).update(seccompProfile={"type": "Unconfined"}))

    def test_disruption_budget(self) -> None:
        self.assert_breaks("k8s/pdb", lambda o: o.remove(the(o, "PodDisruptionBudget")))
        self.assert_breaks("k8s/pdb", lambda o: the(o, "PodDisruptionBudget")["spec"]
                           .update(maxUnavailable="100%"))
        self.assert_breaks("k8s/pdb", lambda o: the(o, "PodDisruptionBudget")["spec"]
                           .update(selector={"matchLabels": {"app": "another"}}))

    def test_pinned_images(self) -> None:
        for image in ("ghcr.io/taskforge/taskforge", "ghcr.io/taskforge/taskforge:latest",
                      "localhost:5000/taskforge", "ghcr.io/taskforge/taskforge@sha256:abc"):
            with self.subTest(image=image):
                self.assert_breaks("k8s/image-pinned", lambda o: container(o).update(image=image))

    def test_secrets_only_by_reference(self) -> None:
        self.assert_breaks("k8s/secrets", lambda o: container(o)["env"].append(
            {"name": "TASKFORGE_JWT_SECRET", "value": "a-signing-key-written-into-the-manifest"}))
        self.assert_breaks("k8s/secrets", lambda o: container(o)["env"].append(
            {"name": "TASKFORGE_DATABASE", "value": "postgres://taskforge:letmein@db/taskforge"}))
        self.assert_breaks("k8s/secrets", lambda o: the(o, "ConfigMap")["data"].update(
            TASKFORGE_JWT_PREVIOUS_SECRET="an-old-signing-key-in-a-config-map"))
        self.assert_breaks("k8s/secrets", lambda o: o.append(
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "taskforge-jwt"},
             "stringData": {"jwt-secret": "committed-by-mistake"}}))

    def test_strategy(self) -> None:
        self.assert_breaks("k8s/strategy", lambda o: the(o, "Deployment")["spec"]["strategy"]
                           ["rollingUpdate"].update(maxUnavailable=1))
        self.assert_breaks("k8s/strategy", lambda o: the(o, "Deployment")["spec"].pop("strategy"))
        self.assert_breaks("k8s/strategy", lambda o: the(o, "Deployment")["spec"].update(
            strategy={"type": "RollingUpdate"}), overlay="single-node")
        self.assert_breaks("k8s/strategy", lambda o: the(o, "Deployment")["spec"].update(
            replicas=2), overlay="single-node")

    def test_replicas(self) -> None:
        self.assert_breaks("k8s/replicas", lambda o: the(o, "Deployment")["spec"].update(replicas=1))

    def test_network_policy(self) -> None:
        self.assert_breaks("k8s/network-policy", lambda o: o.remove(the(o, "NetworkPolicy")))

    def test_service_account_token(self) -> None:
        self.assert_breaks("k8s/service-account-token",
                           lambda o: pod(o).pop("automountServiceAccountToken"))

    def test_namespace(self) -> None:
        self.assert_breaks("k8s/namespace", lambda o: the(o, "PersistentVolumeClaim")["metadata"]
                           .pop("namespace"), overlay="single-node")

    def test_an_overlay_without_a_deployment(self) -> None:
        self.assert_breaks("k8s/deployment", lambda o: o.remove(the(o, "Deployment")))

    def test_schema(self) -> None:
        objects = rendered("production")
        the(objects, "Deployment")["spec"]["replicas"] = "three"
        the(objects, "Service")["spec"]["portz"] = []
        the(objects, "PodDisruptionBudget")["apiVersion"] = "policy/v1beta1"  # gone in 1.25
        found = kubernetes.schema_findings(objects, "production")
        self.assertEqual(rules_of(found), {"k8s/schema"})
        where = " ".join(str(f) for f in found)
        for broken in ("Deployment/taskforge", "Service/taskforge", "PodDisruptionBudget/"):
            self.assertIn(broken, where)

    def test_a_render_error_is_a_finding(self) -> None:
        renderer = kubernetes.Renderer("kubectl kustomize")
        count, found = kubernetes.check_overlay(renderer, kubernetes.Path("/nonexistent"), "x")
        self.assertEqual((count, rules_of(found)), (0, {"k8s/render"}))


class ImageReferences(unittest.TestCase):
    def test_tags_and_digests_pin_and_nothing_else_does(self) -> None:
        digest = "sha256:" + "0" * 64
        for image in ("caddy:2.10.2-alpine", "ghcr.io/a/b:v1", "localhost:5000/a:1",
                      f"ghcr.io/a/b@{digest}", f"ghcr.io/a/b:v1@{digest}"):
            self.assertIsNone(k8s_policy.unpinned(image), image)
        for image in ("", "caddy", "caddy:latest", "localhost:5000/a", "a@sha256:12"):
            self.assertIsNotNone(k8s_policy.unpinned(image), image)


if __name__ == "__main__":
    unittest.main()
