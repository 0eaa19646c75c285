//! Listing tasks through `TaskService::list`: who sees what, every filter, every sort order,
//! and keyset pagination (walking `next_cursor` returns every visible task exactly once).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use support::{World, date, label, labels, sort, title};
use taskforge_domain::query::{CursorError, ListTasks, TaskFilter, TaskSort};
use taskforge_domain::services::TaskError;
use taskforge_domain::values::{PageLimit, Priority, SearchText, Status};
use taskforge_domain::{Actor, Task, TaskId};

fn ids(tasks: &[Task]) -> Vec<TaskId> {
    tasks.iter().map(|t| t.id).collect()
}

fn id_set(tasks: &[&Task]) -> HashSet<TaskId> {
    tasks.iter().map(|t| t.id).collect()
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

async fn visible_to(world: &World, actor: &Actor) -> HashSet<TaskId> {
    let all = world.list_all(actor, TaskFilter::default(), sort("created_at"), 200).await;
    all.iter().map(|t| t.id).collect()
}

// ===== visibility ===============================================================================

#[tokio::test]
async fn a_listing_holds_exactly_the_tasks_the_caller_may_see() {
    // Arrange: two projects, each with a private and a public task.
    let world = World::new();
    let team = world.team().await;
    let stranger = world.editor("stranger").await;
    let other = world.project(&stranger, "Other").await;
    let ours_private = world.task(&team.project, &team.owner, "ours, private").await;
    let ours_public = world.public_task(&team.project, &team.owner, "ours, public").await;
    let theirs_private = world.task(&other, &stranger, "theirs, private").await;
    let theirs_public = world.public_task(&other, &stranger, "theirs, public").await;

    // Act and assert: members see their project and public tasks elsewhere.
    for member in [team.owner, team.editor, team.viewer] {
        assert_eq!(
            visible_to(&world, &member).await,
            id_set(&[&ours_private, &ours_public, &theirs_public])
        );
    }
    // Non-members see public tasks only.
    for outsider in [team.outsider, team.outsider_viewer] {
        assert_eq!(visible_to(&world, &outsider).await, id_set(&[&ours_public, &theirs_public]));
    }
    assert_eq!(
        visible_to(&world, &stranger).await,
        id_set(&[&theirs_private, &theirs_public, &ours_public])
    );
    // Admins see everything.
    assert_eq!(
        visible_to(&world, &team.admin).await,
        id_set(&[&ours_private, &ours_public, &theirs_private, &theirs_public])
    );
}

#[tokio::test]
async fn a_filter_on_an_invisible_project_shows_only_its_public_tasks() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let private = world.task(&team.project, &team.owner, "private").await;
    let public = world.public_task(&team.project, &team.owner, "public").await;
    let filter = TaskFilter { project_id: Some(team.project.id), ..TaskFilter::default() };

    // Act
    let seen = world.list_all(&team.outsider, filter.clone(), sort("created_at"), 50).await;
    let seen_by_admin = world.list_all(&team.admin, filter, sort("created_at"), 50).await;

    // Assert
    assert_eq!(ids(&seen), [public.id]);
    assert_eq!(ids(&seen_by_admin), [private.id, public.id]);
}

// ===== filters ==================================================================================

