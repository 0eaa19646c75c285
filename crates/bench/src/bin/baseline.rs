//! `taskforge-baseline`: the bare server TaskForge is measured against (`docs/benchmarks.md`).
//!
//! The simplest correct actix-web + rusqlite server for the benchmark's requests, written
//! without TaskForge: it shares no SQL and no code with the product (no `taskforge-*` crate,
//! no statement or column list copied), only the database file, which `taskforge migrate`
//! created and the benchmark seeded. It answers with the same JSON as TaskForge for the same
//! requests (the benchmark compares the bodies), and does nothing else: no authentication (the
//! `Authorization` header is ignored), no access policy, no events, no middleware.
//!
//! - `GET /api/v1/tasks/{id}`: one task with its labels, and its `ETag`.
//! - `GET /api/v1/tasks?project_id=P&status=S[&sort=-priority][&limit=N][&cursor=C]`: a page of
//!   a project's tasks with a status, highest priority first, keyset-paginated. Its statement
//!   is the plain `WHERE project_id = ? AND +status = ? ORDER BY priority DESC, id DESC LIMIT
//!   201`, and the loop stops after `N + 1` rows (SQLite produces rows as they are stepped, so
//!   the literal bound costs nothing): a bound parameter in `LIMIT` would make SQLite compile
//!   the statement again on every execution. The unary `+` is SQLite's way of keeping a term
//!   off the indexes: without statistics the planner cannot tell that a project is more
//!   selective than a status and would walk the status index across every project;
//!   `EXPLAIN QUERY PLAN` then shows the project's index (project, priority, id), which yields
//!   the order, driving.
//! - `POST /api/v1/tasks` `{project_id, title, priority?, labels?}`: one task in one
//!   transaction per request, committed before the answer (the one-commit-per-request
//!   reference for group commit); writes share one connection behind a mutex.
//!
//! Usage: `taskforge-baseline --database FILE --bind 127.0.0.1:PORT [--synchronous full|normal]`.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use clap::Parser;
use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

const SELECT_TASK: &str = "SELECT id, project_id, title, description, status, priority, \
     category_id, assignee_id, due_date, parent_id, is_public, created_by, created_at, \
     updated_at, version, \
     (SELECT group_concat(label, ',') FROM task_labels WHERE task_id = tasks.id) \
     FROM tasks WHERE id = ?1";

const PAGE: &str = "SELECT id, project_id, title, description, status, priority, \
     category_id, assignee_id, due_date, parent_id, is_public, created_by, created_at, \
     updated_at, version, \
     (SELECT group_concat(label, ',') FROM task_labels WHERE task_id = tasks.id) \
     FROM tasks WHERE project_id = ?1 AND +status = ?2 \
     ORDER BY priority DESC, id DESC LIMIT 201";

const PAGE_AFTER: &str = "SELECT id, project_id, title, description, status, priority, \
     category_id, assignee_id, due_date, parent_id, is_public, created_by, created_at, \
     updated_at, version, \
     (SELECT group_concat(label, ',') FROM task_labels WHERE task_id = tasks.id) \
     FROM tasks WHERE project_id = ?1 AND +status = ?2 AND (priority, id) < (?3, ?4) \
     ORDER BY priority DESC, id DESC LIMIT 201";

/// Priorities by their stored rank (1–4).
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];
/// The largest page.
const MAX_LIMIT: usize = 200;

#[derive(Debug, Parser)]
#[command(name = "taskforge-baseline", about = "The bare baseline server of the benchmark")]
struct Args {
    /// The SQLite file, already migrated by `taskforge migrate`.
    #[arg(long)]
    database: String,
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:8090")]
    bind: String,
    /// `full` or `normal`.
    #[arg(long, default_value = "full")]
    synchronous: String,
    /// Reader connections.
    #[arg(long, default_value_t = 8)]
    readers: u32,
}

struct State {
    readers: Pool<SqliteConnectionManager>,
    writer: Arc<Mutex<Connection>>,
}

/// A task as TaskForge's API writes it.
#[derive(Debug, Serialize)]
struct Task {
    id: String,
    project_id: String,
    title: String,
    description: String,
    status: String,
    priority: &'static str,
    category_id: Option<String>,
    assignee_id: Option<String>,
    labels: Vec<String>,
    due_date: Option<String>,
    parent_id: Option<String>,
    is_public: bool,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
}

