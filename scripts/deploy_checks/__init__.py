"""Checks of what an operator deploys (deploy/): scripts/check-deploy runs them in CI.

- `kubernetes`: renders each kustomize overlay, validates every object against the Kubernetes
  schemas, and applies the deployment policy (probes, resources, the pre-stop pause, the
  security context, a PodDisruptionBudget, pinned images, secrets only by reference, ...).
- `compose`: the Docker Compose file (parse, required services and keys, pinned images, no
  secret values, hardening).
- `systemd`: the unit files (parse, required hardening keys, stop timeout above the drain
  time, no secret in the environment file) and, where it is installed, `systemd-analyze`.
- `gitops`: the Flux and Argo CD examples point at overlays that exist, at pinned revisions.

Each rule has a stable name (`k8s/probes`, `compose/image-pinned`, ...) so that the self-tests
in `tests/` can prove every rule fails on a manifest broken in exactly its way.
"""
