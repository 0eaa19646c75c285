"""`python -m deploy_checks --repo DIR --kustomize COMMAND`: every check of deploy/, one
section per way to deploy; exits 1 when any rule is broken (each finding is printed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import compose, gitops, kubernetes, systemd
from .findings import Finding


def main() -> int:
    parser = argparse.ArgumentParser(prog="deploy_checks", description=__doc__)
    parser.add_argument("--repo", type=Path, required=True, help="the repository's root")
    parser.add_argument("--kustomize", required=True,
                        help="how to run kustomize: 'kubectl kustomize', 'kustomize build' or "
                             "'pykustomize'")
    args = parser.parse_args()

    findings: list[Finding] = []
    notes: list[str] = []
    versions = " and ".join(kubernetes.KUBERNETES_VERSIONS)
    print(f"== Kubernetes overlays ({args.kustomize}; schemas of Kubernetes {versions})")
    findings += kubernetes.check(args.repo, kubernetes.Renderer(args.kustomize))
    print("== Docker Compose")
    findings += compose.check(args.repo)
    print("== systemd units")
    found, said = systemd.check(args.repo)
    findings += found
    notes += said
    print("== GitOps examples")
    findings += gitops.check(args.repo)

    for note in notes:
        print(f"note: {note}")
    for finding in findings:
        print(f"FAIL {finding}", file=sys.stderr)
    if findings:
        print(f"check-deploy: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    print("check-deploy: every deployment check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
