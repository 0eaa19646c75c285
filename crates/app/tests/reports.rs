//! The report figures equal those computed independently from the
//! listing — on generated data with every status, every priority, every category and none,
//! and every due-date case around today (none, before, yesterday, today, after) — for every
//! kind of caller, with and without a project filter, on the memory store and on SQLite.
//!
//! The reference walks `TaskService::list` page by page (the same visibility as the API) and
//! counts and ranks in this file with its own code; the reports come from `ReportService`
//! over each store's `ReportRepository` (aggregate queries on SQLite).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use taskforge_domain::events::NoEvents;
use taskforge_domain::policy::Actor;
use taskforge_domain::ports::Repositories;
use taskforge_domain::query::{Cursor, ListTasks, TaskFilter};
use taskforge_domain::services::{ReportError, ReportService, TaskService};
use taskforge_domain::values::{DueDate, PageLimit, PerCategory, Priority, Role, Status};
use taskforge_domain::{Category, CategoryId, Clock, Project, Task, TaskId, Timestamp};
use taskforge_memory::MemoryDatabase;
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};
use taskforge_testkit::FixedClock;
use taskforge_testkit::fixtures;

/// 2026-03-10T12:00:00Z: "today" is 2026-03-10.
const NOW_MICROS: i64 = 1_773_144_000_000_000;

struct World {
    actors: Vec<(&'static str, Actor)>,
    projects: Vec<Project>,
    categories: Vec<Category>,
}

async fn generate(repos: &Repositories) -> World {
    let today = Timestamp::from_unix_micros(NOW_MICROS).unwrap().date();
    let day = |offset: i32| DueDate::from_days_since_epoch(today.days_since_epoch() + offset);
    let mut actors = Vec::new();
    let mut users = BTreeMap::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("alice", Role::Editor),
        ("bob", Role::Editor),
        ("carol", Role::Viewer),
        ("dave", Role::Viewer),
    ] {
        let user = fixtures::stored_user(repos, fixtures::user_with_role(name, role)).await;
        actors.push((name, Actor::new(user.id, role)));
        users.insert(name, user);
    }
    let mut projects = Vec::new();
    for (owner, name) in [("alice", "One"), ("bob", "Two"), ("alice", "Three")] {
        projects
            .push(fixtures::stored_project(repos, fixtures::project(&users[owner], name)).await);
    }
    let at = fixtures::base_time();
    repos.projects.add_member(projects[0].id, users["carol"].id, at).await.unwrap();
    repos.projects.add_member(projects[1].id, users["alice"].id, at).await.unwrap();
    let mut categories = Vec::new();
    for name in ["Feature", "bug", "Chore"] {
        categories.push(fixtures::stored_category(repos, fixtures::category(name)).await);
    }
    let category_cases: Vec<Option<CategoryId>> =
        categories.iter().map(|c| Some(c.id)).chain([None]).collect();
    let due_cases = [None, day(-30), day(-1), day(0), day(1)];
    let mut i = 0_i64;
    for status in Status::ALL {
        for priority in Priority::ALL {
            for category in &category_cases {
                for due in due_cases {
                    let project = &projects[usize::try_from(i).unwrap() % 3];
                    let creator = if project.owner_id == users["bob"].id { "bob" } else { "alice" };
                    let task = Task {
                        status,
                        priority,
                        category_id: *category,
                        due_date: due,
                        is_public: i % 7 == 0,
                        created_at: fixtures::at(i),
                        ..fixtures::task(project, &users[creator], &format!("Task {i}"))
                    };
                    fixtures::stored_task(repos, task).await;
                    i += 1;
                }
            }
        }
    }
    World { actors, projects, categories }
}

/// Every task the listing shows `actor` with `filter`, page after page.
async fn listed(tasks: &TaskService, actor: &Actor, filter: &TaskFilter) -> Vec<Task> {
    let mut all = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let request = ListTasks {
            filter: filter.clone(),
            after: after.clone(),
            limit: PageLimit::new(200).unwrap(),
            ..ListTasks::default()
        };
        let page = tasks.list(actor, request).await.unwrap();
        all.extend(page.items);
        match page.next_cursor {
            Some(cursor) => after = Some(cursor),
            None => return all,
        }
    }
}

