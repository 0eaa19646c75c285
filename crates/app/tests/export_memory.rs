//! Exporting 100,000 tasks keeps the process's memory flat, and the
//! first bytes arrive before the last row is read.
//!
//! 100,000 tasks (with categories, assignees and labels, so every page resolves names) are
//! seeded into an SQLite file in one transaction; the app is wired exactly as `taskforge
//! serve` wires it (`wiring::wire`) and served in-process; a CSV export is consumed chunk by
//! chunk while the process's resident memory (`VmRSS`) is sampled after every chunk, and the
//! peak (`VmHWM`, reset just before the export) is read at the end. The growth over the
//! resident size just before the export is printed and must stay under 20 MB (`docs/benchmarks.md`,
//! "Targets": "exporting adds < 20 MB"). This test is alone in its binary, so no other test's
//! allocations share the process. It takes ~20-40 s in a debug build.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use async_trait::async_trait;
use clap::Parser;
use taskforge_app::cli::{Cli, Command};
use taskforge_app::settings::{CommonSettings, ServeSettings};
use taskforge_app::wiring::wire;
use taskforge_domain::Task;
use taskforge_domain::ports::{Claims, RepositoryError, TaskRepository};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::services::{EXPORT_PAGE_SIZE, ExportService};
use taskforge_domain::values::{Labels, Priority, Role, Status};
use taskforge_http::{AppState, HttpSettings, build_app};
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};
use taskforge_testkit::{Delegating, TaskHooks, fixtures};

const TASKS: usize = 100_000;
const LIMIT_BYTES: u64 = 20 * 1024 * 1024;

/// A line of `/proc/self/status`, in bytes (`VmRSS:   1234 kB`).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Resets `VmHWM` to the current resident size (Linux ≥ 4.0); false when not permitted.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Counts the pages `list` serves; every other call passes through unchanged.
#[derive(Debug)]
struct CountingPages(Arc<AtomicUsize>);

#[async_trait]
impl TaskHooks for CountingPages {
    async fn list(
        &self,
        inner: &dyn TaskRepository,
        query: &TaskQuery,
    ) -> Result<Vec<Task>, RepositoryError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        inner.list(query).await
    }
}

/// Seeds the file at `path`: an admin, 10 users, 5 projects, 8 categories and [`TASKS`] tasks
/// (one transaction, the adapter's own insert code), generated one at a time so the test
/// itself holds none of them. Returns the admin's id.
async fn seed(path: &std::path::Path) -> taskforge_domain::UserId {
    let config = SqliteConfig::new(path).synchronous(Synchronous::Normal);
    let db = SqliteDatabase::open(config).await.unwrap();
    let repos = db.repositories();
    let admin = fixtures::stored_user(&repos, fixtures::user_with_role("admin", Role::Admin)).await;
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(fixtures::stored_user(&repos, fixtures::user(&format!("user{i}"))).await);
    }
    let mut projects = Vec::new();
    for i in 0..5 {
        let project = fixtures::project(&users[i], &format!("Project {i}"));
        let project = fixtures::stored_project(&repos, project).await;
        for member in &users {
            repos.projects.add_member(project.id, member.id, fixtures::base_time()).await.ok();
        }
        projects.push(project);
    }
    let mut categories = Vec::new();
    for i in 0..8 {
        let category = fixtures::category(&format!("Category {i}"));
        categories.push(fixtures::stored_category(&repos, category).await);
    }
    drop(repos);
    drop(db);

    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..TASKS {
        let project = &projects[i % projects.len()];
        let task = Task {
            status: Status::ALL[i % 3],
            priority: Priority::ALL[i % 4],
            category_id: (i % 9 != 0).then(|| categories[i % categories.len()].id),
            assignee_id: (i % 2 == 0).then(|| users[i % users.len()].id),
            labels: Labels::parse(&["export", ["a", "b", "c"][i % 3]]).unwrap(),
            description: taskforge_domain::values::Description::parse(
                "A description of a realistic length, with a comma, a \"quote\" and a line\nbreak.",
            )
            .unwrap(),
            created_at: fixtures::at(i64::try_from(i).unwrap()),
            ..fixtures::task(project, &users[0], &format!("Task number {i} of the export"))
        };
        taskforge_sqlite::internals::insert_task(&tx, &task).unwrap();
    }
    tx.commit().unwrap();
    admin.id
}