#[tokio::test]
async fn every_filter_selects_the_matching_tasks_and_filters_combine() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let chore = world.category("chore").await;
    let other = world.project(&team.owner, "Other").await;

    let mut t1 = world.draft(team.project.id, &team.owner, "Fix login button");
    t1.priority = Priority::Low;
    t1.category_id = Some(bug.id);
    t1.assignee_id = Some(team.viewer.user_id);
    t1.labels = labels(&["ui"]);
    t1.due_date = Some(date("2026-02-01"));
    let t1 = world.insert(t1).await;

    let mut t2 = world.draft(team.project.id, &team.owner, "Deploy pipeline");
    t2.status = Status::InProgress;
    t2.priority = Priority::High;
    t2.category_id = Some(chore.id);
    t2.assignee_id = Some(team.editor.user_id);
    t2.labels = labels(&["ops", "ui"]);
    t2.due_date = Some(date("2026-03-01"));
    t2.parent_id = Some(t1.id);
    let t2 = world.insert(t2).await;

    let mut t3 = world.draft(team.project.id, &team.owner, "Write LOGIN docs");
    t3.status = Status::Done;
    t3.priority = Priority::Urgent;
    t3.parent_id = Some(t1.id);
    let t3 = world.insert(t3).await;

    let t4 = world.task(&other, &team.owner, "Other project").await;

    let cases: Vec<(&str, TaskFilter, Vec<&Task>)> = vec![
        ("none", TaskFilter::default(), vec![&t1, &t2, &t3, &t4]),
        (
            "project_id",
            TaskFilter { project_id: Some(team.project.id), ..TaskFilter::default() },
            vec![&t1, &t2, &t3],
        ),
        (
            "status",
            TaskFilter { status: Some(Status::Todo.into()), ..TaskFilter::default() },
            vec![&t1, &t4],
        ),
        (
            "priority",
            TaskFilter { priority: Some(Priority::High), ..TaskFilter::default() },
            vec![&t2],
        ),
        (
            "category_id",
            TaskFilter { category_id: Some(bug.id), ..TaskFilter::default() },
            vec![&t1],
        ),
        (
            "assignee_id",
            TaskFilter { assignee_id: Some(team.viewer.user_id), ..TaskFilter::default() },
            vec![&t1],
        ),
        ("label", TaskFilter { label: Some(label("ui")), ..TaskFilter::default() }, vec![&t1, &t2]),
        (
            "parent_id",
            TaskFilter { parent_id: Some(t1.id), ..TaskFilter::default() },
            vec![&t2, &t3],
        ),
        (
            "due_before (strict, undated never match)",
            TaskFilter { due_before: Some(date("2026-03-01")), ..TaskFilter::default() },
            vec![&t1],
        ),
        (
            "due_after (strict, undated never match)",
            TaskFilter { due_after: Some(date("2026-02-01")), ..TaskFilter::default() },
            vec![&t2],
        ),
        (
            "q (case-insensitive substring of the title)",
            TaskFilter { q: Some(SearchText::parse("login").unwrap()), ..TaskFilter::default() },
            vec![&t1, &t3],
        ),
        (
            "label and status together",
            TaskFilter {
                label: Some(label("ui")),
                status: Some(Status::InProgress.into()),
                ..TaskFilter::default()
            },
            vec![&t2],
        ),
        (
            "contradicting conditions",
            TaskFilter {
                project_id: Some(other.id),
                priority: Some(Priority::Urgent),
                ..TaskFilter::default()
            },
            vec![],
        ),
    ];

    for (name, filter, expected) in cases {
        // Act
        let listed = world.list_all(&team.admin, filter, sort("created_at"), 50).await;

        // Assert
        let listed: HashSet<TaskId> = ids(&listed).into_iter().collect();
        assert_eq!(listed, id_set(&expected), "filter {name}");
    }
}

// ===== sort orders ==============================================================================

#[tokio::test]
async fn every_sort_order_lists_tasks_in_that_order() {
    // Arrange: created in the order delta, Bravo, alpha, charlie.
    let world = World::new();
    let team = world.team().await;
    let specs = [
        ("delta", Priority::High, Some("2026-03-01")),
        ("Bravo", Priority::Low, None),
        ("alpha", Priority::Urgent, Some("2026-01-15")),
        ("charlie", Priority::Medium, Some("2026-02-01")),
    ];
    for (text, priority, due) in specs {
        let mut task = world.draft(team.project.id, &team.owner, text);
        task.priority = priority;
        task.due_date = due.map(date);
        world.insert(task).await;
    }
    let expectations = [
        ("created_at", ["delta", "Bravo", "alpha", "charlie"]),
        ("-created_at", ["charlie", "alpha", "Bravo", "delta"]),
        ("priority", ["Bravo", "charlie", "delta", "alpha"]),
        ("-priority", ["alpha", "delta", "charlie", "Bravo"]),
        // Undated tasks come after every dated one in ascending order, first in descending.
        ("due_date", ["alpha", "charlie", "delta", "Bravo"]),
        ("-due_date", ["Bravo", "delta", "charlie", "alpha"]),
        // By code point: capitals before lower case.
        ("title", ["Bravo", "alpha", "charlie", "delta"]),
        ("-title", ["delta", "charlie", "alpha", "Bravo"]),
    ];

    for (order, expected) in expectations {
        for limit in [1, 3, 200] {
            // Act
            let listed =
                world.list_all(&team.viewer, TaskFilter::default(), sort(order), limit).await;

            // Assert
            assert_eq!(titles(&listed), expected, "sort {order}, {limit} per page");
        }
    }
}

