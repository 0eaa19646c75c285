//! The contract of [`taskforge_domain::ports::ReportRepository`].
//!
//! Every test stores the same generated world (`World`): two projects, two categories and 60
//! tasks that cover every status, every priority, both categories and none, public and
//! private, and every due-date case around `TODAY` (none, before, on, after). Expected
//! answers are computed here from the tasks as stored, by the definitions of the port's
//! rustdoc ([`Task::is_overdue`](taskforge_domain::model::Task::is_overdue),
//! [`rank_order`](taskforge_domain::reports::rank_order),
//! [`top_order`](taskforge_domain::reports::top_order)), never by the adapter.

use super::fixtures::{
    at, category, category_name, date, owner_and_project, stored_category, stored_member,
    stored_task, task, user,
};
use taskforge_domain::id::{ProjectId, UserId};
use taskforge_domain::model::{Category, Project, Task, User};
use taskforge_domain::ports::Repositories;
use taskforge_domain::query::Visibility;
use taskforge_domain::reports::{SummaryGroup, TaskSummary, rank_order, top_order};
use taskforge_domain::values::{DueDate, Priority, Status};

/// The day the summaries measure "overdue" against.
const TODAY: &str = "2026-03-10";

/// alice owns p1, bob owns p2, dave is a member of p1 only; categories bug and feature.
struct World {
    bob: User,
    dave: User,
    p1: Project,
    p2: Project,
    bug: Category,
    feature: Category,
    tasks: Vec<Task>,
}

impl World {
    async fn stored(repos: &Repositories) -> Self {
        let (alice, p1) = owner_and_project(repos, "alice", "Project one").await;
        let (bob, p2) = owner_and_project(repos, "bob", "Project two").await;
        let dave = stored_member(repos, &p1, "dave").await;
        let bug = stored_category(repos, category("bug")).await;
        let feature = stored_category(repos, category("Feature")).await;
        let dues = [None, Some("2026-03-01"), Some(TODAY), Some("2026-03-20"), Some("2026-03-09")];
        let mut tasks = Vec::new();
        for i in 0..60_usize {
            let (project, creator) = if i % 2 == 0 { (&p1, &alice) } else { (&p2, &bob) };
            let t = Task {
                status: Status::ALL[i % 3],
                priority: Priority::ALL[(i / 3) % 4],
                category_id: [Some(bug.id), Some(feature.id), None][(i / 4) % 3],
                due_date: dues[i % 5].map(date),
                is_public: i % 7 == 0,
                created_at: at(i64::try_from(i).unwrap_or_default()),
                ..task(project, creator, &format!("Task {i:02}"))
            };
            tasks.push(stored_task(repos, t).await);
        }
        Self { bob, dave, p1, p2, bug, feature, tasks }
    }

    fn visible(&self, visibility: Visibility, task: &Task) -> bool {
        match visibility {
            Visibility::All => true,
            Visibility::MemberOrPublic(user) => {
                task.is_public
                    || (task.project_id == self.p1.id && user == self.dave.id)
                    || (task.project_id == self.p2.id && user == self.bob.id)
            }
        }
    }

    fn category_name(&self, task: &Task) -> Option<taskforge_domain::values::CategoryName> {
        [&self.bug, &self.feature]
            .into_iter()
            .find(|c| Some(c.id) == task.category_id)
            .map(|c| c.name.clone())
    }

    /// The summary by definition: one group per visible task of `project` (if given).
    fn expected_summary(&self, visibility: Visibility, project: Option<ProjectId>) -> TaskSummary {
        let today = date(TODAY);
        TaskSummary::from_groups(
            self.tasks
                .iter()
                .filter(|t| self.visible(visibility, t))
                .filter(|t| project.is_none_or(|p| t.project_id == p))
                .map(|t| SummaryGroup {
                    category_id: t.category_id,
                    category_name: self.category_name(t),
                    status: t.status,
                    priority: t.priority,
                    tasks: 1,
                    overdue: u64::from(t.is_overdue(today)),
                }),
        )
    }

