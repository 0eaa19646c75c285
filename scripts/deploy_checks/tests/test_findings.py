"""The shared judgements: what counts as a secret written into a file, and durations."""

from __future__ import annotations

import unittest

from deploy_checks.findings import literal_secret, seconds


class Secrets(unittest.TestCase):
    def test_values_that_write_a_secret_down(self) -> None:
        for name, value in (("TASKFORGE_JWT_SECRET", "abc"), ("POSTGRES_PASSWORD", "x"),
                            ("API_TOKEN", "t"),
                            ("TASKFORGE_DATABASE", "postgres://u:letmein@db:5432/taskforge")):
            self.assertIsNotNone(literal_secret(name, value), (name, value))

    def test_references_and_harmless_values(self) -> None:
        for name, value in (("TASKFORGE_JWT_SECRET_FILE", "/run/secrets/jwt"),
                            ("TASKFORGE_JWT_SECRET", ""), ("POSTGRES_PASSWORD", None),
                            ("POSTGRES_PASSWORD", "${TASKFORGE_POSTGRES_PASSWORD:?set it}"),
                            ("TASKFORGE_DATABASE", "postgres://u:${PASSWORD:?set it in .env}@db/x"),
                            ("TASKFORGE_DATABASE", "/data/taskforge.db"),
                            ("TASKFORGE_REFRESH_TTL", "30d")):
            self.assertIsNone(literal_secret(name, value), (name, value))


class Durations(unittest.TestCase):
    def test_units(self) -> None:
        self.assertEqual([seconds(v) for v in ("45", "45s", "2m", "1h", "1500ms")],
                         [45, 45, 120, 3600, 1.5])
        self.assertEqual(seconds(None, 30.0), 30.0)
        self.assertIsNone(seconds("soon"))


if __name__ == "__main__":
    unittest.main()
