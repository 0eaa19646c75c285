"""What the self-tests share: the repository, its rendered overlays, and a way to find the
objects and containers to break."""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from deploy_checks import kubernetes

REPO = Path(__file__).resolve().parents[3]

Obj = dict[str, Any]


@lru_cache(maxsize=None)
def _rendered(overlay: str) -> tuple[Obj, ...]:
    # scripts/check-deploy says which kustomize it found; `kubectl kustomize` otherwise.
    renderer = kubernetes.Renderer(os.environ.get("DEPLOY_CHECKS_KUSTOMIZE", "kubectl kustomize"))
    return tuple(kubernetes.load(renderer.render(REPO / "deploy/k8s/overlays" / overlay)))


def rendered(overlay: str) -> list[Obj]:
    """A fresh, modifiable copy of an overlay's rendered objects."""
    return copy.deepcopy(list(_rendered(overlay)))


def the(objects: list[Obj], kind: str) -> Obj:
    """The one object of `kind`."""
    found = [o for o in objects if o.get("kind") == kind]
    assert len(found) == 1, f"{len(found)} objects of kind {kind}"
    return found[0]


def pod(objects: list[Obj]) -> Obj:
    """The Deployment's pod spec."""
    return the(objects, "Deployment")["spec"]["template"]["spec"]


def container(objects: list[Obj]) -> Obj:
    """The Deployment's (only) container."""
    return pod(objects)["containers"][0]