async fn check_store(store: &str, repos: Repositories) {
    let world = generate(&repos).await;
    let clock: Arc<dyn Clock> =
        Arc::new(FixedClock::new(Timestamp::from_unix_micros(NOW_MICROS).unwrap()));
    let tasks = TaskService::new(
        repos.tasks.clone(),
        repos.projects.clone(),
        repos.categories.clone(),
        clock.clone(),
        Arc::new(NoEvents),
    );
    let reports = ReportService::new(
        repos.reports.clone(),
        repos.projects.clone(),
        repos.categories.clone(),
        clock.clone(),
    );
    let today = clock.now().date();
    let name_of = |id: Option<CategoryId>| {
        world.categories.iter().find(|c| Some(c.id) == id).map(|c| c.name.to_string())
    };
    let mut checked = 0;
    for (who, actor) in &world.actors {
        let projects = [None].into_iter().chain(world.projects.iter().map(|p| Some(p.id)));
        for project in projects {
            let context = format!("{store}, {who}, project {project:?}");
            let filter = TaskFilter { project_id: project, ..TaskFilter::default() };
            let reference = listed(&tasks, actor, &filter).await;
            let report = match reports.summary(actor, project).await {
                Ok(report) => report,
                Err(ReportError::ProjectNotFound) => {
                    // Public tasks do not make their project visible: only its members and
                    // admins may ask about a project, for either report.
                    let p = project.unwrap();
                    let member = repos.projects.is_member(p, actor.user_id).await.unwrap();
                    assert!(!member, "{context}: a member was refused their project");
                    assert_ne!(actor.role, Role::Admin, "{context}: admins see every project");
                    let top = reports.top_open(actor, project, PerCategory::default()).await;
                    assert!(
                        matches!(top, Err(ReportError::ProjectNotFound)),
                        "{context}: the top report refuses the project too: {top:?}"
                    );
                    continue;
                }
                Err(e) => panic!("{context}: {e}"),
            };
            let s = &report.summary;

            assert_eq!(report.today, today, "{context}");
            assert_eq!(s.total(), reference.len() as u64, "{context}: total");
            for status in Status::ALL {
                let n = reference.iter().filter(|t| t.status == status).count() as u64;
                assert_eq!(s.with_status(status), n, "{context}: status {status}");
            }
            for priority in Priority::ALL {
                let n = reference.iter().filter(|t| t.priority == priority).count() as u64;
                assert_eq!(s.with_priority(priority), n, "{context}: priority {priority}");
            }
            let mut by_category: BTreeMap<Option<CategoryId>, (u64, u64)> = BTreeMap::new();
            for t in &reference {
                let entry = by_category.entry(t.category_id).or_default();
                entry.0 += 1;
                entry.1 += u64::from(t.status == Status::Done);
            }
            let reported: BTreeMap<Option<CategoryId>, (u64, u64)> =
                s.by_category().iter().map(|c| (c.category_id, (c.total, c.done))).collect();
            assert_eq!(reported, by_category, "{context}: by category (total, done)");
            for c in s.by_category() {
                assert_eq!(c.name.as_ref().map(ToString::to_string), name_of(c.category_id));
            }
            let overdue = reference
                .iter()
                .filter(|t| t.status != Status::Done && t.due_date.is_some_and(|d| d < today))
                .count() as u64;
            assert_eq!(s.overdue(), overdue, "{context}: overdue");
            if project.is_none() && reference.len() > 20 {
                assert!(overdue > 0 && s.with_status(Status::Done) > 0, "{context}: cases");
                assert_eq!(by_category.len(), 4, "{context}: every category and none");
            }
            checked += 1;

            for n in [1, 3, 50] {
                let top =
                    reports.top_open(actor, project, PerCategory::new(n).unwrap()).await.unwrap();
                let mut expected: BTreeMap<Option<CategoryId>, Vec<&Task>> = BTreeMap::new();
                for t in reference.iter().filter(|t| t.status != Status::Done) {
                    expected.entry(t.category_id).or_default().push(t);
                }
                for ranked in expected.values_mut() {
                    ranked.sort_by_key(|t| {
                        (Reverse(t.priority), t.due_date.is_none(), t.due_date, t.id)
                    });
                    ranked.truncate(usize::try_from(n).unwrap());
                }
                let got: BTreeMap<Option<CategoryId>, Vec<TaskId>> = top
                    .iter()
                    .map(|g| (g.category_id, g.tasks.iter().map(|t| t.id).collect()))
                    .collect();
                let want: BTreeMap<Option<CategoryId>, Vec<TaskId>> = expected
                    .iter()
                    .map(|(c, ts)| (*c, ts.iter().map(|t| t.id).collect()))
                    .collect();
                assert_eq!(got, want, "{context}: top {n} per category");
                let names: Vec<Option<String>> =
                    top.iter().map(|g| g.name.as_ref().map(ToString::to_string)).collect();
                let mut order: Vec<Option<String>> = want.keys().map(|c| name_of(*c)).collect();
                order.sort_by_key(|n| (n.is_none(), n.as_ref().map(|n| n.to_lowercase())));
                assert_eq!(names, order, "{context}: categories by name, none last");
            }
        }
    }
    assert!(checked >= 12, "{store}: only {checked} summaries checked");
    println!("{store}: {checked} summaries and their top-N rankings match the listing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_figures_equal_the_listings_on_the_memory_store() {
    check_store("memory", MemoryDatabase::new().repositories()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_figures_equal_the_listings_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let config = SqliteConfig::new(dir.path().join("reports.db")).synchronous(Synchronous::Normal);
    let db = SqliteDatabase::open(config).await.unwrap();
    check_store("sqlite", db.repositories()).await;
}
