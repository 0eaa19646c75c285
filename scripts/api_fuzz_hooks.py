"""schemathesis hooks for scripts/api-fuzz (loaded through SCHEMATHESIS_HOOKS). Each one works
around a place where a check cannot know what correct behaviour is; docs/api.md ("API
fuzzing") explains them.

1. Opaque cursors. The task and category listings' `cursor` is issued by the server: the
   task cursor holds the sort order, a position and an id, sealed with authenticated
   encryption; the category cursor encodes a position. No JSON Schema can describe the set of
   valid cursors, and a string of the documented shape that the server did not issue is
   rightly refused with 400. Where a positive request carries a cursor of the documented
   shape, `before_call` swaps in a real cursor the seed step obtained (for tasks, one per sort
   order), so it pages for real.
   Malformed cursors (negative requests) are left as generated and must still be refused.

2. Mislabelled requests. schemathesis 4.32's coverage phase can combine a negative (schema-
   violating) component, e.g. the header `If-Match: 0`, with positive ones and still label the
   whole request positive; the positive-data check then reports the server's correct 400 as a
   failure. `before_call` labels a request negative when any of its components is negative.

3. Relations between resources. The schema can say that `assignee_id` is a UUID, not that it
   names a member of the task's project. A 422 whose `errors` name only such reference fields
   is the documented answer to a schema-valid request that breaks a relation rule, so
   `positive_data_acceptance_relations` is the built-in positive-data check minus that one
   answer. Likewise a 412 to a request with `If-Match`: a well-formed entity tag that names
   another version than the current one is answered 412 Precondition Failed (RFC 9110
   §13.1.1), which the schema cannot foresee. scripts/api-fuzz runs this check in place of
   `positive_data_acceptance`.
"""

import json
import os
import re

import schemathesis
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

SHAPE = re.compile(r"^v2\.[A-Za-z0-9_-]+$")
CATEGORY_SHAPE = re.compile(r"^c1\.[A-Za-z0-9_-]+$")
DEFAULT_SORT = "-created_at"
# Body fields that name another resource; a 422 naming only these is a relation rule.
REFERENCE_FIELDS = {"project_id", "category_id", "assignee_id", "parent_id", "owner_id"}

with open(os.environ["API_FUZZ_CURSORS"], encoding="utf-8") as _file:
    CURSORS = json.load(_file)


def _is_positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is not None and any(c.mode == GenerationMode.NEGATIVE for c in meta.components.values()):
        meta.generation.mode = GenerationMode.NEGATIVE
    if case.method.upper() != "GET" or not _is_positive(case):
        return
    query = case.query
    if not query or not isinstance(query.get("cursor"), str):
        return
    if case.path == "/api/v1/categories" and CATEGORY_SHAPE.match(query["cursor"]):
        query["cursor"] = CURSORS["categories"]
        return
    if case.path != "/api/v1/tasks" or not SHAPE.match(query["cursor"]):
        return
    sort = query.get("sort", DEFAULT_SORT)
    query["cursor"] = CURSORS.get(sort if isinstance(sort, str) else DEFAULT_SORT, CURSORS[DEFAULT_SORT])


def _only_relations_broken(response) -> bool:
    if response.status_code != 422:
        return False
    try:
        errors = json.loads(response.text).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return bool(errors) and all(e.get("field") in REFERENCE_FIELDS for e in errors)


def _stale_version(case, response) -> bool:
    headers = {name.lower() for name in (case.headers or {})}
    return response.status_code == 412 and "if-match" in headers


@schemathesis.check
def positive_data_acceptance_relations(ctx, response, case):
    """positive_data_acceptance, except for a 422 that names only reference fields and a 412
    to a request with If-Match."""
    if _is_positive(case) and (_only_relations_broken(response) or _stale_version(case, response)):
        return None
    return positive_data_acceptance(ctx, response, case)