#[derive(Debug, Serialize)]
struct Page {
    items: Vec<Task>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    project_id: String,
    status: String,
    sort: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NewTask {
    project_id: String,
    title: String,
    priority: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

fn id_text(bytes: &[u8]) -> String {
    Uuid::from_slice(bytes).map(|u| u.hyphenated().to_string()).unwrap_or_default()
}

fn rfc3339(micros: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn date(days: i64) -> Option<String> {
    const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
    let day =
        time::Date::from_julian_day(i32::try_from(days + UNIX_EPOCH_JULIAN_DAY).ok()?).ok()?;
    Some(format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day()))
}

fn priority_name(rank: i64) -> &'static str {
    usize::try_from(rank - 1).ok().and_then(|i| PRIORITIES.get(i)).copied().unwrap_or("medium")
}

fn task(row: &Row<'_>) -> rusqlite::Result<Task> {
    let optional_id = |i: usize| -> rusqlite::Result<Option<String>> {
        Ok(row.get_ref(i)?.as_blob_or_null()?.map(id_text))
    };
    let labels: Option<String> = row.get(15)?;
    let mut labels: Vec<String> =
        labels.map(|l| l.split(',').map(str::to_owned).collect()).unwrap_or_default();
    labels.sort_unstable();
    Ok(Task {
        id: id_text(row.get_ref(0)?.as_blob()?),
        project_id: id_text(row.get_ref(1)?.as_blob()?),
        title: row.get(2)?,
        description: row.get(3)?,
        status: row.get(4)?,
        priority: priority_name(row.get(5)?),
        category_id: optional_id(6)?,
        assignee_id: optional_id(7)?,
        labels,
        due_date: row.get::<_, Option<i64>>(8)?.and_then(date),
        parent_id: optional_id(9)?,
        is_public: row.get(10)?,
        created_by: id_text(row.get_ref(11)?.as_blob()?),
        created_at: rfc3339(row.get(12)?),
        updated_at: rfc3339(row.get(13)?),
        version: row.get(14)?,
    })
}

fn server_error(e: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::InternalServerError().body(e.to_string())
}

async fn get_task(state: web::Data<State>, id: web::Path<String>) -> HttpResponse {
    let Ok(id) = Uuid::parse_str(&id) else { return HttpResponse::NotFound().finish() };
    let readers = state.readers.clone();
    let found = web::block(move || -> anyhow::Result<Option<Task>> {
        let conn = readers.get()?;
        let mut stmt = conn.prepare_cached(SELECT_TASK)?;
        Ok(stmt.query_row([id.as_bytes()], task).optional()?)
    })
    .await;
    match found {
        Ok(Ok(Some(task))) => {
            HttpResponse::Ok().insert_header(("ETag", format!("\"{}\"", task.version))).json(task)
        }
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        Ok(Err(e)) => server_error(e),
        Err(e) => server_error(e),
    }
}

/// The baseline's own cursor: `priority.id` of the last item.
fn parse_cursor(cursor: &str) -> Option<(i64, Uuid)> {
    let (priority, id) = cursor.split_once('.')?;
    Some((priority.parse().ok()?, Uuid::parse_str(id).ok()?))
}

async fn list_tasks(state: web::Data<State>, query: web::Query<PageQuery>) -> HttpResponse {
    let query = query.into_inner();
    let Ok(project) = Uuid::parse_str(&query.project_id) else {
        return HttpResponse::BadRequest().finish();
    };
    let limit = query.limit.unwrap_or(50);
    let sorted_by_priority = query.sort.as_deref().is_none_or(|s| s == "-priority");
    if !(1..=MAX_LIMIT).contains(&limit) || !sorted_by_priority {
        return HttpResponse::BadRequest().finish();
    }
    let after = match query.cursor.as_deref().map(parse_cursor) {
        None => None,
        Some(Some(after)) => Some(after),
        Some(None) => return HttpResponse::BadRequest().finish(),
    };
    let readers = state.readers.clone();
    let page = web::block(move || -> anyhow::Result<Page> {
        let conn = readers.get()?;
        let project = project.as_bytes();
        let mut rows = Vec::with_capacity(limit + 1);
        let mut collect = |mut found: rusqlite::Rows<'_>| -> rusqlite::Result<()> {
            while rows.len() <= limit {
                let Some(row) = found.next()? else { break };
                rows.push((row.get::<_, i64>(5)?, task(row)?));
            }
            Ok(())
        };
        match after {
            None => {
                let mut stmt = conn.prepare_cached(PAGE)?;
                collect(stmt.query(params![project, query.status])?)?;
            }
            Some((priority, id)) => {
                let mut stmt = conn.prepare_cached(PAGE_AFTER)?;
                collect(stmt.query(params![project, query.status, priority, id.as_bytes()])?)?;
            }
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor =
            if more { rows.last().map(|(rank, t)| format!("{rank}.{}", t.id)) } else { None };
        Ok(Page { items: rows.into_iter().map(|(_, t)| t).collect(), next_cursor })
    })
    .await;
    match page {
        Ok(Ok(page)) => HttpResponse::Ok().json(page),
        Ok(Err(e)) => server_error(e),
        Err(e) => server_error(e),
    }
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_micros()).ok())
        .unwrap_or(0)
}

