//! Sort orders, `fetch` and keyset pagination: in which order and how many.

use super::{World, assert_sorted, label, query, sort, walk};
use crate::contract::fixtures::{at, stored_task, task};
use taskforge_domain::id::TaskId;
use taskforge_domain::model::Task;
use taskforge_domain::ports::Repositories;
use taskforge_domain::query::{Cursor, TaskFilter, TaskQuery, Visibility};
use taskforge_domain::values::Status;

/// Sort `created_at` lists tasks in `TaskSort::compare` order, ties broken by id.
pub async fn sorting_by_created_at_ascending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "created_at").await;
}

/// Sort `-created_at` lists tasks in `TaskSort::compare` order, ties broken by id.
pub async fn sorting_by_created_at_descending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "-created_at").await;
}

/// Sort `priority` lists tasks in `TaskSort::compare` order, ties broken by id.
pub async fn sorting_by_priority_ascending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "priority").await;
}

/// Sort `-priority` lists tasks in `TaskSort::compare` order, ties broken by id.
pub async fn sorting_by_priority_descending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "-priority").await;
}

/// Sort `due_date` lists tasks in `TaskSort::compare` order: undated tasks last, ties
/// broken by id.
pub async fn sorting_by_due_date_ascending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "due_date").await;
}

/// Sort `-due_date` lists tasks in `TaskSort::compare` order: undated tasks first, ties
/// broken by id.
pub async fn sorting_by_due_date_descending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "-due_date").await;
}

/// Sort `title` lists tasks in `TaskSort::compare` order (by code point, so `B` before
/// `a` before `Ä`), ties broken by id.
pub async fn sorting_by_title_ascending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "title").await;
}

/// Sort `-title` lists tasks in `TaskSort::compare` order, ties broken by id.
pub async fn sorting_by_title_descending_follows_task_sort_order(repos: Repositories) {
    assert_sorted(&repos, "-title").await;
}

/// `list` returns at most `fetch` tasks: the first ones in the requested order.
pub async fn fetch_limits_how_many_tasks_are_returned(repos: Repositories) {
    let world = World::stored(&repos).await;
    let order = sort("-priority");
    let mut expected = world.tasks.clone();
    expected.sort_by(|a, b| order.compare(a, b));

    for fetch in [1, 3, 10, 11, 12, 200] {
        let q = TaskQuery { fetch, ..query(Visibility::All, TaskFilter::default(), order) };
        let listed = repos.tasks.list(&q).await.expect("list succeeds");
        let want = &expected[..fetch.min(expected.len())];
        assert_eq!(world.names(&listed), world.names(want), "the first `fetch` = {fetch} tasks");
    }
}

/// Walking every page with `Cursor::after(sort, last)` returns each task exactly once, in
/// order, for every sort order and page size.
pub async fn walking_every_page_returns_each_task_once_in_order(repos: Repositories) {
    let world = World::stored(&repos).await;
    let sorts = [
        "created_at",
        "-created_at",
        "priority",
        "-priority",
        "due_date",
        "-due_date",
        "title",
        "-title",
    ];

    for key in sorts {
        let order = sort(key);
        let mut expected = world.tasks.clone();
        expected.sort_by(|a, b| order.compare(a, b));
        for fetch in [1, 2, 4, 11] {
            let q = TaskQuery { fetch, ..query(Visibility::All, TaskFilter::default(), order) };
            let seen = walk(&repos, q, &world).await;
            assert_eq!(
                world.names(&seen),
                world.names(&expected),
                "pages of {fetch} in sort {key}: every task once, in order"
            );
        }
    }
}

/// Paging applies visibility and filters on every page.
pub async fn walking_pages_keeps_visibility_and_filters(repos: Repositories) {
    let world = World::stored(&repos).await;
    let cases = [
        (Visibility::MemberOrPublic(world.carol.id), TaskFilter::default(), "title"),
        (
            Visibility::MemberOrPublic(world.alice.id),
            TaskFilter { status: Some(Status::Todo.into()), ..TaskFilter::default() },
            "-due_date",
        ),
        (
            Visibility::All,
            TaskFilter { label: Some(label("backend")), ..TaskFilter::default() },
            "priority",
        ),
    ];

    for (visibility, filter, key) in cases {
        let order = sort(key);
        let mut expected: Vec<Task> = world
            .tasks
            .iter()
            .filter(|t| world.visible(visibility, t) && filter.matches(t))
            .cloned()
            .collect();
        expected.sort_by(|a, b| order.compare(a, b));
        assert!(expected.len() >= 3, "the suite's case should span pages: {filter:?}");
        let q = TaskQuery { fetch: 2, ..query(visibility, filter.clone(), order) };
        let seen = walk(&repos, q, &world).await;
        assert_eq!(
            world.names(&seen),
            world.names(&expected),
            "pages of 2 under {visibility:?} with {filter:?} in sort {key}"
        );
    }
}

