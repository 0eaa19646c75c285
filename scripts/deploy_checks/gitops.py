"""GitOps examples: the Flux and Argo CD manifests of deploy/gitops name their source, point
at overlays that exist, and follow pinned revisions (a tag or a semver range, never a branch
that moves on every push). Objects of other kinds are plain Kubernetes and are validated
against the schemas like the overlays."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from .findings import Finding
from .kubernetes import schema_findings

GITOPS = "deploy/gitops"

Obj = dict[str, Any]


def check(repo: Path) -> list[Finding]:
    """Every finding on the files of deploy/gitops."""
    findings: list[Finding] = []
    objects: list[tuple[str, Obj]] = []
    for path in sorted((repo / GITOPS).rglob("*.yaml")):
        where = str(path.relative_to(repo))
        try:
            objects += [(where, doc) for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc]
        except yaml.YAMLError as error:
            findings.append(Finding("gitops/parse", where, str(error)))
    if not objects:
        findings.append(Finding("gitops/parse", GITOPS, "no manifests"))
    sources = {(o.get("metadata") or {}).get("name") for _, o in objects
               if o.get("kind") == "GitRepository"}
    for where, obj in objects:
        findings += list(object_findings(repo, where, obj, sources))
    return findings


def object_findings(repo: Path, where: str, obj: Obj, sources: set[str]) -> Iterable[Finding]:
    """The rules for one object found in `where`."""
    group = str(obj.get("apiVersion", "")).split("/")[0]
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    at = f"{where}: {kind}/{(obj.get('metadata') or {}).get('name')}"
    if group == "source.toolkit.fluxcd.io" and kind == "GitRepository":
        ref = spec.get("ref") or {}
        if not (ref.get("tag") or ref.get("semver") or ref.get("commit")):
            yield Finding("gitops/pinned-revision", at,
                          "follow a tag, a semver range or a commit, not a branch")
    elif group == "kustomize.toolkit.fluxcd.io" and kind == "Kustomization":
        yield from _overlay_path(repo, at, spec.get("path"))
        source = spec.get("sourceRef") or {}
        if source.get("kind") != "GitRepository" or source.get("name") not in sources:
            yield Finding("gitops/source", at, f"sourceRef {source} names no GitRepository here")
        if spec.get("prune") is not True:
            yield Finding("gitops/prune", at, "prune: true, so removed objects leave the cluster")
    elif group == "argoproj.io" and kind == "Application":
        source = spec.get("source") or {}
        yield from _overlay_path(repo, at, source.get("path"))
        revision = str(source.get("targetRevision") or "HEAD")
        if revision in ("HEAD", "main", "master") or not revision[:1].isdigit() and \
                not revision.startswith("v"):
            yield Finding("gitops/pinned-revision", at,
                          f"targetRevision {revision!r} moves; name a release tag")
        if not ((spec.get("syncPolicy") or {}).get("automated") or {}).get("prune"):
            yield Finding("gitops/prune", at, "automated sync with prune: true")
    else:
        yield from schema_findings([obj], where)


def _overlay_path(repo: Path, at: str, path: str | None) -> Iterable[Finding]:
    directory = repo / str(path or "").lstrip("./") if path else None
    if not directory or not (directory / "kustomization.yaml").is_file() \
            or not str(path).strip("./").startswith("deploy/k8s/overlays/"):
        yield Finding("gitops/path", at,
                      f"path {path!r} is not an overlay of deploy/k8s/overlays in this repository")