/// Inserts `new` (and its labels) in one committed transaction; `None` when the project does
/// not exist. The creator is the project's owner (the baseline knows no users).
fn insert(
    conn: &mut Connection,
    project: Uuid,
    new: NewTask,
    rank: i64,
) -> rusqlite::Result<Option<Task>> {
    let id = Uuid::now_v7();
    let now = now_micros();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let owner: Option<Vec<u8>> = tx
        .prepare_cached("SELECT owner_id FROM projects WHERE id = ?1")?
        .query_row([project.as_bytes()], |r| r.get(0))
        .optional()?;
    let Some(owner) = owner else { return Ok(None) };
    tx.prepare_cached(
        "INSERT INTO tasks (id, project_id, title, description, status, priority, is_public, \
         created_by, created_at, updated_at, version) \
         VALUES (?1, ?2, ?3, '', 'todo', ?4, 0, ?5, ?6, ?6, 1)",
    )?
    .execute(params![id.as_bytes(), project.as_bytes(), new.title, rank, owner, now])?;
    let mut labels: Vec<String> = new.labels.iter().map(|l| l.to_lowercase()).collect();
    labels.sort_unstable();
    labels.dedup();
    {
        // The label rows carry copies of the task's sort keys (the schema's design).
        let mut insert_label = tx.prepare_cached(
            "INSERT INTO task_labels (task_id, label, created_at, priority, due_key, title) \
             VALUES (?1, ?2, ?3, ?4, 2147483647, ?5)",
        )?;
        for label in &labels {
            insert_label.execute(params![id.as_bytes(), label, now, rank, new.title])?;
        }
    }
    tx.commit()?;
    Ok(Some(Task {
        id: id.hyphenated().to_string(),
        project_id: project.hyphenated().to_string(),
        title: new.title,
        description: String::new(),
        status: String::from("todo"),
        priority: priority_name(rank),
        category_id: None,
        assignee_id: None,
        labels,
        due_date: None,
        parent_id: None,
        is_public: false,
        created_by: id_text(&owner),
        created_at: rfc3339(now),
        updated_at: rfc3339(now),
        version: 1,
    }))
}

async fn create_task(state: web::Data<State>, body: web::Json<NewTask>) -> HttpResponse {
    let new = body.into_inner();
    let Ok(project) = Uuid::parse_str(&new.project_id) else {
        return HttpResponse::UnprocessableEntity().finish();
    };
    let rank = match new.priority.as_deref() {
        None => 2,
        Some(name) => match PRIORITIES.iter().position(|&p| p == name) {
            Some(i) => i64::try_from(i).unwrap_or(1) + 1,
            None => return HttpResponse::UnprocessableEntity().finish(),
        },
    };
    let writer = Arc::clone(&state.writer);
    let created = web::block(move || {
        let mut conn = writer.lock().unwrap_or_else(PoisonError::into_inner);
        insert(&mut conn, project, new, rank)
    })
    .await;
    match created {
        Ok(Ok(Some(task))) => HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/tasks/{}", task.id)))
            .insert_header(("ETag", "\"1\""))
            .json(task),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        Ok(Err(e)) => server_error(e),
        Err(e) => server_error(e),
    }
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

fn configure(conn: &Connection, synchronous: &str) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", synchronous)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let synchronous = match args.synchronous.as_str() {
        "full" => "FULL",
        "normal" => "NORMAL",
        other => anyhow::bail!("--synchronous must be full or normal, not {other:?}"),
    };
    let writer = Connection::open(&args.database).context("opening the database")?;
    configure(&writer, synchronous)?;
    let manager = SqliteConnectionManager::file(&args.database)
        .with_init(move |conn| configure(conn, synchronous));
    let readers = Pool::builder().max_size(args.readers.max(1)).build(manager)?;
    let state = web::Data::new(State { readers, writer: Arc::new(Mutex::new(writer)) });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/health", web::get().to(health))
                .route("/api/v1/tasks", web::get().to(list_tasks))
                .route("/api/v1/tasks", web::post().to(create_task))
                .route("/api/v1/tasks/{id}", web::get().to(get_task))
        })
        .bind(&args.bind)
        .with_context(|| format!("binding {}", args.bind))?
        .run()
        .await
        .context("serving")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_written_as_the_api_writes_them() {
        assert_eq!(date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date(20_454).as_deref(), Some("2026-01-01"));
        assert_eq!(rfc3339(1_767_225_600_000_000), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600_123_450), "2026-01-01T00:00:00.12345Z");
    }

    #[test]
    fn a_cursor_is_a_priority_and_an_id() {
        let id = Uuid::now_v7();
        assert_eq!(parse_cursor(&format!("3.{id}")), Some((3, id)));
        assert_eq!(parse_cursor("3"), None);
        assert_eq!(parse_cursor("x.y"), None);
    }
}
