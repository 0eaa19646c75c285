//! The contract of [`taskforge_domain::ports::TaskRepository::list`]: filters, visibility, every sort
//! order and keyset pagination.
//!
//! Every test lists the same eleven tasks (`World`), chosen so that each filter matches
//! some tasks and not others, and so that every sort field has ties (equal creation times,
//! priorities, due dates and titles) and values where byte order and case-insensitive order
//! differ. Expected results are written out by hand; a check against
//! [`TaskFilter::matches`](taskforge_domain::query::TaskFilter::matches) keeps the fixture honest.

mod filters;
mod order;

pub use filters::*;
pub use order::*;

use super::fixtures::{
    at, category, date, labels, owner_and_project, stored_category, stored_member, stored_task,
    stored_user, task, user,
};
use taskforge_domain::id::UserId;
use taskforge_domain::model::{Category, Project, Task, User};
use taskforge_domain::ports::Repositories;
use taskforge_domain::query::{Cursor, TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::values::{Label, Priority, SearchText, Status};

/// The most pages a walk may take before the suite calls it an endless loop.
const MAX_PAGES: usize = 100;

/// Three users in two projects, one outsider, two categories and eleven tasks:
///
/// | task | proj | title | status | prio | cat | assignee | labels | due | parent | pub | at |
/// |---|---|---|---|---|---|---|---|---|---|---|---|
/// | t01 | p1 | Write report | todo | high | bug | alice | backend | 03-10 | | | +1 |
/// | t02 | p1 | Fix login bug | doing | urgent | bug | dave | auth backend | 03-05 | | yes | +2 |
/// | t03 | p1 | apple pie | done | low | feature | | | | t01 | | +2 |
/// | t04 | p1 | Banana split | todo | medium | | alice | ops | 03-10 | t01 | | +3 |
/// | t05 | p1 | Quarterly REPORTS | todo | high | feature | dave | backend ops | 04-01 | | | +4 |
/// | t06 | p2 | zebra crossing | todo | medium | bug | bob | frontend | | | yes | +4 |
/// | t07 | p2 | Äpfel kaufen | doing | high | | dave | backend | 03-01 | | | +5 |
/// | t08 | p2 | Fix login bug | done | urgent | feature | bob | | 03-05 | t06 | yes | +6 |
/// | t09 | p2 | report draft | todo | low | | | auth | 02-20 | t06 | | +7 |
/// | t10 | p1 | Deploy service | done | medium | bug | | | | | yes | +7 |
/// | t11 | p1 | Slice bananas | todo | low | | | | | t04 | | +8 |
///
/// Members: p1 has alice (owner) and dave; p2 has bob (owner) and dave; carol has no project.
/// `doing` is in progress, `at` the creation time in seconds after the fixtures' base time,
/// dates are in 2026, and ids grow from t01 to t11.
struct World {
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    p1: Project,
    p2: Project,
    bug: Category,
    /// The tasks, t01 first.
    tasks: Vec<Task>,
}

impl World {
    async fn stored(repos: &Repositories) -> Self {
        let (alice, p1) = owner_and_project(repos, "alice", "Project one").await;
        let (bob, p2) = owner_and_project(repos, "bob", "Project two").await;
        let dave = stored_member(repos, &p1, "dave").await;
        repos.projects.add_member(p2.id, dave.id, at(0)).await.expect("add_member succeeds");
        let carol = stored_user(repos, user("carol")).await;
        let bug = stored_category(repos, category("bug")).await;
        let feature = stored_category(repos, category("feature")).await;

        let row = |project: &Project, creator: &User, title: &str, created: i64| Task {
            created_at: at(created),
            updated_at: at(created),
            ..task(project, creator, title)
        };
        let mut tasks: Vec<Task> = Vec::new();
        let mut add = |t: Task| tasks.push(t);
        add(Task {
            priority: Priority::High,
            category_id: Some(bug.id),
            assignee_id: Some(alice.id),
            labels: labels(&["backend"]),
            due_date: Some(date("2026-03-10")),
            ..row(&p1, &alice, "Write report", 1)
        });
        add(Task {
            status: Status::InProgress,
            priority: Priority::Urgent,
            category_id: Some(bug.id),
            assignee_id: Some(dave.id),
            labels: labels(&["backend", "auth"]),
            due_date: Some(date("2026-03-05")),
            is_public: true,
            ..row(&p1, &dave, "Fix login bug", 2)
        });
        let t01 = tasks[0].id;
        let mut add = |t: Task| tasks.push(t);
        add(Task {
            status: Status::Done,
            priority: Priority::Low,
            category_id: Some(feature.id),
            parent_id: Some(t01),
            ..row(&p1, &alice, "apple pie", 2)
        });
        add(Task {
            assignee_id: Some(alice.id),
            labels: labels(&["ops"]),
            due_date: Some(date("2026-03-10")),
            parent_id: Some(t01),
            ..row(&p1, &alice, "Banana split", 3)
        });
        add(Task {
            priority: Priority::High,
            category_id: Some(feature.id),
            assignee_id: Some(dave.id),
            labels: labels(&["ops", "backend"]),
            due_date: Some(date("2026-04-01")),
            ..row(&p1, &dave, "Quarterly REPORTS", 4)
        });
        add(Task {
            category_id: Some(bug.id),
            assignee_id: Some(bob.id),
            labels: labels(&["frontend"]),
            is_public: true,
            ..row(&p2, &bob, "zebra crossing", 4)
        });
        add(Task {
            status: Status::InProgress,
            priority: Priority::High,
            assignee_id: Some(dave.id),
            labels: labels(&["backend"]),
            due_date: Some(date("2026-03-01")),
            ..row(&p2, &dave, "Äpfel kaufen", 5)
        });
        let t04 = tasks[3].id;
        let t06 = tasks[5].id;
        let mut add = |t: Task| tasks.push(t);
        add(Task {
            status: Status::Done,
            priority: Priority::Urgent,
            category_id: Some(feature.id),
            assignee_id: Some(bob.id),
            due_date: Some(date("2026-03-05")),
            parent_id: Some(t06),
            is_public: true,
            ..row(&p2, &bob, "Fix login bug", 6)
        });
        add(Task {
            priority: Priority::Low,
            labels: labels(&["auth"]),
            due_date: Some(date("2026-02-20")),
            parent_id: Some(t06),
            ..row(&p2, &bob, "report draft", 7)
        });
        add(Task {
            status: Status::Done,
            category_id: Some(bug.id),
            is_public: true,
            ..row(&p1, &alice, "Deploy service", 7)
        });
        add(Task {
            priority: Priority::Low,
            parent_id: Some(t04),
            ..row(&p1, &alice, "Slice bananas", 8)
        });

        for t in &tasks {
            stored_task(repos, t.clone()).await;
        }
        Self { alice, bob, carol, dave, p1, p2, bug, tasks }
    }

    /// The task called `tNN`.
    fn task(&self, name: &str) -> &Task {
        let index: usize = name
            .strip_prefix('t')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no task called {name}"));
        &self.tasks[index - 1]
    }

    /// `tNN` for a task of the world, the title otherwise.
    fn name(&self, task: &Task) -> String {
        self.tasks
            .iter()
            .position(|t| t.id == task.id)
            .map_or_else(|| format!("new {:?}", task.title.as_str()), |i| format!("t{:02}", i + 1))
    }

    fn names(&self, tasks: &[Task]) -> Vec<String> {
        tasks.iter().map(|t| self.name(t)).collect()
    }

    fn members(&self, project: &Project) -> Vec<UserId> {
        if project.id == self.p1.id {
            vec![self.alice.id, self.dave.id]
        } else {
            vec![self.bob.id, self.dave.id]
        }
    }

    fn visible(&self, visibility: Visibility, task: &Task) -> bool {
        match visibility {
            Visibility::All => true,
            Visibility::MemberOrPublic(user) => {
                task.is_public
                    || [&self.p1, &self.p2]
                        .into_iter()
                        .any(|p| p.id == task.project_id && self.members(p).contains(&user))
            }
        }
    }
}

fn query(visibility: Visibility, filter: TaskFilter, sort: TaskSort) -> TaskQuery {
    TaskQuery { visibility, filter, sort, after: None, fetch: 1_000 }
}

fn sort(s: &str) -> TaskSort {
    TaskSort::parse(s).expect("the suite's sort keys are valid")
}

fn label(s: &str) -> Label {
    Label::parse(s).expect("the suite's labels are valid")
}

fn search(s: &str) -> SearchText {
    SearchText::parse(s).expect("the suite's search texts are valid")
}

/// Lists with `visibility` and `filter` in `created_at` order (t01 to t11) and asserts the
/// result is exactly the tasks called `expected`, each as stored.
async fn assert_lists(
    repos: &Repositories,
    world: &World,
    visibility: Visibility,
    filter: TaskFilter,
    expected: &[&str],
) {
    let expected: Vec<Task> = expected.iter().map(|name| world.task(name).clone()).collect();
    let by_definition: Vec<Task> = world
        .tasks
        .iter()
        .filter(|t| world.visible(visibility, t) && filter.matches(t))
        .cloned()
        .collect();
    assert_eq!(
        world.names(&by_definition),
        world.names(&expected),
        "the contract suite's own fixture disagrees with TaskFilter::matches for {filter:?}"
    );

    let listed = repos
        .tasks
        .list(&query(visibility, filter.clone(), sort("created_at")))
        .await
        .expect("list succeeds");

    assert_eq!(
        world.names(&listed),
        world.names(&expected),
        "list under {visibility:?} with {filter:?}"
    );
    assert_eq!(listed, expected, "listed tasks are returned as stored, labels included");
}

/// Asserts that listing every task in `sort_key` order gives [`TaskSort::compare`]'s order.
async fn assert_sorted(repos: &Repositories, sort_key: &str) {
    let world = World::stored(repos).await;
    let order = sort(sort_key);
    let mut expected = world.tasks.clone();
    expected.sort_by(|a, b| order.compare(a, b));

    let listed = repos
        .tasks
        .list(&query(Visibility::All, TaskFilter::default(), order))
        .await
        .expect("list succeeds");

    assert_eq!(
        world.names(&listed),
        world.names(&expected),
        "sort {sort_key}: TaskSort::compare order, ties broken by id"
    );
    assert_eq!(listed, expected, "sort {sort_key}: tasks are returned as stored");
}

/// Lists page after page of `fetch` tasks, each page starting after the last task of the one
/// before, until a short page; returns every task seen, in order.
async fn walk(repos: &Repositories, mut query: TaskQuery, world: &World) -> Vec<Task> {
    let mut seen: Vec<Task> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = repos.tasks.list(&query).await.expect("list succeeds");
        assert!(
            page.len() <= query.fetch,
            "a page holds at most `fetch` = {} tasks, got {:?}",
            query.fetch,
            world.names(&page)
        );
        let done = page.len() < query.fetch;
        seen.extend(page);
        match (done, seen.last()) {
            (false, Some(last)) => query.after = Some(Cursor::after(query.sort, last)),
            _ => return seen,
        }
    }
    panic!(
        "walking pages of {} with sort {} never ended; seen so far: {:?}",
        query.fetch,
        query.sort,
        world.names(&seen)
    );
}