#[tokio::test]
async fn ties_are_broken_by_id_in_the_direction_of_the_sort() {
    // Arrange: three tasks alike in everything but id (ids grow with creation).
    let world = World::new();
    let team = world.team().await;
    let mut created = Vec::new();
    for _ in 0..3 {
        let mut task = world.draft(team.project.id, &team.owner, "same");
        task.due_date = Some(date("2026-04-01"));
        created.push(world.insert(task).await.id);
    }
    let mut reversed = created.clone();
    reversed.reverse();

    for order in ["priority", "due_date", "title"] {
        // Act
        let ascending = world.list_all(&team.viewer, TaskFilter::default(), sort(order), 1).await;
        let descending_order = format!("-{order}");
        let descending =
            world.list_all(&team.viewer, TaskFilter::default(), sort(&descending_order), 1).await;

        // Assert
        assert_eq!(ids(&ascending), created, "sort {order}");
        assert_eq!(ids(&descending), reversed, "sort -{order}");
    }
}

#[tokio::test]
async fn the_default_listing_is_newest_first_fifty_to_a_page() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let mut created = Vec::new();
    for n in 0..55 {
        created.push(world.task(&team.project, &team.owner, &format!("task {n}")).await.id);
    }
    created.reverse();

    // Act
    let page = world.tasks.list(&team.viewer, ListTasks::default()).await.unwrap();

    // Assert
    assert_eq!(ids(&page.items), created[..50]);
    assert!(page.next_cursor.is_some());
}

// ===== pagination ===============================================================================

#[tokio::test]
async fn walking_the_cursor_chain_returns_every_visible_task_exactly_once_in_every_sort() {
    // Arrange: 25 visible tasks with many ties, plus tasks the viewer may not see.
    let world = World::new();
    let team = world.team().await;
    let stranger = world.editor("stranger").await;
    let other = world.project(&stranger, "Other").await;
    let mut visible = HashSet::new();
    for n in 0..25_u8 {
        let mut task = world.draft(team.project.id, &team.owner, &format!("task {}", n % 7));
        task.priority = Priority::ALL[usize::from(n % 4)];
        task.due_date = (n % 3 != 0).then(|| date(&format!("2026-0{}-1{}", 1 + n % 5, n % 2)));
        visible.insert(world.insert(task).await.id);
    }
    for n in 0..6 {
        let task = world.task(&other, &stranger, &format!("hidden {n}")).await;
        assert!(!visible.contains(&task.id));
    }
    for n in 0..2 {
        visible.insert(world.public_task(&other, &stranger, &format!("public {n}")).await.id);
    }

    for order in TaskSort::ALL {
        let one_page = world.list_all(&team.viewer, TaskFilter::default(), order, 200).await;
        assert_eq!(one_page.len(), visible.len(), "sort {order}");
        for limit in [1, 2, 5, 7, 26, 27] {
            // Act
            let walked = world.list_all(&team.viewer, TaskFilter::default(), order, limit).await;

            // Assert: same tasks, same order, none twice, none missing.
            assert_eq!(ids(&walked), ids(&one_page), "sort {order}, {limit} per page");
            let distinct: HashSet<TaskId> = ids(&walked).into_iter().collect();
            assert_eq!(distinct, visible, "sort {order}, {limit} per page");
        }
    }
}

