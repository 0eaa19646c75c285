//! The category use cases through the in-memory store: everyone reads, editors create,
//! admins rename and delete; names are unique ignoring case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{World, category_name};
use taskforge_domain::CategoryId;
use taskforge_domain::commands::CreateCategory;
use taskforge_domain::events::EventKind;
use taskforge_domain::query::CategoryCursor;
use taskforge_domain::services::{BucketSettings, CategoryError, CategoryService};
use taskforge_domain::values::PageLimit;
use taskforge_testkit::FixedClock;

fn create(name: &str) -> CreateCategory {
    CreateCategory { name: category_name(name) }
}

// ===== list =====================================================================================

#[tokio::test]
async fn every_role_can_list_the_categories_by_name_ignoring_case() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;
    let editor = world.editor("eddie").await;
    let admin = world.admin("ada").await;
    for name in ["chore", "Bug", "docs"] {
        world.category(name).await;
    }

    for actor in [viewer, editor, admin] {
        // Act
        let page = world.categories.list(&actor, None, PageLimit::DEFAULT).await.unwrap();

        // Assert
        let names: Vec<&str> = page.items.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Bug", "chore", "docs"]);
        assert_eq!(page.next_cursor, None);
    }
    assert!(world.event_names().is_empty());
}

#[tokio::test]
async fn the_categories_come_a_page_at_a_time_each_once_in_name_order() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;
    let names = ["b", "C", "a", "E", "d", "g", "F"];
    for name in names {
        world.category(name).await;
    }
    let limit = PageLimit::new(3).unwrap();

    // Act: walk every page, passing each page's cursor back.
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = world.categories.list(&viewer, after, limit).await.unwrap();
        pages.push(page.items.iter().map(|c| c.name.to_string()).collect::<Vec<_>>());
        match page.next_cursor {
            Some(cursor) => after = Some(CategoryCursor::decode(&cursor.encode()).unwrap()),
            None => break,
        }
    }

    // Assert
    assert_eq!(pages, [vec!["a", "b", "C"], vec!["d", "E", "F"], vec!["g"]]);
}

#[tokio::test]
async fn a_category_is_read_by_id_and_an_unknown_id_is_not_found() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;
    let bug = world.category("Bug").await;
    world.category("Chore").await;

    // Act
    let found = world.categories.get(&viewer, bug.id).await;
    let unknown = world.categories.get(&viewer, CategoryId::new()).await;

    // Assert
    assert_eq!(found.unwrap(), bug);
    assert!(matches!(unknown, Err(CategoryError::NotFound)), "{unknown:?}");
}

// ===== create ===================================================================================

/// A category service on `world`'s store with a budget of `burst` creations per user,
/// regaining one a minute, and a clock the test moves.
fn budgeted(world: &World, burst: u32) -> (CategoryService, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::default_instant());
    let service = CategoryService::new(
        Arc::clone(&world.repos.categories),
        clock.clone(),
        world.events.clone(),
    )
    .with_creation_budget(BucketSettings::new(burst, Duration::from_secs(60)));
    (service, clock)
}

