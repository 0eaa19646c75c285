"""Seed data for scripts/api-fuzz: logs in as the admin, creates a project, a category and a
few tasks (one with a subtask) so that schemathesis's path parameters and links resolve to
real resources, and records one real task-listing cursor per sort order (and one category-
listing cursor, under "categories") for api_fuzz_hooks.py. Prints the access token.

Environment: API_FUZZ_BASE (server URL), API_FUZZ_PASSWORD (the admin's password),
API_FUZZ_CURSORS (where to write the cursors, JSON).
"""

import json
import os
import sys

import requests

SORTS = ["created_at", "-created_at", "priority", "-priority", "due_date", "-due_date", "title", "-title"]


def main() -> None:
    base = os.environ["API_FUZZ_BASE"]
    session = requests.Session()

    def call(method: str, path: str, expected: int, **kwargs):
        response = session.request(method, base + path, timeout=10, **kwargs)
        if response.status_code != expected:
            sys.exit(f"api-fuzz seed: {method} {path} answered {response.status_code}, not {expected}: {response.text}")
        return response.json() if response.content else None

    login = call("POST", "/api/v1/auth/login", 200,
                 json={"username": "fuzzadmin", "password": os.environ["API_FUZZ_PASSWORD"]})
    token = login["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"

    project = call("POST", "/api/v1/projects", 201, json={"name": "Fuzzing", "description": "seed"})
    category = call("POST", "/api/v1/categories", 201, json={"name": "Seed"})
    call("POST", "/api/v1/categories", 201, json={"name": "Seed two"})
    parent = call("POST", "/api/v1/tasks", 201, json={
        "project_id": project["id"], "title": "Parent task", "category_id": category["id"],
        "labels": ["seed"], "due_date": "2030-01-01", "priority": "high",
    })
    call("POST", "/api/v1/tasks", 201, json={
        "project_id": project["id"], "title": "Subtask", "parent_id": parent["id"],
    })
    call("POST", "/api/v1/tasks", 201, json={"project_id": project["id"], "title": "Another task"})

    cursors = {}
    for sort in SORTS:
        page = call("GET", "/api/v1/tasks", 200, params={"sort": sort, "limit": 1})
        if not page["next_cursor"]:
            sys.exit(f"api-fuzz seed: no next_cursor for sort {sort}")
        cursors[sort] = page["next_cursor"]
    page = call("GET", "/api/v1/categories", 200, params={"limit": 1})
    if not page["next_cursor"]:
        sys.exit("api-fuzz seed: no next_cursor for the categories")
    cursors["categories"] = page["next_cursor"]
    with open(os.environ["API_FUZZ_CURSORS"], "w", encoding="utf-8") as file:
        json.dump(cursors, file)
    print(token)


if __name__ == "__main__":
    main()
