"""The deployment policy for rendered Kubernetes manifests.

Every Deployment must be safe to roll and to run: probes that route traffic only to a ready
pod and restart only a dead one, resources, a pre-stop pause and a grace period above the
drain time, a locked-down security context, a PodDisruptionBudget and a NetworkPolicy that
select its pods, pinned images, secrets only by reference, and an update strategy that fits
its storage. `check` returns one finding per broken rule and place.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .findings import Finding, literal_secret, seconds

Obj = dict[str, Any]

# TaskForge's defaults: the drain time when TASKFORGE_SHUTDOWN_GRACE is unset, and
# Kubernetes' grace period when terminationGracePeriodSeconds is.
DEFAULT_SHUTDOWN_GRACE = 30.0
DEFAULT_TERMINATION_GRACE = 30.0

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")

# Kinds that live outside namespaces; every other object must name its namespace, or it lands
# in whatever namespace kubectl happens to point at.
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                  "StorageClass", "PriorityClass", "CustomResourceDefinition"}


def check(objects: list[Obj], where: str, *, min_replicas: int = 1) -> list[Finding]:
    """Every finding of the policy on one rendered overlay (`where` names it)."""
    findings: list[Finding] = []
    deployments = [o for o in objects if o.get("kind") == "Deployment"]
    if not deployments:
        findings.append(Finding("k8s/deployment", where, "the overlay renders no Deployment"))
    for deployment in deployments:
        findings.extend(_deployment(deployment, objects, f"{where}: {_name(deployment)}",
                                    min_replicas))
    findings.extend(_committed_secrets(objects, where))
    for obj in objects:
        namespace = (obj.get("metadata") or {}).get("namespace")
        if obj.get("kind") not in CLUSTER_SCOPED and not namespace:
            findings.append(Finding("k8s/namespace", f"{where}: {_name(obj)}",
                                    "names no namespace (set `namespace:` in the kustomization)"))
    return findings


def _deployment(deployment: Obj, objects: list[Obj], where: str,
                min_replicas: int) -> Iterable[Finding]:
    spec = deployment.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    namespace = _namespace(deployment)
    replicas = spec.get("replicas", 1)

    for container in pod.get("containers") or []:
        at = f"{where}: container {container.get('name')}"
        yield from _probes(container, at)
        yield from _resources(container, at)
        yield from _pre_stop_and_grace(container, pod, objects, namespace, at)
        yield from _security_context(container, pod, at)
        yield from _image(container, at)
        yield from _env_secrets(container, at)
    for container in pod.get("initContainers") or []:
        at = f"{where}: init container {container.get('name')}"
        yield from _resources(container, at)
        yield from _security_context(container, pod, at)
        yield from _image(container, at)
        yield from _env_secrets(container, at)

    if pod.get("automountServiceAccountToken") is not False:
        yield Finding("k8s/service-account-token", where,
                      "set automountServiceAccountToken: false (TaskForge never calls the API)")
    if replicas < min_replicas:
        yield Finding("k8s/replicas", where,
                      f"{replicas} replica(s); this overlay needs at least {min_replicas}")
    yield from _strategy(spec, pod, objects, namespace, where)
    yield from _disruption_budget(labels, replicas, objects, namespace, where)
    if not any(_selects(p.get("spec", {}).get("podSelector"), labels)
               and "Ingress" in (p.get("spec", {}).get("policyTypes") or ["Ingress"])
               for p in _of_kind(objects, "NetworkPolicy", namespace)):
        yield Finding("k8s/network-policy", where, "no NetworkPolicy restricts ingress to its pods")


def _probes(container: Obj, at: str) -> Iterable[Finding]:
    wanted = {"readinessProbe": "/ready", "livenessProbe": "/health"}
    for probe, path in wanted.items():
        got = container.get(probe)
        if not got:
            yield Finding("k8s/probes", at, f"no {probe} (HTTP GET {path})")
        elif (got.get("httpGet") or {}).get("path") != path:
            yield Finding("k8s/probes", at, f"{probe} must be an HTTP GET of {path}")


def _resources(container: Obj, at: str) -> Iterable[Finding]:
    resources = container.get("resources") or {}
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if not (resources.get(kind) or {}).get(resource):
                yield Finding("k8s/resources", at, f"no {kind}.{resource}")


def _pre_stop_pause(container: Obj) -> float | None:
    """Seconds the pre-stop hook pauses (`sleep N` as a command or the sleep action)."""
    pre_stop = (container.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in pre_stop:
        return seconds((pre_stop["sleep"] or {}).get("seconds"))
    command = (pre_stop.get("exec") or {}).get("command") or []
    words = " ".join(str(w) for w in command).split()
    for i, word in enumerate(words[:-1]):
        if word.endswith("sleep"):
            return seconds(words[i + 1])
    return None


def _pre_stop_and_grace(container: Obj, pod: Obj, objects: list[Obj], namespace: str,
                        at: str) -> Iterable[Finding]:
    pause = _pre_stop_pause(container)
    if not pause:
        yield Finding("k8s/pre-stop", at,
                      "no pre-stop pause (lifecycle.preStop sleeping a few seconds), so the pod "
                      "stops before endpoints and the ingress controller stop sending to it")
        pause = 0.0
    drain = _shutdown_grace(container, objects, namespace)
    if drain is None:
        yield Finding("k8s/termination-grace", at, "TASKFORGE_SHUTDOWN_GRACE is not a duration")
        return
    grace = float(pod.get("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE))
    if grace <= pause + drain:
        yield Finding("k8s/termination-grace", at,
                      f"terminationGracePeriodSeconds {grace:g} must exceed the pre-stop pause "
                      f"({pause:g} s) plus TASKFORGE_SHUTDOWN_GRACE ({drain:g} s)")


def _shutdown_grace(container: Obj, objects: list[Obj], namespace: str) -> float | None:
    """TASKFORGE_SHUTDOWN_GRACE as the container sees it: its own env, then its envFrom
    ConfigMaps (in the rendered output), then TaskForge's default."""
    for variable in container.get("env") or []:
        if variable.get("name") == "TASKFORGE_SHUTDOWN_GRACE" and "value" in variable:
            return seconds(variable["value"])
    for source in container.get("envFrom") or []:
        name = (source.get("configMapRef") or {}).get("name")
        for config_map in _of_kind(objects, "ConfigMap", namespace):
            if config_map["metadata"].get("name") == name:
                data = config_map.get("data") or {}
                if "TASKFORGE_SHUTDOWN_GRACE" in data:
                    return seconds(data["TASKFORGE_SHUTDOWN_GRACE"])
    return DEFAULT_SHUTDOWN_GRACE