#[tokio::test]
async fn a_listing_that_fills_its_last_page_exactly_has_no_next_cursor() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    for n in 0..4 {
        world.task(&team.project, &team.owner, &format!("task {n}")).await;
    }
    let request = ListTasks { limit: PageLimit::new(2).unwrap(), ..ListTasks::default() };

    // Act
    let first = world.tasks.list(&team.viewer, request.clone()).await.unwrap();
    let second = world
        .tasks
        .list(&team.viewer, ListTasks { after: first.next_cursor.clone(), ..request })
        .await
        .unwrap();

    // Assert
    assert_eq!(first.items.len(), 2);
    assert!(first.next_cursor.is_some());
    assert_eq!(second.items.len(), 2);
    assert_eq!(second.next_cursor, None);
}

#[tokio::test]
async fn an_empty_listing_has_no_items_and_no_next_cursor() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;

    // Act
    let page = world.tasks.list(&viewer, ListTasks::default()).await.unwrap();

    // Assert
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn tasks_inserted_while_paging_cause_no_duplicates_or_gaps() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let mut originals = Vec::new();
    for n in 0..6 {
        originals.push(world.task(&team.project, &team.owner, &format!("task {n}")).await.id);
    }
    let limit = PageLimit::new(2).unwrap();

    for (order, new_one_is_listed) in [("created_at", true), ("-created_at", false)] {
        // Act: read a page, then someone inserts, then read on.
        let request = ListTasks { sort: sort(order), limit, ..ListTasks::default() };
        let first = world.tasks.list(&team.viewer, request.clone()).await.unwrap();
        let newcomer = world.task(&team.project, &team.owner, &format!("new for {order}")).await;
        let mut seen = ids(&first.items);
        let mut after = first.next_cursor;
        while let Some(cursor) = after {
            let next = ListTasks { after: Some(cursor), ..request.clone() };
            let page = world.tasks.list(&team.viewer, next).await.unwrap();
            seen.extend(ids(&page.items));
            after = page.next_cursor;
        }

        // Assert: every task that existed is seen once; the newcomer only where it sorts later.
        for id in &originals {
            assert_eq!(seen.iter().filter(|s| *s == id).count(), 1, "sort {order}");
        }
        assert_eq!(seen.contains(&newcomer.id), new_one_is_listed, "sort {order}");
        originals.push(newcomer.id);
    }
}

#[tokio::test]
async fn a_cursor_from_another_sort_order_is_refused() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    for n in 0..3 {
        world.task(&team.project, &team.owner, &format!("task {n}")).await;
    }
    let by_priority = ListTasks {
        sort: sort("priority"),
        limit: PageLimit::new(1).unwrap(),
        ..ListTasks::default()
    };
    let cursor = world.tasks.list(&team.viewer, by_priority).await.unwrap().next_cursor.unwrap();

    for order in TaskSort::ALL.into_iter().filter(|o| o.to_string() != "priority") {
        // Act
        let request =
            ListTasks { sort: order, after: Some(cursor.clone()), ..ListTasks::default() };
        let result = world.tasks.list(&team.viewer, request).await;

        // Assert
        assert!(
            matches!(
                result,
                Err(TaskError::InvalidCursor(CursorError::SortMismatch { issued_for, requested }))
                    if issued_for == sort("priority") && requested == order
            ),
            "sort {order}: {result:?}"
        );
    }
    assert!(world.event_names().is_empty(), "reading publishes nothing");
}

#[tokio::test]
async fn a_cursor_survives_its_wire_form() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    for n in 0..3 {
        world.task(&team.project, &team.owner, &format!("Ünïcode, \"quoted\" {n}")).await;
    }
    let request = ListTasks {
        sort: sort("-title"),
        limit: PageLimit::new(1).unwrap(),
        ..ListTasks::default()
    };
    let first = world.tasks.list(&team.viewer, request.clone()).await.unwrap();
    let cursor = first.next_cursor.unwrap();

    // Act
    let decoded = taskforge_domain::query::Cursor::from_bytes(&cursor.to_bytes()).unwrap();
    let second =
        world.tasks.list(&team.viewer, ListTasks { after: Some(decoded), ..request }).await;

    // Assert
    let second = second.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_ne!(second.items[0].id, first.items[0].id);
    assert_eq!(second.items[0].title, title("Ünïcode, \"quoted\" 1"));
}
