//! Filters and visibility: which tasks `list` returns.

use super::{World, assert_lists, label, search};
use crate::contract::fixtures::date;
use taskforge_domain::id::UserId;
use taskforge_domain::model::User;
use taskforge_domain::ports::Repositories;
use taskforge_domain::query::{TaskFilter, Visibility};
use taskforge_domain::values::{Priority, Status, StatusSet};

/// Without filters and with [`Visibility::All`], `list` returns every task.
pub async fn listing_without_filters_returns_every_task(repos: Repositories) {
    let world = World::stored(&repos).await;
    let every = ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11"];

    assert_lists(&repos, &world, Visibility::All, TaskFilter::default(), &every).await;
}

/// Filtering by `project_id` returns only that project's tasks.
pub async fn filtering_by_project_returns_only_its_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { project_id: Some(world.p2.id), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t06", "t07", "t08", "t09"]).await;
}

/// Filtering by `status` returns only tasks with that status.
pub async fn filtering_by_status_returns_only_tasks_with_it(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { status: Some(Status::Done.into()), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t03", "t08", "t10"]).await;
}

/// Filtering by several statuses returns the tasks with any of them, alone and combined with
/// another filter.
pub async fn filtering_by_several_statuses_returns_tasks_with_any_of_them(repos: Repositories) {
    let world = World::stored(&repos).await;
    let open_or_done = StatusSet::only(Status::InProgress).with(Status::Done);
    let filter = TaskFilter { status: Some(open_or_done), ..TaskFilter::default() };
    let expected = ["t02", "t03", "t07", "t08", "t10"];
    assert_lists(&repos, &world, Visibility::All, filter.clone(), &expected).await;

    let in_p2 = TaskFilter { project_id: Some(world.p2.id), ..filter };
    assert_lists(&repos, &world, Visibility::All, in_p2, &["t07", "t08"]).await;
    let every = TaskFilter { status: Some(StatusSet::ALL), ..TaskFilter::default() };
    let all = ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11"];
    assert_lists(&repos, &world, Visibility::All, every, &all).await;
}

/// Filtering by `priority` returns only tasks with that priority.
pub async fn filtering_by_priority_returns_only_tasks_with_it(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { priority: Some(Priority::High), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t01", "t05", "t07"]).await;
}

/// Filtering by `category_id` returns only tasks in that category.
pub async fn filtering_by_category_returns_only_tasks_in_it(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { category_id: Some(world.bug.id), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t01", "t02", "t06", "t10"]).await;
}

/// Filtering by `assignee_id` returns only tasks assigned to that user.
pub async fn filtering_by_assignee_returns_only_their_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { assignee_id: Some(world.dave.id), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t02", "t05", "t07"]).await;
}

/// Filtering by `label` returns only tasks carrying that label (among others).
pub async fn filtering_by_label_returns_only_tasks_carrying_it(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { label: Some(label("backend")), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t01", "t02", "t05", "t07"]).await;
}

/// Filtering by `parent_id` returns only direct subtasks, not grandchildren.
pub async fn filtering_by_parent_returns_only_direct_subtasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { parent_id: Some(world.task("t01").id), ..TaskFilter::default() };

    // t11 is a subtask of t04, so a grandchild of t01.
    assert_lists(&repos, &world, Visibility::All, filter, &["t03", "t04"]).await;
}

/// `due_before` matches tasks due strictly before the date; undated tasks never match.
pub async fn filtering_by_due_before_is_strict_and_skips_undated_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { due_before: Some(date("2026-03-05")), ..TaskFilter::default() };

    // t02 and t08 are due on 2026-03-05 itself.
    assert_lists(&repos, &world, Visibility::All, filter, &["t07", "t09"]).await;
}

/// `due_after` matches tasks due strictly after the date; undated tasks never match.
pub async fn filtering_by_due_after_is_strict_and_skips_undated_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { due_after: Some(date("2026-03-05")), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t01", "t04", "t05"]).await;
}

/// `q` matches titles containing the text anywhere, ignoring case.
pub async fn filtering_by_title_text_matches_substrings_ignoring_case(repos: Repositories) {
    let world = World::stored(&repos).await;
    let middle = TaskFilter { q: Some(search("EPORT")), ..TaskFilter::default() };
    let word = TaskFilter { q: Some(search("Login")), ..TaskFilter::default() };
    let nothing = TaskFilter { q: Some(search("zzz")), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, middle, &["t01", "t05", "t09"]).await;
    assert_lists(&repos, &world, Visibility::All, word, &["t02", "t08"]).await;
    assert_lists(&repos, &world, Visibility::All, nothing, &[]).await;
}

/// `q` ignores case beyond ASCII too, as
/// [`SearchText::matches`](taskforge_domain::values::SearchText::matches) defines it.
pub async fn filtering_by_title_text_ignores_case_beyond_ascii(repos: Repositories) {
    let world = World::stored(&repos).await;
    let filter = TaskFilter { q: Some(search("äPFEL")), ..TaskFilter::default() };

    assert_lists(&repos, &world, Visibility::All, filter, &["t07"]).await;
}

/// Filters combine with AND: a task is listed only when it meets every condition set.
pub async fn filters_combine_so_every_condition_must_hold(repos: Repositories) {
    let world = World::stored(&repos).await;
    let none = TaskFilter::default;
    let cases = [
        (
            TaskFilter {
                project_id: Some(world.p1.id),
                status: Some(Status::Todo.into()),
                label: Some(label("backend")),
                ..none()
            },
            &["t01", "t05"][..],
        ),
        (
            TaskFilter {
                assignee_id: Some(world.dave.id),
                priority: Some(Priority::High),
                ..none()
            },
            &["t05", "t07"][..],
        ),
        (
            TaskFilter {
                category_id: Some(world.bug.id),
                due_before: Some(date("2026-03-08")),
                ..none()
            },
            &["t02"][..],
        ),
        (
            TaskFilter {
                parent_id: Some(world.task("t06").id),
                status: Some(Status::Done.into()),
                ..none()
            },
            &["t08"][..],
        ),
        (
            TaskFilter { q: Some(search("fix")), project_id: Some(world.p2.id), ..none() },
            &["t08"][..],
        ),
        (
            TaskFilter {
                due_after: Some(date("2026-02-01")),
                due_before: Some(date("2026-03-06")),
                ..none()
            },
            &["t02", "t07", "t08", "t09"][..],
        ),
        (
            TaskFilter {
                status: Some(Status::Done.into()),
                priority: Some(Priority::High),
                ..none()
            },
            &[][..],
        ),
    ];

    for (filter, expected) in cases {
        assert_lists(&repos, &world, Visibility::All, filter, expected).await;
    }
}

/// Under `MemberOrPublic`, a member sees every task of their projects and the public tasks
/// of other projects; a member of every project sees everything.
pub async fn a_member_sees_their_projects_tasks_and_public_tasks_elsewhere(repos: Repositories) {
    let world = World::stored(&repos).await;
    let of = |user: &User| Visibility::MemberOrPublic(user.id);
    let every = ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11"];

    let alices = ["t01", "t02", "t03", "t04", "t05", "t06", "t08", "t10", "t11"];
    assert_lists(&repos, &world, of(&world.alice), TaskFilter::default(), &alices).await;
    let bobs = ["t02", "t06", "t07", "t08", "t09", "t10"];
    assert_lists(&repos, &world, of(&world.bob), TaskFilter::default(), &bobs).await;
    assert_lists(&repos, &world, of(&world.dave), TaskFilter::default(), &every).await;
}

/// Under `MemberOrPublic`, a user in no project sees only public tasks.
pub async fn a_non_member_sees_only_public_tasks(repos: Repositories) {
    let world = World::stored(&repos).await;
    let carol = Visibility::MemberOrPublic(world.carol.id);
    let stranger = Visibility::MemberOrPublic(UserId::new());
    let public = ["t02", "t06", "t08", "t10"];

    assert_lists(&repos, &world, carol, TaskFilter::default(), &public).await;
    assert_lists(&repos, &world, stranger, TaskFilter::default(), &public).await;
}

/// Visibility and filters apply together.
pub async fn visibility_and_filters_apply_together(repos: Repositories) {
    let world = World::stored(&repos).await;
    let none = TaskFilter::default;
    let carol = Visibility::MemberOrPublic(world.carol.id);
    let alice = Visibility::MemberOrPublic(world.alice.id);
    let bob = Visibility::MemberOrPublic(world.bob.id);

    let in_p1 = TaskFilter { project_id: Some(world.p1.id), ..none() };
    assert_lists(&repos, &world, carol, in_p1, &["t02", "t10"]).await;
    let done = TaskFilter { status: Some(Status::Done.into()), ..none() };
    assert_lists(&repos, &world, alice, done, &["t03", "t08", "t10"]).await;
    let backend = TaskFilter { label: Some(label("backend")), ..none() };
    assert_lists(&repos, &world, bob, backend, &["t02", "t07"]).await;
}