def _security_context(container: Obj, pod: Obj, at: str) -> Iterable[Finding]:
    own = container.get("securityContext") or {}
    shared = pod.get("securityContext") or {}

    def effective(key: str) -> Any:
        return own[key] if key in own else shared.get(key)

    if effective("runAsNonRoot") is not True or effective("runAsUser") == 0:
        yield Finding("k8s/run-as-non-root", at, "must run as non-root (runAsNonRoot: true)")
    if own.get("readOnlyRootFilesystem") is not True:
        yield Finding("k8s/read-only-root", at, "readOnlyRootFilesystem must be true")
    if own.get("allowPrivilegeEscalation") is not False or own.get("privileged"):
        yield Finding("k8s/privilege-escalation", at,
                      "allowPrivilegeEscalation must be false, and the container not privileged")
    capabilities = own.get("capabilities") or {}
    if "ALL" not in (capabilities.get("drop") or []) or capabilities.get("add"):
        yield Finding("k8s/capabilities", at, "must drop ALL capabilities and add none")
    if ((effective("seccompProfile") or {}).get("type")) not in ("RuntimeDefault", "Localhost"):
        yield Finding("k8s/seccomp", at, "seccompProfile must be RuntimeDefault")


def _image(container: Obj, at: str) -> Iterable[Finding]:
    image = str(container.get("image") or "")
    reason = unpinned(image)
    if reason:
        yield Finding("k8s/image-pinned", at, f"image {image!r} {reason}")


