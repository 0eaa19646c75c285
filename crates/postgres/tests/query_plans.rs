//! Every listing variant reads through an index on 100,000 tasks: `EXPLAIN (FORMAT JSON)` of
//! each (every driving filter, both visibilities, every sort, first and next page) must hold
//! no sequential scan of `tasks` and no sort of more rows than the page. The statements are
//! the adapter's own, bound with the adapter's own parameters, on a connection with the
//! adapter's session settings (plans made for the bound values).
//!
//! Two shapes are exempt from the sort rule, as in the SQLite dialect (`crates/sqlite/tests/
//! query_plans.rs`), and must still not scan the table: a text search (`q`) — the trigram
//! index finds the matching rows, and those (only those) are sorted, since an inverted index
//! cannot yield rows in another column's order; and a due-date range sorted by another field,
//! where the planner may read the range through the due-date index and order it (no index can
//! serve a range on one column in the order of another).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use serde_json::Value;
use taskforge_domain::query::{Cursor, TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::values::{DueDate, Label, Priority, SearchText, Status, StatusSet};
use taskforge_domain::{CategoryId, ProjectId, Task, TaskId, UserId};
use taskforge_postgres::internals::{
    ListParams, SUMMARY_STATEMENT, TOP_STATEMENT, list_statement, session_options,
};
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

const TASKS: i64 = 100_000;
const PAGE: usize = 50;

/// 100,000 tasks in 100 projects of 40 users, a fifth of them labelled, a tenth public, every
/// tenth a subtask; then ANALYZE, as autovacuum would — but reading every row (a statistics
/// target of 1,000 samples 300,000 rows, more than the table holds), so the estimates, and with
/// them the plans, are the same on every run instead of varying with ANALYZE's random sample.
const SEED: &str = "
INSERT INTO users (id, username, password_hash, role, created_at)
SELECT md5('user' || i)::uuid, 'user' || i, 'x', 'editor', 0 FROM generate_series(1, 40) i;
INSERT INTO projects (id, name, description, owner_id, created_at)
SELECT md5('project' || i)::uuid, 'project ' || i, '', md5('user' || (1 + i % 40))::uuid, 0
FROM generate_series(0, 99) i;
INSERT INTO project_members (project_id, user_id, added_at)
SELECT DISTINCT md5('project' || ((u * 7 + k) % 100))::uuid, md5('user' || u)::uuid, 0
FROM generate_series(1, 40) u, generate_series(0, 2) k;
INSERT INTO categories (id, name, name_key, created_at)
SELECT md5('category' || i)::uuid, 'category ' || i, 'category ' || i, 0
FROM generate_series(0, 19) i;
INSERT INTO tasks (id, project_id, title, description, status, priority, category_id,
                   assignee_id, due_date, parent_id, is_public, created_by, created_at,
                   updated_at, version)
SELECT md5('task' || i)::uuid, md5('project' || (i % 100))::uuid,
       'task ' || md5(i::text), '', (ARRAY['todo', 'in_progress', 'done'])[1 + i % 3],
       1 + i % 4, CASE WHEN i % 2 = 0 THEN md5('category' || (i % 20))::uuid END,
       NULL, CASE WHEN i % 3 <> 0 THEN 20000 + i % 1000 END,
       CASE WHEN i % 10 = 5 AND i > 100 THEN md5('task' || (i - 100))::uuid END,
       i % 10 = 0, md5('user1')::uuid, i * 1000, i * 1000, 1
FROM generate_series(1, 100000) i;
UPDATE tasks t SET assignee_id = m.user_id
FROM (SELECT DISTINCT ON (project_id) project_id, user_id FROM project_members
      ORDER BY project_id, user_id) m
WHERE m.project_id = t.project_id AND t.created_at % 7000 = 0;
INSERT INTO task_labels (task_id, label, created_at, priority, due_key, title)
SELECT id, 'l' || (created_at / 1000 % 20), created_at, priority, due_key, title
FROM tasks WHERE created_at / 1000 % 5 = 0;
SET default_statistics_target = 1000;
ANALYZE;
";

async fn connect(url: &str) -> Client {
    let mut config = tokio_postgres::Config::from_str(url).unwrap();
    config.options(session_options());
    let (client, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

async fn one_id(client: &Client, sql: &str) -> Uuid {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// What is wrong with `plan` (empty: nothing); `limit` is the most rows a sort may hold
/// (`None`: any number, for a text search).
fn faults(plan: &Value, limit: Option<usize>, found: &mut Vec<String>) {
    let node = plan["Node Type"].as_str().unwrap_or_default();
    if node == "Seq Scan" && plan["Relation Name"] == "tasks" {
        found.push("a sequential scan of tasks".to_owned());
    }
    if let (true, Some(limit)) = (node.ends_with("Sort"), limit) {
        let rows = plan["Plan Rows"].as_f64().unwrap_or(f64::MAX);
        #[allow(clippy::cast_precision_loss)]
        if rows > limit as f64 {
            found.push(format!("a {node} of {rows} rows"));
        }
    }
    for child in plan["Plans"].as_array().into_iter().flatten() {
        faults(child, limit, found);
    }
}

/// A stand-in last item of a previous page, for the next-page variants.
fn cursor_task(project: ProjectId) -> Task {
    use taskforge_testkit::fixtures::{at, task, user};
    let owner = user("someone");
    let project = taskforge_domain::Project {
        id: project,
        ..taskforge_testkit::fixtures::project(&owner, "p")
    };
    Task {
        id: TaskId::from_uuid(Uuid::from_u128(u128::MAX / 2)),
        created_at: at(50_000),
        due_date: DueDate::from_days_since_epoch(20_500),
        ..task(&project, &owner, "task 8")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listing_variant_reads_through_an_index_on_100_000_tasks() {
    // Arrange
    let Some(db) = ThrowawayDatabase::create().await else { return };
    PostgresDatabase::migrate(&PostgresConfig::new(db.url())).await.unwrap();
    let client = connect(db.url()).await;
    client.batch_execute(SEED).await.unwrap();
    let count: i64 = client.query_one("SELECT count(*) FROM tasks", &[]).await.unwrap().get(0);
    assert_eq!(count, TASKS);
    let project = ProjectId::from_uuid(one_id(&client, "SELECT md5('project7')::uuid").await);
    let parent = TaskId::from_uuid(one_id(&client, "SELECT md5('task205')::uuid").await);
    let category = CategoryId::from_uuid(one_id(&client, "SELECT md5('category4')::uuid").await);
    let assignee = UserId::from_uuid(
        one_id(&client, "SELECT assignee_id FROM tasks WHERE assignee_id IS NOT NULL LIMIT 1")
            .await,
    );
    let member = UserId::from_uuid(one_id(&client, "SELECT md5('user3')::uuid").await);
    let filters: Vec<(&str, TaskFilter)> = vec![
        ("none", TaskFilter::default()),
        ("project", TaskFilter { project_id: Some(project), ..TaskFilter::default() }),
        ("parent", TaskFilter { parent_id: Some(parent), ..TaskFilter::default() }),
        ("assignee", TaskFilter { assignee_id: Some(assignee), ..TaskFilter::default() }),
        ("category", TaskFilter { category_id: Some(category), ..TaskFilter::default() }),
        ("label", TaskFilter { label: Label::parse("l7").ok(), ..TaskFilter::default() }),
        ("status", TaskFilter { status: Some(Status::InProgress.into()), ..TaskFilter::default() }),
        ("priority", TaskFilter { priority: Some(Priority::Urgent), ..TaskFilter::default() }),
        (
            "project+status",
            TaskFilter {
                project_id: Some(project),
                status: Some(Status::Todo.into()),
                ..TaskFilter::default()
            },
        ),
        (
            "project+statuses",
            TaskFilter {
                project_id: Some(project),
                status: Some(StatusSet::only(Status::Todo).with(Status::InProgress)),
                ..TaskFilter::default()
            },
        ),
        ("q (rare)", TaskFilter { q: SearchText::parse("abc1").ok(), ..TaskFilter::default() }),
        (
            "due range",
            TaskFilter {
                due_after: DueDate::from_days_since_epoch(20_100),
                due_before: DueDate::from_days_since_epoch(20_200),
                ..TaskFilter::default()
            },
        ),
        (
            "label+status",
            TaskFilter {
                label: Label::parse("l3").ok(),
                status: Some(Status::Done.into()),
                ..TaskFilter::default()
            },
        ),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, filter) in &filters {
        for visibility in [Visibility::All, Visibility::MemberOrPublic(member)] {
            for sort in TaskSort::ALL {
                for next in [false, true] {
                    let after = next.then(|| Cursor::after(sort, &cursor_task(project)));
                    let query = TaskQuery {
                        visibility,
                        filter: filter.clone(),
                        sort,
                        after,
                        fetch: PAGE + 1,
                    };
                    let params = ListParams::of(&query);
                    let sql = format!("EXPLAIN (FORMAT JSON) {}", list_statement(sort));
                    // Act
                    let row = client.query_one(&sql, &params.as_refs()).await.unwrap();
                    let plan: Value = row.get(0);
                    // Assert
                    let mut found = Vec::new();
                    let due_range_in_another_order = (filter.due_after.is_some()
                        || filter.due_before.is_some())
                        && sort.field != taskforge_domain::query::SortField::DueDate;
                    let exempt = filter.q.is_some() || due_range_in_another_order;
                    let sort_limit = (!exempt).then_some(PAGE + 1);
                    faults(&plan[0]["Plan"], sort_limit, &mut found);
                    checked += 1;
                    if !found.is_empty() {
                        let who = match visibility {
                            Visibility::All => "admin",
                            Visibility::MemberOrPublic(_) => "member",
                        };
                        failures.push(format!(
                            "{name} / {who} / {sort} / {}: {}",
                            if next { "next" } else { "first" },
                            found.join(", ")
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(checked, filters.len() * 2 * 8 * 2);
    // The reports of one project (summary and top open tasks), for an admin and a member.
    let today = DueDate::from_days_since_epoch(20_500).unwrap().days_since_epoch();
    let project_uuid = *project.as_uuid();
    let member_uuid = Some(*member.as_uuid());
    for user in [None, member_uuid] {
        let summary = format!("EXPLAIN (FORMAT JSON) {SUMMARY_STATEMENT}");
        let top = format!("EXPLAIN (FORMAT JSON) {TOP_STATEMENT}");
        let plans = [
            ("summary", client.query_one(&summary, &[&user, &Some(project_uuid), &today]).await),
            ("top", client.query_one(&top, &[&user, &5_i64, &Some(project_uuid)]).await),
        ];
        for (name, row) in plans {
            let plan: Value = row.unwrap().get(0);
            let mut found = Vec::new();
            // Aggregates group in the database; only table scans matter here.
            faults(&plan[0]["Plan"], None, &mut found);
            checked += 1;
            if !found.is_empty() {
                failures.push(format!("report {name} of one project: {}", found.join(", ")));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} plans:\n{}", failures.len(), failures.join("\n"));
}