    /// The top open tasks by definition, of `project` only when given.
    fn expected_top(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Vec<Task> {
        let mut open: Vec<Task> = self
            .tasks
            .iter()
            .filter(|t| t.status.is_open() && self.visible(visibility, t))
            .filter(|t| project.is_none_or(|p| t.project_id == p))
            .cloned()
            .collect();
        open.sort_by(top_order);
        let mut kept: Vec<Task> = Vec::new();
        for t in open {
            let same = kept.iter().filter(|k| k.category_id == t.category_id).count();
            if same < per_category {
                kept.push(t);
            }
        }
        kept
    }

    fn names(&self, tasks: &[Task]) -> Vec<String> {
        tasks.iter().map(|t| t.title.to_string()).collect()
    }
}

async fn summary(
    repos: &Repositories,
    visibility: Visibility,
    project: Option<ProjectId>,
) -> TaskSummary {
    repos.reports.summary(visibility, project, date(TODAY)).await.expect("summary succeeds")
}

/// `summary` under [`Visibility::All`] counts every task by status, priority and category
/// (with the category's name and its done count, uncategorised as one entry without id or
/// name), and the overdue ones.
pub async fn summary_counts_every_task_by_status_priority_and_category(repos: Repositories) {
    let world = World::stored(&repos).await;

    let found = summary(&repos, Visibility::All, None).await;

    assert_eq!(found, world.expected_summary(Visibility::All, None), "summary of every task");
    assert_eq!(found.total(), 60, "every task counts");
    assert_eq!(found.with_status(Status::Done), 20, "a third of the tasks are done");
    assert_eq!(found.with_priority(Priority::Urgent), 15, "a quarter are urgent");
    let categories: Vec<_> =
        found.by_category().iter().map(|c| (c.name.clone(), c.total, c.done)).collect();
    assert_eq!(
        categories,
        [
            (Some(category_name("bug")), 20, 5),
            (Some(category_name("Feature")), 20, 5),
            (None, 20, 10)
        ],
        "by category, by name ignoring case, uncategorised last"
    );
}

/// `summary` under [`Visibility::MemberOrPublic`] counts the tasks of the user's projects
/// and the public tasks of other projects, nothing else.
pub async fn summary_under_member_visibility_counts_member_and_public_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let outsider = super::fixtures::stored_user(&repos, user("olga")).await;

    for who in [world.dave.id, world.bob.id, outsider.id] {
        let visibility = Visibility::MemberOrPublic(who);
        let found = summary(&repos, visibility, None).await;
        assert_eq!(found, world.expected_summary(visibility, None), "summary as {who}");
    }
    let olga = summary(&repos, Visibility::MemberOrPublic(outsider.id), None).await;
    assert_eq!(olga.total(), 9, "an outsider sees the public tasks only");
}

/// `summary` of one project counts only that project's tasks — under member visibility only
/// those the user may see (a non-member: its public tasks).
pub async fn summary_of_one_project_counts_only_its_visible_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;

    for visibility in [
        Visibility::All,
        Visibility::MemberOrPublic(world.dave.id),
        Visibility::MemberOrPublic(world.bob.id),
    ] {
        for project in [world.p1.id, world.p2.id] {
            let found = summary(&repos, visibility, Some(project)).await;
            assert_eq!(
                found,
                world.expected_summary(visibility, Some(project)),
                "summary of project {project} under {visibility:?}"
            );
        }
    }
    let dave_in_p2 = summary(&repos, Visibility::MemberOrPublic(world.dave.id), Some(world.p2.id));
    assert_eq!(dave_in_p2.await.total(), 4, "a non-member counts the project's public tasks");
}

/// `summary` counts as overdue exactly the open tasks due strictly before `today`: not done
/// ones, not those due today or later, not undated ones.
pub async fn summary_counts_open_tasks_due_before_today_as_overdue(repos: Repositories) {
    let (alice, p) = owner_and_project(&repos, "alice", "Dates").await;
    let today = date(TODAY);
    let cases = [
        (Status::Todo, Some("2026-03-09"), true),
        (Status::InProgress, Some("2020-01-01"), true),
        (Status::Done, Some("2026-03-01"), false),
        (Status::Todo, Some(TODAY), false),
        (Status::InProgress, Some("2026-03-11"), false),
        (Status::Todo, None, false),
    ];
    for (i, (status, due, _)) in cases.iter().enumerate() {
        let t = Task { status: *status, due_date: due.map(date), ..task(&p, &alice, "Dated") };
        stored_task(&repos, Task { title: super::fixtures::title(&format!("Case {i}")), ..t })
            .await;
    }

    let found = repos.reports.summary(Visibility::All, None, today).await.expect("summary");
    let a_day_later = DueDate::parse("2026-03-11").expect("valid");
    let later = repos.reports.summary(Visibility::All, None, a_day_later).await.expect("summary");

    let expected = cases.iter().filter(|(_, _, overdue)| *overdue).count();
    assert_eq!(found.overdue(), u64::try_from(expected).unwrap_or_default(), "overdue today");
    assert_eq!(later.overdue(), 3, "a day later the task due today is overdue too");
}

/// `summary` with nothing visible — an empty store, an unknown project, a project without
/// tasks — is the empty summary.
pub async fn summary_of_nothing_visible_is_empty(repos: Repositories) {
    let empty = summary(&repos, Visibility::All, None).await;
    assert_eq!(empty, TaskSummary::default(), "an empty store");

    let world = World::stored(&repos).await;
    let unknown = summary(&repos, Visibility::All, Some(ProjectId::new())).await;
    assert_eq!(unknown, TaskSummary::default(), "an unknown project has no tasks");
    let (_, bare) = owner_and_project(&repos, "carol", "No tasks").await;
    let none = summary(&repos, Visibility::MemberOrPublic(world.dave.id), Some(bare.id)).await;
    assert_eq!(none, TaskSummary::default(), "a project without tasks");
    let stranger = summary(&repos, Visibility::MemberOrPublic(UserId::new()), Some(world.p1.id));
    assert_eq!(stranger.await.total(), 5, "p1's public tasks only, for an unknown user");
}

