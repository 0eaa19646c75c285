"""Self-tests of the deployment checks: the real files pass, and each rule fails on a copy
broken in exactly its way (`python -m unittest discover` from scripts/, as check-deploy does)."""
