//! `taskforge-baseline`: the bare server TaskForge is measured against (`docs/benchmarks.md`).
//!
//! A minimal actix-web + r2d2 SQLite server over the **same schema** (the database is created by
//! `taskforge migrate`, so the tables, indexes and triggers are TaskForge's own) with none of
//! TaskForge's work on top: no authentication, no validation beyond what parsing needs, no
//! access policy, no domain types, no events, no middleware. What it does is the floor any
//! implementation of the same API pays:
//!
//! - `GET /api/v1/tasks/{id}` — one task by id with its labels (one statement), as JSON.
//! - `GET /api/v1/tasks?project_id=&status=&limit=&cursor=` — 50 tasks of a project with a
//!   status, newest-priority first (`-priority`), keyset-paginated, through the index TaskForge
//!   uses for the same listing (`tasks_project_priority`), labels included.
//! - `POST /api/v1/tasks` `{project_id, title, priority?, labels?}` — one task (and its labels)
//!   inserted in **one transaction per request**, committed before the answer: the
//!   one-commit-per-request reference for group commit. Writes are serialised on one connection
//!   behind a mutex (SQLite has one writer), so they queue instead of spinning on `SQLITE_BUSY`.
//! - `GET /health`.
//!
//! Reads and writes run on actix's blocking pool, like TaskForge's. Usage:
//! `taskforge-baseline --database FILE --bind 127.0.0.1:PORT [--synchronous full|normal]`.
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

/// The task columns with the labels as one space-separated string (as TaskForge reads them).
/// A macro, not a `const`, so the statements below are `concat!`-ed literals: no SQL is built
/// at run time, and the baseline pays no per-request formatting that TaskForge does not.
macro_rules! columns {
    () => {
        "t.id, t.project_id, t.title, t.description, t.status, t.priority, \
         t.category_id, t.assignee_id, t.due_date, t.parent_id, t.is_public, t.created_by, \
         t.created_at, t.updated_at, t.version, \
         (SELECT group_concat(l.label, ' ') FROM task_labels l WHERE l.task_id = t.id)"
    };
}

/// Read by id.
const GET_TASK: &str = concat!("SELECT ", columns!(), " FROM tasks t WHERE t.id = ?1");
/// The first page of the listing.
const LIST_FIRST: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM tasks t INDEXED BY tasks_project_priority \
     WHERE t.project_id = ?1 AND t.status = ?2 \
     ORDER BY t.priority DESC, t.id DESC LIMIT ?3"
);
/// A page after a cursor.
const LIST_AFTER: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM tasks t INDEXED BY tasks_project_priority \
     WHERE t.project_id = ?1 AND t.status = ?2 AND (t.priority, t.id) < (?3, ?4) \
     ORDER BY t.priority DESC, t.id DESC LIMIT ?5"
);

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

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