/// A cursor is a position, not a task: after its last task is deleted, the next page still
/// starts right after where that task was.
pub async fn a_cursor_still_works_after_its_task_is_deleted(repos: Repositories) {
    let world = World::stored(&repos).await;
    let order = sort("priority");
    let first = TaskQuery { fetch: 4, ..query(Visibility::All, TaskFilter::default(), order) };
    let page = repos.tasks.list(&first).await.expect("list succeeds");
    let last = page.last().expect("the first page is not empty").clone();
    let cursor = Cursor::after(order, &last);
    repos
        .tasks
        .delete(last.id, &crate::contract::fixtures::entry(last.id))
        .await
        .expect("delete succeeds");
    let mut remaining = Vec::new();
    for t in &world.tasks {
        if let Some(stored) = repos.tasks.get(t.id).await.expect("get succeeds") {
            remaining.push(stored);
        }
    }
    let mut expected: Vec<Task> = remaining.into_iter().filter(|t| cursor.admits(t)).collect();
    expected.sort_by(|a, b| order.compare(a, b));

    let next = TaskQuery { after: Some(cursor), fetch: 100, ..first };
    let listed = repos.tasks.list(&next).await.expect("list succeeds");

    assert_eq!(
        world.names(&listed),
        world.names(&expected),
        "the page after deleted {} in sort priority",
        world.name(&last)
    );
}

/// Keyset pages are stable under concurrent inserts: a task inserted before the cursor
/// position does not appear on later pages, one inserted after it does, and nothing is
/// listed twice.
pub async fn a_page_after_a_concurrent_insert_stays_stable(repos: Repositories) {
    let world = World::stored(&repos).await;
    let order = sort("-created_at");
    let first = TaskQuery { fetch: 4, ..query(Visibility::All, TaskFilter::default(), order) };
    let page_one = repos.tasks.list(&first).await.expect("list succeeds");
    assert_eq!(world.names(&page_one), ["t11", "t10", "t09", "t08"], "the first page");
    let last = world.task("t08");
    let cursor = Cursor::after(order, last);

    let base = |title: &str, created: i64| Task {
        created_at: at(created),
        updated_at: at(created),
        ..task(&world.p1, &world.alice, title)
    };
    // Newer than everything: in -created_at order it belongs on the first page.
    let newest = stored_task(&repos, base("Newest", 100)).await;
    // Same creation time as t08 and a larger id: sorts just before t08.
    let tie_before = stored_task(&repos, base("Tie before", 6)).await;
    // Same creation time as t08 and an id one below: sorts just after t08.
    let smaller = TaskId::from_uuid(uuid::Uuid::from_u128(last.id.as_uuid().as_u128() - 1));
    let tie_after = stored_task(&repos, Task { id: smaller, ..base("Tie after", 6) }).await;
    // Older than everything: belongs on the last page.
    let oldest = stored_task(&repos, base("Oldest", -100)).await;

    let rest =
        walk(&repos, TaskQuery { after: Some(cursor.clone()), fetch: 3, ..first }, &world).await;

    let mut expected: Vec<Task> = world
        .tasks
        .iter()
        .chain([&newest, &tie_before, &tie_after, &oldest])
        .filter(|t| cursor.admits(t))
        .cloned()
        .collect();
    expected.sort_by(|a, b| order.compare(a, b));
    assert_eq!(world.names(&rest), world.names(&expected), "the pages after the first");
    assert_eq!(rest.first().map(|t| t.id), Some(tie_after.id), "the tie after t08 comes next");
    assert_eq!(rest.last().map(|t| t.id), Some(oldest.id), "the oldest task comes last");
    for t in page_one.iter().chain([&newest, &tie_before]) {
        assert!(
            rest.iter().all(|r| r.id != t.id),
            "{} sorts before the cursor and must not appear after it",
            world.name(t)
        );
    }
}