#[actix_web::test]
async fn exporting_100k_tasks_keeps_memory_flat_and_streams_from_the_first_page() {
    // Arrange: the seeded file, wired as `taskforge serve` wires it.
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.db");
    let admin = seed(&path).await;
    let seeded_in = started.elapsed();
    let cli = Cli::parse_from([
        "taskforge",
        "--database",
        path.to_str().unwrap(),
        "--pbkdf2-iterations",
        "1000",
        "serve",
        "--jwt-secret",
        "0123456789abcdef0123456789abcdef",
    ]);
    let common = CommonSettings::from_cli(&cli).unwrap();
    let Command::Serve(args) = &cli.command else { unreachable!() };
    let serve = ServeSettings::from_args(args).unwrap();
    let mut wired = wire(&common, &serve).await.unwrap();
    let repos = wired.store.repositories();
    let pages = Arc::new(AtomicUsize::new(0));
    let counting = Arc::new(Delegating::new(repos.tasks.clone(), CountingPages(pages.clone())));
    wired.services.exports = ExportService::new(counting, repos.categories, repos.users);
    let now = wired.clock.now();
    let token = wired
        .tokens
        .issue(&Claims {
            subject: admin,
            role: Role::Admin,
            issued_at: now,
            expires_at: now.plus_micros(3_600_000_000),
            token_id: uuid::Uuid::now_v7(),
        })
        .unwrap();
    let state = AppState::new(wired.services.clone(), wired.tokens.clone(), wired.clock.clone());
    let service = test::init_service(build_app(state, HttpSettings::default())).await;
    let request = |query: &str| {
        TestRequest::get()
            .uri(&format!("/api/v1/tasks/export?{query}"))
            .insert_header(("Authorization", format!("Bearer {}", token.expose_secret())))
            .to_request()
    };
    // Warm up every code path once (a small export), so the baseline includes them.
    let warm = test::call_service(&service, request("format=csv&label=a&q=number%201")).await;
    assert_eq!(warm.status(), 200);
    drop(test::read_body(warm).await);
    pages.store(0, Ordering::SeqCst);
    let baseline = status_bytes("VmRSS:");
    // The peak so far (seeding, wiring): memory freed before the export but still resident
    // could absorb an export's growth unseen; printing it bounds that slack.
    let peak_before = status_bytes("VmHWM:");
    let peak_was_reset = reset_peak();

    // Act: the full export, consumed chunk by chunk.
    let export_started = std::time::Instant::now();
    let response = test::call_service(&service, request("format=csv")).await;
    assert_eq!(response.status(), 200);
    let mut body = std::pin::pin!(response.into_body());
    let mut first_chunk_pages = None;
    let (mut chunks, mut bytes, mut lines, mut max_rss) = (0_usize, 0_u64, 0_usize, baseline);
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let Ok(chunk) = chunk else { panic!("chunk {chunks} failed") };
        first_chunk_pages.get_or_insert(pages.load(Ordering::SeqCst));
        chunks += 1;
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        max_rss = max_rss.max(status_bytes("VmRSS:"));
    }
    let exported_in = export_started.elapsed();
    let peak = if peak_was_reset { status_bytes("VmHWM:").max(max_rss) } else { max_rss };
    let growth = peak.saturating_sub(baseline);

    // Report.
    let total_pages = pages.load(Ordering::SeqCst);
    let first_chunk_pages = first_chunk_pages.unwrap();
    println!(
        "export of {TASKS} tasks: {:.1} MB of CSV in {chunks} chunks, {total_pages} pages of \
         {EXPORT_PAGE_SIZE}; first chunk after {first_chunk_pages} page(s); resident memory \
         {:.1} MB before (peak before {:.1} MB), peak during {:.1} MB ({}), growth {:.2} MB \
         (limit {:.0} MB); seeded in {:.1} s, exported in {:.1} s",
        mb(bytes),
        mb(baseline),
        mb(peak_before),
        mb(peak),
        if peak_was_reset { "VmHWM, reset before the export" } else { "sampled VmRSS" },
        mb(growth),
        mb(LIMIT_BYTES),
        seeded_in.as_secs_f64(),
        exported_in.as_secs_f64(),
    );

    // Assert
    assert_eq!(lines, TASKS + 1 + TASKS, "the header, and two lines per task (one line break)");
    assert_eq!(first_chunk_pages, 1, "the first bytes left after the first page");
    assert!(total_pages > 100, "the export read {total_pages} pages");
    assert!(growth < LIMIT_BYTES, "exporting grew memory by {:.1} MB", mb(growth));
}
