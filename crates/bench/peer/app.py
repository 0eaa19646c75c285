"""The peer TaskForge is measured against: the textbook Python stack for the same API.

Flask + the standard library's sqlite3 + PyJWT, served by gunicorn with 2 workers x 4 threads
(docs/benchmarks.md, "The peer"). It is written the way a small team writes its first
service — plain Flask views, one SQLite connection per worker thread, no ORM — with the checks
a real service needs and nothing more: the bearer token's signature,
issuer, audience and expiry (HS256, the same key as TaskForge), and the same access rules for
the three requests the benchmark sends (an admin sees everything; anyone sees a public task; a
project's members see and create its tasks). It reads and writes the database TaskForge
migrated and the benchmark seeded, and answers with the same JSON (the benchmark compares the
bodies), so both do the same work.

- GET  /api/v1/tasks/<id>
- GET  /api/v1/tasks?project_id=P&status=S&sort=-priority&limit=N[&cursor=C]
- POST /api/v1/tasks {project_id, title, priority?, labels?}
"""

import datetime
import os
import sqlite3
import threading
import time
import uuid

import jwt
from flask import Flask, abort, jsonify, request

DATABASE = os.environ["PEER_DATABASE"]
SECRET = os.environ["PEER_JWT_SECRET"].encode()
SYNCHRONOUS = {"full": "FULL", "normal": "NORMAL"}[os.environ.get("PEER_SYNCHRONOUS", "full")]

PRIORITIES = ["low", "medium", "high", "urgent"]
MAX_LIMIT = 200
NO_DUE_DATE = 2147483647
EPOCH = datetime.date(1970, 1, 1)

COLUMNS = (
    "id, project_id, title, description, status, priority, category_id, assignee_id, "
    "due_date, parent_id, is_public, created_by, created_at, updated_at, version, "
    "(SELECT group_concat(label, ',') FROM task_labels WHERE task_id = tasks.id)"
)

app = Flask(__name__)


_local = threading.local()


def get_db():
    # One connection per worker thread, opened on first use and kept: the usual step past the
    # tutorial's connection per request, which would make the peer pay for opening the file and
    # reading its schema on every request.
    db = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(DATABASE, timeout=5, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        _local.db = db
    return db


def caller():
    """The verified claims of the bearer token, or a 401."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    try:
        return jwt.decode(
            header[len("Bearer "):],
            SECRET,
            algorithms=["HS256"],
            audience="taskforge-api",
            issuer="taskforge",
            options={"require": ["exp", "sub", "role"]},
        )
    except jwt.PyJWTError:
        abort(401)


def is_member(db, project, user):
    row = db.execute(
        "SELECT 1 FROM project_members WHERE project_id = ? AND user_id = ?", (project, user)
    ).fetchone()
    return row is not None


def uuid_bytes(text):
    try:
        parsed = uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return None
    return parsed.bytes if str(parsed) == text.lower() else None


def id_text(blob):
    return None if blob is None else str(uuid.UUID(bytes=bytes(blob)))


def rfc3339(micros):
    seconds, micro = divmod(micros, 1_000_000)
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if micro:
        text += "." + f"{micro:06d}".rstrip("0")
    return text + "Z"


def task_json(row):
    labels = sorted(row[15].split(",")) if row[15] else []
    return {
        "id": id_text(row[0]),
        "project_id": id_text(row[1]),
        "title": row[2],
        "description": row[3],
        "status": row[4],
        "priority": PRIORITIES[row[5] - 1],
        "category_id": id_text(row[6]),
        "assignee_id": id_text(row[7]),
        "labels": labels,
        "due_date": None if row[8] is None else (EPOCH + datetime.timedelta(days=row[8])).isoformat(),
        "parent_id": id_text(row[9]),
        "is_public": bool(row[10]),
        "created_by": id_text(row[11]),
        "created_at": rfc3339(row[12]),
        "updated_at": rfc3339(row[13]),
        "version": row[14],
    }


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/api/v1/tasks/<task_id>")
def get_task(task_id):
    claims = caller()
    key = uuid_bytes(task_id)
    if key is None:
        abort(400)
    db = get_db()
    row = db.execute(f"SELECT {COLUMNS} FROM tasks WHERE id = ?", (key,)).fetchone()
    if row is None:
        abort(404)
    user = uuid_bytes(claims["sub"])
    visible = claims["role"] == "admin" or row[10] == 1 or is_member(db, row[1], user)
    if not visible:
        abort(404)
    response = jsonify(task_json(row))
    response.headers["ETag"] = f'"{row[14]}"'
    return response


@app.get("/api/v1/tasks")
def list_tasks():
    claims = caller()
    project = uuid_bytes(request.args.get("project_id", ""))
    status = request.args.get("status")
    try:
        limit = int(request.args.get("limit", "50"))
    except ValueError:
        abort(400)
    if project is None or status is None or not 1 <= limit <= MAX_LIMIT:
        abort(400)
    if request.args.get("sort", "-priority") != "-priority":
        abort(400)
    db = get_db()
    if claims["role"] != "admin" and not is_member(db, project, uuid_bytes(claims["sub"])):
        abort(404)
    sql = f"SELECT {COLUMNS} FROM tasks WHERE project_id = ? AND +status = ?"
    params = [project, status]
    cursor = request.args.get("cursor")
    if cursor is not None:
        rank, _, last = cursor.partition(".")
        last = uuid_bytes(last)
        if not rank.isdigit() or last is None:
            abort(400)
        sql += " AND (priority, id) < (?, ?)"
        params += [int(rank), last]
    sql += " ORDER BY priority DESC, id DESC LIMIT ?"
    params.append(limit + 1)
    rows = db.execute(sql, params).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = f"{rows[-1][5]}.{id_text(rows[-1][0])}" if more and rows else None
    return jsonify(items=[task_json(r) for r in rows], next_cursor=next_cursor)


@app.post("/api/v1/tasks")
def create_task():
    claims = caller()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    project = uuid_bytes(body.get("project_id"))
    title = body.get("title")
    priority = body.get("priority", "medium")
    labels = body.get("labels", [])
    if project is None or not isinstance(title, str) or not title.strip():
        abort(422)
    if priority not in PRIORITIES or not isinstance(labels, list):
        abort(422)
    if not all(isinstance(label, str) and label for label in labels):
        abort(422)
    rank = PRIORITIES.index(priority) + 1
    labels = sorted({label.lower() for label in labels})
    user = uuid_bytes(claims["sub"])
    db = get_db()
    if claims["role"] == "viewer":
        abort(403)
    if claims["role"] != "admin" and not is_member(db, project, user):
        abort(404)
    task_id = uuid.uuid4().bytes
    now = time.time_ns() // 1000
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "INSERT INTO tasks (id, project_id, title, description, status, priority, is_public, "
            "created_by, created_at, updated_at, version) "
            "VALUES (?, ?, ?, '', 'todo', ?, 0, ?, ?, ?, 1)",
            (task_id, project, title, rank, user, now, now),
        )
        db.executemany(
            "INSERT INTO task_labels (task_id, label, created_at, priority, due_key, title) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(task_id, label, now, rank, NO_DUE_DATE, title) for label in labels],
        )
        db.execute("COMMIT")
    except sqlite3.IntegrityError:
        db.execute("ROLLBACK")
        abort(404)
    row = db.execute(f"SELECT {COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchone()
    response = jsonify(task_json(row))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tasks/{id_text(task_id)}"
    response.headers["ETag"] = '"1"'
    return response
