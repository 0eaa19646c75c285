//! The contract of [`taskforge_domain::ports::CategoryRepository`].

use super::fixtures::{
    at, category, category_name, owner_and_project, stored_category, stored_task,
    stored_task_by_id, task,
};
use std::collections::HashMap;

use taskforge_domain::id::{CategoryId, UserId};
use taskforge_domain::model::{Category, Task};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError};

fn names(categories: &[Category]) -> Vec<&str> {
    categories.iter().map(|c| c.name.as_str()).collect()
}

/// Every stored category, in one page.
async fn all(repos: &Repositories) -> Vec<Category> {
    repos.categories.list(None, usize::MAX).await.expect("list succeeds")
}

/// `insert` stores the category and `get` returns it as stored, field for field.
pub async fn an_inserted_category_can_be_read_back_by_id(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;

    let found = repos.categories.get(bug.id).await.expect("get succeeds");

    assert_eq!(found, Some(bug), "get returns the category exactly as inserted");
}

/// `get` of an id nobody has returns `None`, not an error.
pub async fn getting_an_unknown_category_returns_none(repos: Repositories) {
    stored_category(&repos, category("Bug")).await;

    let found = repos.categories.get(CategoryId::new()).await.expect("get of unknown id works");

    assert_eq!(found, None, "get of an unknown id returns None");
}

/// `insert` of a category whose id is taken is [`RepositoryError::Duplicate`] and keeps the
/// stored category.
pub async fn inserting_a_category_with_a_taken_id_is_a_duplicate(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;
    let copy = Category { name: category_name("Chore"), ..bug.clone() };

    let result = repos.categories.insert(&copy).await;

    assert_err!(result, RepositoryError::Duplicate(Entity::Category), "insert with a taken id");
    let listed = all(&repos).await;
    assert_eq!(listed, [bug], "the stored category is unchanged and nothing was added");
}

/// `insert` of a category whose name equals another's ignoring case is
/// [`RepositoryError::Duplicate`] and stores nothing.
pub async fn inserting_a_category_with_a_taken_name_ignoring_case_is_a_duplicate(
    repos: Repositories,
) {
    let bug = stored_category(&repos, category("Bug")).await;

    for twin in ["Bug", "BUG", "bug"] {
        let result = repos.categories.insert(&category(twin)).await;
        assert_err!(result, RepositoryError::Duplicate(Entity::Category), "insert of {twin:?}");
    }
    let listed = all(&repos).await;
    assert_eq!(listed, [bug], "only the first category is stored");
}

/// Category names are unique ignoring case as [`CategoryName::unique_key`] defines it, which
/// folds non-ASCII letters too.
///
/// [`CategoryName::unique_key`]: taskforge_domain::values::CategoryName::unique_key
pub async fn category_names_are_unique_ignoring_case_beyond_ascii(repos: Repositories) {
    let first = stored_category(&repos, category("Überprüfung")).await;
    let other = stored_category(&repos, category("Ärger")).await;

    let insert = repos.categories.insert(&category("üBERPRÜFUNG")).await;
    let rename = Category { name: category_name("ärger"), ..first.clone() };
    let update = repos.categories.update(&rename).await;

    assert_err!(insert, RepositoryError::Duplicate(Entity::Category), "insert of üBERPRÜFUNG");
    assert_err!(update, RepositoryError::Duplicate(Entity::Category), "rename to ärger");
    let listed = all(&repos).await;
    assert_eq!(listed.len(), 2, "nothing was added: {:?}", names(&listed));
    assert!(listed.contains(&first) && listed.contains(&other), "both are unchanged");
}

/// `list` returns every category ordered by name ignoring case.
pub async fn categories_are_listed_by_name_ignoring_case(repos: Repositories) {
    for name in ["gamma", "Delta", "beta", "Alpha"] {
        stored_category(&repos, category(name)).await;
    }

    let listed = all(&repos).await;

    // By code point it would be Alpha, Delta, beta, gamma.
    assert_eq!(names(&listed), ["Alpha", "beta", "Delta", "gamma"], "by name ignoring case");
}

/// `list` returns at most `limit` categories, strictly after `after` ignoring case — also
/// after a name no stored category has (one deleted or renamed since the page was read).
pub async fn categories_are_listed_a_page_at_a_time_after_the_given_name(repos: Repositories) {
    for name in ["epsilon", "gamma", "Delta", "beta", "Alpha"] {
        stored_category(&repos, category(name)).await;
    }
    let page = |after: Option<&str>, limit| {
        let repos = repos.clone();
        let after = after.map(category_name);
        async move {
            let listed = repos.categories.list(after.as_ref(), limit).await.expect("list works");
            listed.into_iter().map(|c| c.name.to_string()).collect::<Vec<_>>()
        }
    };

    assert_eq!(page(None, 2).await, ["Alpha", "beta"], "the first page");
    assert_eq!(page(Some("beta"), 2).await, ["Delta", "epsilon"], "after the first page");
    assert_eq!(page(Some("epsilon"), 2).await, ["gamma"], "the last page");
    assert_eq!(page(Some("gamma"), 2).await, Vec::<String>::new(), "after the last one");
    assert_eq!(page(Some("BETA"), 1).await, ["Delta"], "after a name ignoring case");
    assert_eq!(page(Some("Charlie"), 1).await, ["Delta"], "after a name nobody has");
    assert_eq!(page(None, 0).await, Vec::<String>::new(), "a limit of zero");
}

