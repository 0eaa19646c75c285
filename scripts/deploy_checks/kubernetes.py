"""Kubernetes: render each kustomize overlay, validate every object against the Kubernetes
schemas offline (kubernetes-validate ships them), and apply the policy of `k8s_policy`."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import yaml

from . import k8s_policy
from .findings import Finding

# The oldest Kubernetes the manifests support and the newest the validator knows: every
# object must be valid in both (strictly: an unknown field is an error, not ignored).
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")

# Per overlay: what the policy expects beyond the rules every Deployment follows.
OVERLAYS = {
    "single-node": {"min_replicas": 1},
    "production": {"min_replicas": 2},
}


class RenderError(Exception):
    """kustomize refused an overlay."""


class Renderer:
    """Runs kustomize: `kubectl kustomize`, a `kustomize` binary, or the kustomize library
    that the PyPI package pykustomize bundles (scripts/check-deploy picks one)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def render(self, directory: Path) -> str:
        """The YAML stream kustomize builds from `directory`."""
        if self.command == "pykustomize":
            import pykustomize  # only installed where no kustomize binary is

            try:
                return asyncio.run(pykustomize.build(str(directory))).yaml
            except pykustomize.KustomizeError as error:
                raise RenderError(str(error)) from error
        argv = self.command.split() + [str(directory)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RenderError(done.stderr.strip() or f"{argv} exited {done.returncode}")
        return done.stdout


def load(stream: str) -> list[dict[str, Any]]:
    """The objects of a YAML stream (empty documents dropped)."""
    return [doc for doc in yaml.safe_load_all(stream) if doc]


def schema_findings(objects: list[dict[str, Any]], where: str) -> list[Finding]:
    """Every object that does not validate against the schemas of each supported version."""
    import kubernetes_validate

    findings = []
    for obj in objects:
        at = f"{where}: {obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = "/".join(str(p) for p in error.absolute_path) or "(top)"
                findings.append(Finding("k8s/schema", at,
                                        f"Kubernetes {version}: {path}: {error.message}"))
            except kubernetes_validate.SchemaNotFoundError as error:
                findings.append(Finding("k8s/schema", at, error.message))
    return findings


def check_overlay(renderer: Renderer, overlays: Path, name: str) -> tuple[int, list[Finding]]:
    """Renders one overlay and returns how many objects it holds and every finding."""
    where = f"deploy/k8s/overlays/{name}"
    try:
        objects = load(renderer.render(overlays / name))
    except (RenderError, yaml.YAMLError) as error:
        return 0, [Finding("k8s/render", where, str(error))]
    findings = schema_findings(objects, where)
    findings += k8s_policy.check(objects, where, **OVERLAYS[name])
    return len(objects), findings


def check(repo: Path, renderer: Renderer) -> list[Finding]:
    """Every overlay under deploy/k8s/overlays, each of which must be known to `OVERLAYS`."""
    overlays = repo / "deploy/k8s/overlays"
    present = sorted(p.name for p in overlays.iterdir() if p.is_dir())
    findings = [Finding("k8s/overlays", "deploy/k8s/overlays",
                        f"overlay {name!r} has no expectations in deploy_checks/kubernetes.py")
                for name in present if name not in OVERLAYS]
    for name in OVERLAYS:
        if name not in present:
            findings.append(Finding("k8s/overlays", "deploy/k8s/overlays", f"{name} is missing"))
            continue
        count, found = check_overlay(renderer, overlays, name)
        print(f"  {name}: {count} objects rendered, {len(found)} finding(s)")
        findings += found
    return findings