#[tokio::test]
async fn an_editor_who_spent_their_creation_budget_waits_for_it_to_refill() {
    // Arrange
    let world = World::new();
    let (eddie, erin) = (world.editor("eddie").await, world.editor("erin").await);
    let (service, clock) = budgeted(&world, 2);
    service.create(&eddie, create("One")).await.unwrap();
    service.create(&eddie, create("Two")).await.unwrap();
    let before = world.snapshot().await;

    // Act
    let refused = service.create(&eddie, create("Three")).await;

    // Assert: refused with the wait, nothing stored; others keep their own budget.
    match refused {
        Err(CategoryError::Throttled { retry_after }) => {
            assert_eq!(retry_after, Duration::from_secs(60));
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    world.assert_unchanged_since(&before).await;
    service.create(&erin, create("Erin's")).await.unwrap();
    clock.advance(59_000_000);
    assert!(matches!(
        service.create(&eddie, create("Three")).await,
        Err(CategoryError::Throttled { .. })
    ));
    clock.advance(1_000_000);
    service.create(&eddie, create("Three")).await.unwrap();
}

#[tokio::test]
async fn refused_creations_count_against_the_budget_and_admins_have_none() {
    // Arrange
    let world = World::new();
    let (eddie, ada) = (world.editor("eddie").await, world.admin("ada").await);
    let (service, _clock) = budgeted(&world, 2);
    service.create(&eddie, create("Bug")).await.unwrap();

    // Act
    let duplicate = service.create(&eddie, create("bug")).await;
    let after_duplicate = service.create(&eddie, create("Chore")).await;
    let by_admin: Vec<_> = (0..10).map(|i| create(&format!("Admin's {i}"))).collect();

    // Assert
    assert!(matches!(duplicate, Err(CategoryError::Duplicate)), "{duplicate:?}");
    assert!(matches!(after_duplicate, Err(CategoryError::Throttled { .. })), "{after_duplicate:?}");
    for cmd in by_admin {
        service.create(&ada, cmd).await.unwrap();
    }
}

#[tokio::test]
async fn an_editor_creates_a_category() {
    // Arrange
    let world = World::new();
    let editor = world.editor("eddie").await;

    // Act
    let category = world.categories.create(&editor, create(" Bug ")).await.unwrap();

    // Assert
    assert_eq!(category.name.as_str(), "Bug");
    assert_eq!(world.stored_category(category.id).await, Some(category.clone()));
    assert_eq!(world.event_names(), ["category_created"]);
    let event = world.events.events().pop().unwrap();
    assert_eq!(event.actor, Some(editor.user_id));
    assert_eq!(event.kind, EventKind::CategoryCreated(Box::new(category)));
}

#[tokio::test]
async fn an_admin_creates_a_category() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let category = world.categories.create(&admin, create("chore")).await;

    // Assert
    assert_eq!(category.unwrap().name.as_str(), "chore");
    assert_eq!(world.event_names(), ["category_created"]);
}

#[tokio::test]
async fn a_viewer_cannot_create_a_category() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;
    let before = world.snapshot().await;

    // Act
    let result = world.categories.create(&viewer, create("mine")).await;

    // Assert
    assert!(matches!(result, Err(CategoryError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_category_name_taken_in_any_case_is_a_duplicate() {
    // Arrange
    let world = World::new();
    let editor = world.editor("eddie").await;
    world.category("Bug").await;
    let before = world.snapshot().await;

    for name in ["Bug", "bug", "BUG", "  bUg "] {
        // Act
        let result = world.categories.create(&editor, create(name)).await;

        // Assert
        assert!(matches!(result, Err(CategoryError::Duplicate)), "{name}: {result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

// ===== rename ===================================================================================

#[tokio::test]
async fn an_admin_renames_a_category() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let bug = world.category("bug").await;

    // Act
    let renamed = world.categories.rename(&admin, bug.id, category_name("defect")).await.unwrap();

    // Assert
    assert_eq!(renamed.id, bug.id);
    assert_eq!(renamed.name.as_str(), "defect");
    assert_eq!(renamed.created_at, bug.created_at);
    assert_eq!(world.stored_category(bug.id).await, Some(renamed.clone()));
    assert_eq!(world.event_names(), ["category_renamed"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::CategoryRenamed(Box::new(renamed))
    );
}

#[tokio::test]
async fn a_category_may_be_renamed_to_another_case_of_its_own_name() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let bug = world.category("bug").await;

    // Act
    let renamed = world.categories.rename(&admin, bug.id, category_name("Bug")).await;

    // Assert
    assert_eq!(renamed.unwrap().name.as_str(), "Bug");
    assert_eq!(world.event_names(), ["category_renamed"]);
}

#[tokio::test]
async fn renaming_a_category_to_its_current_name_publishes_nothing() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let bug = world.category("bug").await;
    let before = world.snapshot().await;

    // Act
    let result = world.categories.rename(&admin, bug.id, category_name("bug")).await;

    // Assert
    assert_eq!(result.unwrap(), bug);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn renaming_a_category_to_a_taken_name_is_a_duplicate() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let bug = world.category("bug").await;
    world.category("Chore").await;
    let before = world.snapshot().await;

    // Act
    let result = world.categories.rename(&admin, bug.id, category_name("chore")).await;

    // Assert
    assert!(matches!(result, Err(CategoryError::Duplicate)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn only_admins_may_rename_or_delete_a_category() {
    // Arrange
    let world = World::new();
    let editor = world.editor("eddie").await;
    let viewer = world.viewer("vera").await;
    let bug = world.category("bug").await;
    let before = world.snapshot().await;

    for actor in [editor, viewer] {
        // Act
        let rename = world.categories.rename(&actor, bug.id, category_name("mine")).await;
        let delete = world.categories.delete(&actor, bug.id).await;

        // Assert
        assert!(matches!(rename, Err(CategoryError::Forbidden)), "{rename:?}");
        assert!(matches!(delete, Err(CategoryError::Forbidden)), "{delete:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn renaming_or_deleting_a_category_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let before = world.snapshot().await;

    // Act
    let rename = world.categories.rename(&admin, CategoryId::new(), category_name("x")).await;
    let delete = world.categories.delete(&admin, CategoryId::new()).await;

    // Assert
    assert!(matches!(rename, Err(CategoryError::NotFound)), "{rename:?}");
    assert!(matches!(delete, Err(CategoryError::NotFound)), "{delete:?}");
    world.assert_unchanged_since(&before).await;
}

// ===== delete ===================================================================================

#[tokio::test]
async fn an_admin_deletes_a_category_and_it_is_cleared_from_its_tasks() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let chore = world.category("chore").await;
    let mut draft = world.draft(team.project.id, &team.owner, "A bug");
    draft.category_id = Some(bug.id);
    let tagged = world.insert(draft).await;
    let mut draft = world.draft(team.project.id, &team.owner, "A chore");
    draft.category_id = Some(chore.id);
    let other = world.insert(draft).await;

    // Act
    world.categories.delete(&team.admin, bug.id).await.unwrap();

    // Assert
    assert_eq!(world.stored_category(bug.id).await, None);
    let cleared = world.stored(tagged.id).await.unwrap();
    assert_eq!(cleared.category_id, None);
    assert_eq!(cleared.version, tagged.version.next());
    assert!(cleared.updated_at > tagged.updated_at);
    assert_eq!(world.stored(other.id).await, Some(other));
    assert_eq!(world.event_names(), ["category_deleted"]);
    assert_eq!(world.events.events().pop().unwrap().kind, EventKind::CategoryDeleted(bug.id));
}