/// `names` maps the ids of stored categories to their names and leaves unknown ids out;
/// repeated ids are fine and no ids at all is an empty map.
pub async fn names_maps_known_category_ids_and_leaves_unknown_ones_out(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;
    let chore = stored_category(&repos, category("Chore")).await;
    stored_category(&repos, category("Unasked")).await;
    let ghost = CategoryId::new();

    let found = repos.categories.names(&[bug.id, ghost, chore.id, bug.id]).await.expect("names");
    let none = repos.categories.names(&[]).await.expect("names of nothing");

    let expected = HashMap::from([(bug.id, bug.name), (chore.id, chore.name)]);
    assert_eq!(found, expected, "known ids only, each once");
    assert!(none.is_empty(), "no ids, no names");
}

/// `update` replaces the stored name; renaming a category to its own name in another case
/// is not a duplicate.
pub async fn updating_a_category_renames_it(repos: Repositories) {
    let bug = stored_category(&repos, category("bug")).await;
    let renamed = Category { name: category_name("Defect"), ..bug.clone() };
    let recased = Category { name: category_name("DEFECT"), ..bug.clone() };

    repos.categories.update(&renamed).await.expect("update succeeds");
    let after_rename = repos.categories.get(bug.id).await.expect("get succeeds");
    repos.categories.update(&recased).await.expect("changing only the case of its own name works");
    let after_recase = repos.categories.get(bug.id).await.expect("get succeeds");

    assert_eq!(after_rename, Some(renamed), "the name is replaced");
    assert_eq!(after_recase, Some(recased), "the new case is stored");
    let free = repos.categories.insert(&category("Bug")).await;
    assert!(free.is_ok(), "the old name is free again after a rename: {free:?}");
}

/// `update` replaces only the name: the stored `created_at` stays.
pub async fn updating_a_category_keeps_its_created_at(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;
    let changed = Category { name: category_name("Defect"), created_at: at(999), ..bug.clone() };

    repos.categories.update(&changed).await.expect("update succeeds");

    let stored = repos.categories.get(bug.id).await.expect("get succeeds");
    let expected = Category { created_at: bug.created_at, ..changed };
    assert_eq!(stored, Some(expected), "the name is replaced, created_at is not");
}

/// `update` to a name another category has, ignoring case, is [`RepositoryError::Duplicate`]
/// and changes nothing.
pub async fn renaming_a_category_to_a_taken_name_ignoring_case_is_a_duplicate(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;
    let chore = stored_category(&repos, category("Chore")).await;
    let clash = Category { name: category_name("bUG"), ..chore.clone() };

    let result = repos.categories.update(&clash).await;

    assert_err!(result, RepositoryError::Duplicate(Entity::Category), "rename to a taken name");
    let listed = all(&repos).await;
    assert_eq!(listed, [bug, chore], "both categories are unchanged");
}

/// `update` of an id nobody has is [`RepositoryError::NotFound`] and stores nothing.
pub async fn updating_an_unknown_category_is_not_found(repos: Repositories) {
    let ghost = category("Ghost");

    let result = repos.categories.update(&ghost).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Category), "update of unknown id");
    let listed = all(&repos).await;
    assert!(listed.is_empty(), "update did not insert: {:?}", names(&listed));
}

/// `delete` removes the category and clears it from every task that had it (version +1,
/// `updated_at = at`); other tasks are unchanged.
pub async fn deleting_a_category_clears_it_from_its_tasks(repos: Repositories) {
    let (alice, first) = owner_and_project(&repos, "alice", "First").await;
    let (bob, second) = owner_and_project(&repos, "bob", "Second").await;
    let bug = stored_category(&repos, category("Bug")).await;
    let chore = stored_category(&repos, category("Chore")).await;
    let buggy = [
        stored_task(&repos, Task { category_id: Some(bug.id), ..task(&first, &alice, "One") })
            .await,
        stored_task(&repos, Task { category_id: Some(bug.id), ..task(&second, &bob, "Two") }).await,
    ];
    let chores =
        stored_task(&repos, Task { category_id: Some(chore.id), ..task(&first, &alice, "Three") })
            .await;
    let plain = stored_task(&repos, task(&first, &alice, "Four")).await;
    let when = at(3_600);

    repos.categories.delete(bug.id, alice.id, when).await.expect("delete succeeds");

    assert_eq!(repos.categories.get(bug.id).await.expect("get"), None, "the category is gone");
    assert_eq!(all(&repos).await, [chore], "others stay");
    for before in &buggy {
        let after = stored_task_by_id(&repos, before.id).await;
        let expected = Task {
            category_id: None,
            version: before.version.next(),
            updated_at: when,
            ..before.clone()
        };
        assert_eq!(
            after, expected,
            "{}: category cleared, version +1, updated_at = at",
            after.title
        );
    }
    assert_eq!(stored_task_by_id(&repos, chores.id).await, chores, "other categories' tasks stay");
    assert_eq!(stored_task_by_id(&repos, plain.id).await, plain, "uncategorised tasks stay");
}

/// `delete` of an id nobody has is [`RepositoryError::NotFound`].
pub async fn deleting_an_unknown_category_is_not_found(repos: Repositories) {
    let bug = stored_category(&repos, category("Bug")).await;

    let result = repos.categories.delete(CategoryId::new(), UserId::new(), at(60)).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Category), "delete of unknown id");
    assert_eq!(all(&repos).await, [bug], "nothing was deleted");
}