#[derive(Debug, Serialize)]
struct TaskOut {
    id: String,
    project_id: String,
    title: String,
    description: String,
    status: String,
    priority: &'static str,
    category_id: Option<String>,
    assignee_id: Option<String>,
    due_date: Option<i64>,
    parent_id: Option<String>,
    is_public: bool,
    created_by: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
    labels: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PageOut {
    items: Vec<TaskOut>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListParams {
    project_id: String,
    status: String,
    limit: Option<usize>,
    cursor: Option<String>,
    #[allow(dead_code)] // accepted so the same URL serves both servers; always -priority
    sort: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    project_id: String,
    title: String,
    priority: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
}

fn uuid_text(bytes: &[u8]) -> String {
    uuid::Uuid::from_slice(bytes).map(|u| u.hyphenated().to_string()).unwrap_or_default()
}

fn opt_uuid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<String>> {
    Ok(row.get::<_, Option<Vec<u8>>>(idx)?.map(|b| uuid_text(&b)))
}

fn task_from_row(row: &Row<'_>) -> rusqlite::Result<TaskOut> {
    let priority: i64 = row.get(5)?;
    let labels: Option<String> = row.get(15)?;
    Ok(TaskOut {
        id: uuid_text(&row.get::<_, Vec<u8>>(0)?),
        project_id: uuid_text(&row.get::<_, Vec<u8>>(1)?),
        title: row.get(2)?,
        description: row.get(3)?,
        status: row.get(4)?,
        priority: usize::try_from(priority - 1)
            .ok()
            .and_then(|i| PRIORITIES.get(i))
            .copied()
            .unwrap_or("medium"),
        category_id: opt_uuid(row, 6)?,
        assignee_id: opt_uuid(row, 7)?,
        due_date: row.get(8)?,
        parent_id: opt_uuid(row, 9)?,
        is_public: row.get::<_, i64>(10)? == 1,
        created_by: uuid_text(&row.get::<_, Vec<u8>>(11)?),
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        version: row.get(14)?,
        labels: labels.map(|l| l.split(' ').map(str::to_owned).collect()).unwrap_or_default(),
    })
}

fn parse_id(text: &str) -> Option<Vec<u8>> {
    uuid::Uuid::parse_str(text).ok().map(|u| u.as_bytes().to_vec())
}

fn server_error(e: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::InternalServerError().body(e.to_string())
}

async fn get_task(state: web::Data<State>, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id) else { return HttpResponse::NotFound().finish() };
    let readers = state.readers.clone();
    let found = web::block(move || -> anyhow::Result<Option<TaskOut>> {
        let conn = readers.get()?;
        let mut stmt = conn.prepare_cached(GET_TASK)?;
        Ok(stmt.query_row(params![id], task_from_row).optional()?)
    })
    .await;
    match found {
        Ok(Ok(Some(task))) => HttpResponse::Ok().json(task),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        Ok(Err(e)) => server_error(e),
        Err(e) => server_error(e),
    }
}

async fn list_tasks(state: web::Data<State>, query: web::Query<ListParams>) -> HttpResponse {
    let query = query.into_inner();
    let Some(project) = parse_id(&query.project_id) else {
        return HttpResponse::BadRequest().finish();
    };
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let after = match query.cursor.as_deref().map(|c| c.split_once('.')) {
        None => None,
        Some(Some((priority, id))) => match (priority.parse::<i64>(), parse_id(id)) {
            (Ok(priority), Some(id)) => Some((priority, id)),
            _ => return HttpResponse::BadRequest().finish(),
        },
        Some(None) => return HttpResponse::BadRequest().finish(),
    };
    let readers = state.readers.clone();
    let page = web::block(move || -> anyhow::Result<PageOut> {
        let conn = readers.get()?;
        let fetch = i64::try_from(limit + 1)?;
        let mut rows: Vec<(i64, Vec<u8>, TaskOut)> = Vec::with_capacity(limit + 1);
        let map = |row: &Row<'_>| Ok((row.get(5)?, row.get(0)?, task_from_row(row)?));
        match after {
            None => {
                let mut stmt = conn.prepare_cached(LIST_FIRST)?;
                for row in stmt.query_map(params![project, query.status, fetch], map)? {
                    rows.push(row?);
                }
            }
            Some((priority, id)) => {
                let mut stmt = conn.prepare_cached(LIST_AFTER)?;
                for row in
                    stmt.query_map(params![project, query.status, priority, id, fetch], map)?
                {
                    rows.push(row?);
                }
            }
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|(priority, id, _)| format!("{priority}.{}", uuid_text(id)))
        } else {
            None
        };
        Ok(PageOut { items: rows.into_iter().map(|(_, _, task)| task).collect(), next_cursor })
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

async fn create_task(state: web::Data<State>, body: web::Json<CreateBody>) -> HttpResponse {
    let body = body.into_inner();
    let Some(project) = parse_id(&body.project_id) else {
        return HttpResponse::BadRequest().finish();
    };
    let priority = body
        .priority
        .as_deref()
        .and_then(|p| PRIORITIES.iter().position(|&known| known == p))
        .map_or(2, |i| i64::try_from(i).unwrap_or(1) + 1);
    let writer = Arc::clone(&state.writer);
    let created = web::block(move || -> anyhow::Result<TaskOut> {
        let conn = writer.lock().unwrap_or_else(PoisonError::into_inner);
        let id = uuid::Uuid::now_v7();
        let now = now_micros();
        let nobody = [0_u8; 16];
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let inserted = (|| -> rusqlite::Result<()> {
            conn.prepare_cached(
                "INSERT INTO tasks (id, project_id, title, description, status, priority, \
                 is_public, created_by, created_at, updated_at, version) \
                 VALUES (?1, ?2, ?3, '', 'todo', ?4, 0, ?5, ?6, ?6, 1)",
            )?
            .execute(params![
                id.as_bytes(),
                project,
                body.title,
                priority,
                nobody,
                now
            ])?;
            let mut label = conn.prepare_cached(
                "INSERT OR IGNORE INTO task_labels (task_id, label, created_at, priority, \
                 due_key, title) VALUES (?1, ?2, ?3, ?4, 2147483647, ?5)",
            )?;
            for l in &body.labels {
                label.execute(params![id.as_bytes(), l, now, priority, body.title])?;
            }
            Ok(())
        })();
        match inserted {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
        Ok(TaskOut {
            id: id.hyphenated().to_string(),
            project_id: uuid_text(&project),
            title: body.title,
            description: String::new(),
            status: String::from("todo"),
            priority: PRIORITIES[usize::try_from(priority - 1).unwrap_or(1).min(3)],
            category_id: None,
            assignee_id: None,
            due_date: None,
            parent_id: None,
            is_public: false,
            created_by: uuid_text(&nobody),
            created_at: now,
            updated_at: now,
            version: 1,
            labels: body.labels,
        })
    })
    .await;
    match created {
        Ok(Ok(task)) => HttpResponse::Created().json(task),
        Ok(Err(e)) => server_error(e),
        Err(e) => server_error(e),
    }
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

fn configure(conn: &Connection, synchronous: &str) -> rusqlite::Result<()> {
    // TaskForge's pragmas (crates/sqlite/src/connection.rs).
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    Ok(())
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