def unpinned(image: str) -> str | None:
    """Why an image reference is not pinned to one build, or None when it is (a tag other
    than `latest`, or a sha256 digest)."""
    if not image:
        return "is missing"
    if "@" in image:
        digest = image.split("@", 1)[1]
        return None if DIGEST.match(digest) else "has a malformed digest"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (it means :latest)"
    if last.rsplit(":", 1)[1] in ("", "latest"):
        return "is :latest, which moves"
    return None


def _env_secrets(container: Obj, at: str) -> Iterable[Finding]:
    for variable in container.get("env") or []:
        reason = literal_secret(str(variable.get("name")), variable.get("value"))
        if reason:
            yield Finding("k8s/secrets", at, reason)


def _committed_secrets(objects: list[Obj], where: str) -> Iterable[Finding]:
    for obj in objects:
        if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            yield Finding("k8s/secrets", f"{where}: {_name(obj)}",
                          "a Secret with its values is part of the manifests; create it in the "
                          "cluster (or with a secrets operator) instead")
        if obj.get("kind") == "ConfigMap":
            for key, value in (obj.get("data") or {}).items():
                reason = literal_secret(key, value)
                if reason:
                    yield Finding("k8s/secrets", f"{where}: {_name(obj)}", reason)


def _strategy(spec: Obj, pod: Obj, objects: list[Obj], namespace: str,
              where: str) -> Iterable[Finding]:
    replicas = spec.get("replicas", 1)
    strategy = spec.get("strategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if _mounts_single_writer_volume(pod, objects, namespace):
        if replicas != 1 or kind != "Recreate":
            yield Finding("k8s/strategy", where,
                          "a ReadWriteOnce volume (a SQLite file) needs exactly one replica and "
                          "the Recreate strategy, so two pods never write it at once")
        return
    if replicas >= 2:
        rolling = strategy.get("rollingUpdate") or {}
        if kind != "RollingUpdate" or rolling.get("maxUnavailable") not in (0, "0", "0%"):
            yield Finding("k8s/strategy", where,
                          "several replicas roll with RollingUpdate and maxUnavailable: 0, so "
                          "capacity never drops during an update")


def _mounts_single_writer_volume(pod: Obj, objects: list[Obj], namespace: str) -> bool:
    claims = {((v.get("persistentVolumeClaim") or {}).get("claimName"))
              for v in pod.get("volumes") or []} - {None}
    for claim in _of_kind(objects, "PersistentVolumeClaim", namespace):
        if claim["metadata"].get("name") in claims:
            modes = (claim.get("spec") or {}).get("accessModes") or []
            if "ReadWriteOnce" in modes or "ReadWriteOncePod" in modes:
                return True
    return False


def _disruption_budget(labels: Obj, replicas: int, objects: list[Obj], namespace: str,
                       where: str) -> Iterable[Finding]:
    budgets = [b for b in _of_kind(objects, "PodDisruptionBudget", namespace)
               if _selects((b.get("spec") or {}).get("selector"), labels)]
    if not budgets:
        yield Finding("k8s/pdb", where, "no PodDisruptionBudget selects its pods")
        return
    if replicas >= 2 and not any(_keeps_one(b.get("spec") or {}, replicas) for b in budgets):
        yield Finding("k8s/pdb", where,
                      "its PodDisruptionBudget lets a drain evict every replica at once")


def _keeps_one(budget: Obj, replicas: int) -> bool:
    """True when the budget keeps at least one of `replicas` pods through a drain."""
    if "minAvailable" in budget:
        return _count(budget["minAvailable"], replicas) >= 1
    if "maxUnavailable" in budget:
        return _count(budget["maxUnavailable"], replicas) < replicas
    return False


def _count(value: int | str, replicas: int) -> int:
    text = str(value)
    if text.endswith("%"):
        return int(int(text[:-1]) * replicas / 100)
    return int(text)


def _selects(selector: Obj | None, labels: Obj) -> bool:
    """True when a label selector matches `labels` (an empty or absent selector never does
    here: a policy meant for these pods names them)."""
    if not selector:
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expression in expressions:
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _of_kind(objects: list[Obj], kind: str, namespace: str) -> list[Obj]:
    return [o for o in objects if o.get("kind") == kind and _namespace(o) == namespace]


def _namespace(obj: Obj) -> str:
    return (obj.get("metadata") or {}).get("namespace") or "default"


def _name(obj: Obj) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