/// `summary` names each category by its current name (a renamed category by its new one).
pub async fn summary_names_each_category_by_its_current_name(repos: Repositories) {
    let world = World::stored(&repos).await;
    let renamed = Category { name: category_name("Defect"), ..world.bug.clone() };
    repos.categories.update(&renamed).await.expect("rename succeeds");

    let found = summary(&repos, Visibility::All, None).await;

    let names: Vec<_> = found.by_category().iter().map(|c| c.name.clone()).collect();
    assert_eq!(
        names,
        [Some(category_name("Defect")), Some(category_name("Feature")), None],
        "categories by current name"
    );
    assert_eq!(found.by_category()[0].category_id, Some(world.bug.id), "same id, new name");
}

/// `top_open` returns, per category (uncategorised as one group), the first `per_category`
/// open tasks in rank order, in [`top_order`], as stored.
pub async fn top_open_ranks_each_categorys_open_tasks_and_keeps_the_first(repos: Repositories) {
    let world = World::stored(&repos).await;

    for per_category in [1, 3, 5, 100] {
        let found = repos
            .reports
            .top_open(Visibility::All, None, per_category)
            .await
            .expect("top succeeds");
        let expected = world.expected_top(Visibility::All, None, per_category);
        assert_eq!(
            world.names(&found),
            world.names(&expected),
            "top {per_category} per category: rank order within each category"
        );
        assert_eq!(found, expected, "top {per_category}: tasks are returned as stored");
    }
    let all = repos.reports.top_open(Visibility::All, None, 100).await.expect("top succeeds");
    assert_eq!(all.len(), 40, "with a large enough limit, every open task");
    assert!(all.iter().all(|t| t.status.is_open()), "done tasks never rank");
    let mut sorted = all.clone();
    sorted.sort_by(rank_order);
    assert_eq!(sorted.first().map(|t| t.priority), Some(Priority::Urgent), "urgent ranks first");
}

/// `top_open` under [`Visibility::MemberOrPublic`] ranks only the tasks the user may see.
pub async fn top_open_under_member_visibility_keeps_only_visible_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;

    for who in [world.dave.id, world.bob.id, UserId::new()] {
        let visibility = Visibility::MemberOrPublic(who);
        for per_category in [2, 50] {
            let found = repos.reports.top_open(visibility, None, per_category).await.expect("top");
            let expected = world.expected_top(visibility, None, per_category);
            assert_eq!(world.names(&found), world.names(&expected), "top {per_category} as {who}");
        }
    }
}

/// `top_open` with `per_category` 0 returns nothing.
pub async fn top_open_with_zero_per_category_returns_nothing(repos: Repositories) {
    World::stored(&repos).await;

    let found = repos.reports.top_open(Visibility::All, None, 0).await.expect("top succeeds");

    assert!(found.is_empty(), "no task when none is asked for, got {}", found.len());
}

/// `top_open` of one project ranks only that project's open tasks — under member visibility
/// only those the user may see (a non-member: its public ones) — and an unknown project, or
/// one without open tasks, ranks nothing.
pub async fn top_open_of_one_project_ranks_only_its_visible_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;

    for visibility in [
        Visibility::All,
        Visibility::MemberOrPublic(world.dave.id),
        Visibility::MemberOrPublic(world.bob.id),
    ] {
        for project in [world.p1.id, world.p2.id] {
            for per_category in [1, 2, 50] {
                let found = repos
                    .reports
                    .top_open(visibility, Some(project), per_category)
                    .await
                    .expect("top succeeds");
                let expected = world.expected_top(visibility, Some(project), per_category);
                assert_eq!(
                    world.names(&found),
                    world.names(&expected),
                    "top {per_category} of project {project} under {visibility:?}"
                );
                assert_eq!(found, expected, "tasks are returned as stored");
                assert!(found.iter().all(|t| t.project_id == project), "only that project");
            }
        }
    }
    let dave_in_p2 = repos
        .reports
        .top_open(Visibility::MemberOrPublic(world.dave.id), Some(world.p2.id), 50)
        .await
        .expect("top succeeds");
    assert!(
        !dave_in_p2.is_empty() && dave_in_p2.iter().all(|t| t.is_public),
        "a non-member ranks the project's public open tasks only"
    );
    let unknown = repos.reports.top_open(Visibility::All, Some(ProjectId::new()), 50).await;
    assert!(unknown.expect("top succeeds").is_empty(), "an unknown project has no tasks");
    let (_, bare) = owner_and_project(&repos, "carol", "No tasks").await;
    let none = repos.reports.top_open(Visibility::All, Some(bare.id), 50).await;
    assert!(none.expect("top succeeds").is_empty(), "a project without tasks");
}
