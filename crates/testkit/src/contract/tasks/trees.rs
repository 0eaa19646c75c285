//! Subtask trees: `ancestors`, `descendants`, `delete` and `move_tree`.

use std::collections::BTreeSet;

use crate::contract::fixtures::{
    at, owner_and_project, project, stored_project, stored_task, stored_task_by_id, subtask, task,
    version,
};
use taskforge_domain::id::{ProjectId, TaskId};
use taskforge_domain::model::{Task, User};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError, TreeGuards};

/// A project with an owner and a subtask tree:
///
/// ```text
/// root ─┬─ a ─┬─ a1 ── a1x
///       │     └─ a2
///       └─ b ──── b1
/// other            (a second root in the same project)
/// ```
///
/// `a1x` is created first and moved under `a1` afterwards, so it has the oldest id of all:
/// an adapter that returns trees in id order instead of parents first is caught.
struct Tree {
    owner: User,
    root: Task,
    a: Task,
    a1: Task,
    a1x: Task,
    a2: Task,
    b: Task,
    b1: Task,
    other: Task,
}

impl Tree {
    async fn stored(repos: &Repositories) -> Self {
        let (owner, project) = owner_and_project(repos, "alice", "Tree").await;
        let early = stored_task(repos, task(&project, &owner, "a1x")).await;
        let root = stored_task(repos, task(&project, &owner, "root")).await;
        let a = stored_task(repos, subtask(&root, "a")).await;
        let b = stored_task(repos, subtask(&root, "b")).await;
        let a1 = stored_task(repos, subtask(&a, "a1")).await;
        let a2 = stored_task(repos, subtask(&a, "a2")).await;
        let b1 = stored_task(repos, subtask(&b, "b1")).await;
        let a1x = Task { parent_id: Some(a1.id), version: early.version.next(), ..early.clone() };
        repos
            .tasks
            .update(
                &a1x,
                early.version,
                &TreeGuards::none(),
                &crate::contract::fixtures::entry(a1x.id),
            )
            .await
            .expect("re-parenting a1x succeeds");
        let other = stored_task(repos, task(&project, &owner, "other")).await;
        Self { owner, root, a, a1, a1x, a2, b, b1, other }
    }

    fn all(&self) -> [&Task; 8] {
        [&self.root, &self.a, &self.a1, &self.a1x, &self.a2, &self.b, &self.b1, &self.other]
    }

    fn name(&self, id: TaskId) -> String {
        self.all()
            .into_iter()
            .find(|t| t.id == id)
            .map_or_else(|| format!("unknown task {id}"), |t| t.title.to_string())
    }

    fn names(&self, ids: impl IntoIterator<Item = TaskId>) -> Vec<String> {
        ids.into_iter().map(|id| self.name(id)).collect()
    }
}

fn ids(tasks: &[Task]) -> Vec<TaskId> {
    tasks.iter().map(|t| t.id).collect()
}

/// Panics unless every task in `tasks` comes after its parent (when its parent is listed).
fn assert_parents_first(tree: &Tree, tasks: &[Task], context: &str) {
    for (i, t) in tasks.iter().enumerate() {
        if let Some(parent) = t.parent_id
            && let Some(p) = tasks.iter().position(|x| x.id == parent)
        {
            assert!(
                p < i,
                "{context}: {} is listed before its parent {}: {:?}",
                t.title,
                tree.name(parent),
                tree.names(ids(tasks))
            );
        }
    }
}

/// `ancestors` runs from the parent to the root; empty for a root task or an unknown id.
pub async fn ancestors_run_from_the_parent_to_the_root(repos: Repositories) {
    let tree = Tree::stored(&repos).await;

    let of_leaf = repos.tasks.ancestors(tree.a1x.id).await.expect("ancestors succeeds");
    let of_child = repos.tasks.ancestors(tree.b.id).await.expect("ancestors succeeds");
    let of_root = repos.tasks.ancestors(tree.root.id).await.expect("ancestors succeeds");
    let of_unknown = repos.tasks.ancestors(TaskId::new()).await.expect("ancestors succeeds");

    assert_eq!(
        of_leaf,
        [tree.a1.clone(), tree.a.clone(), tree.root.clone()],
        "ancestors of a1x: parent first, root last, as stored"
    );
    assert_eq!(of_child, std::slice::from_ref(&tree.root), "ancestors of b");
    assert!(of_root.is_empty(), "a root has no ancestors: {:?}", tree.names(ids(&of_root)));
    assert!(of_unknown.is_empty(), "an unknown id has no ancestors");
}

/// `descendants` returns every task below, each once, parents before their children; empty
/// for a leaf or an unknown id.
pub async fn descendants_list_parents_before_their_children(repos: Repositories) {
    let tree = Tree::stored(&repos).await;

    let of_root = repos.tasks.descendants(tree.root.id).await.expect("descendants succeeds");
    let of_a = repos.tasks.descendants(tree.a.id).await.expect("descendants succeeds");
    let of_leaf = repos.tasks.descendants(tree.a2.id).await.expect("descendants succeeds");
    let of_unknown = repos.tasks.descendants(TaskId::new()).await.expect("descendants works");

    let expected_root: BTreeSet<TaskId> =
        [&tree.a, &tree.a1, &tree.a1x, &tree.a2, &tree.b, &tree.b1].iter().map(|t| t.id).collect();
    assert_eq!(
        of_root.len(),
        expected_root.len(),
        "each descendant once: {:?}",
        tree.names(ids(&of_root))
    );
    assert_eq!(
        ids(&of_root).into_iter().collect::<BTreeSet<_>>(),
        expected_root,
        "descendants of root: {:?}",
        tree.names(ids(&of_root))
    );
    assert_parents_first(&tree, &of_root, "descendants of root");
    let expected_a: BTreeSet<TaskId> =
        [&tree.a1, &tree.a1x, &tree.a2].iter().map(|t| t.id).collect();
    assert_eq!(of_a.len(), 3, "each descendant of a once: {:?}", tree.names(ids(&of_a)));
    assert_eq!(ids(&of_a).into_iter().collect::<BTreeSet<_>>(), expected_a, "descendants of a");
    assert_parents_first(&tree, &of_a, "descendants of a");
    for found in of_root.iter().chain(&of_a) {
        let stored = tree.all().into_iter().find(|t| t.id == found.id).expect("known task");
        assert_eq!(found, stored, "descendants are returned as stored");
    }
    assert!(of_leaf.is_empty(), "a leaf has no descendants: {:?}", tree.names(ids(&of_leaf)));
    assert!(of_unknown.is_empty(), "an unknown id has no descendants");
}

/// `ancestors` stops after 64 steps, so corrupt (cyclic) data cannot make it loop. The store
/// does not refuse a cycle itself: preventing one is the service's job.
pub async fn ancestors_stop_after_64_steps_on_cyclic_data(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let a = stored_task(&repos, task(&project, &alice, "a")).await;
    let b = stored_task(&repos, subtask(&a, "b")).await;
    let cyclic = Task { parent_id: Some(b.id), version: a.version.next(), ..a.clone() };
    repos
        .tasks
        .update(
            &cyclic,
            a.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(cyclic.id),
        )
        .await
        .expect("the store accepts the cycle");

    let chain = repos.tasks.ancestors(a.id).await.expect("ancestors succeeds");

    assert!(!chain.is_empty(), "a task in a cycle has a parent");
    assert_eq!(chain[0].id, b.id, "the parent comes first");
    assert!(chain.len() <= 64, "ancestors stops after 64 steps, returned {}", chain.len());
}

/// `delete` removes the task and its whole subtree and returns the deleted ids, the task
/// first; the rest of the tree stays.
pub async fn deleting_a_task_removes_its_subtree_and_returns_the_ids_task_first(
    repos: Repositories,
) {
    let tree = Tree::stored(&repos).await;

    let (deleted, _) = repos
        .tasks
        .delete(tree.a.id, &crate::contract::fixtures::entry(tree.a.id))
        .await
        .expect("delete succeeds");

    assert_eq!(
        deleted.first(),
        Some(&tree.a.id),
        "the task's id comes first: {:?}",
        tree.names(deleted.clone())
    );
    let expected: BTreeSet<TaskId> =
        [&tree.a, &tree.a1, &tree.a1x, &tree.a2].iter().map(|t| t.id).collect();
    assert_eq!(deleted.len(), expected.len(), "each id once: {:?}", tree.names(deleted.clone()));
    assert_eq!(
        deleted.iter().copied().collect::<BTreeSet<_>>(),
        expected,
        "the ids of the subtree"
    );
    for gone in [&tree.a, &tree.a1, &tree.a1x, &tree.a2] {
        let found = repos.tasks.get(gone.id).await.expect("get succeeds");
        assert_eq!(found, None, "{} was deleted", gone.title);
    }
    for kept in [&tree.root, &tree.b, &tree.b1, &tree.other] {
        assert_eq!(stored_task_by_id(&repos, kept.id).await, *kept, "{} is unchanged", kept.title);
    }
    let left = repos.tasks.descendants(tree.root.id).await.expect("descendants succeeds");
    assert_eq!(ids(&left), [tree.b.id, tree.b1.id], "root keeps only the b branch");
}

/// `delete` of an id nobody has is [`RepositoryError::NotFound`].
pub async fn deleting_an_unknown_task_is_not_found(repos: Repositories) {
    let tree = Tree::stored(&repos).await;

    let result =
        repos.tasks.delete(TaskId::new(), &crate::contract::fixtures::entry(TaskId::new())).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Task), "delete of an unknown task");
    for kept in tree.all() {
        assert_eq!(stored_task_by_id(&repos, kept.id).await, *kept, "{} is unchanged", kept.title);
    }
}

/// `move_tree` moves the task and all its descendants to the project; the task loses its
/// parent, every moved task gets version +1 and `updated_at = at`, and the moved tasks are
/// returned as stored, the task first. The rest of the tree stays.
pub async fn moving_a_task_moves_it_and_all_its_descendants(repos: Repositories) {
    let tree = Tree::stored(&repos).await;
    let target = stored_project(&repos, project(&tree.owner, "Target")).await;
    let when = at(7_200);

    let (moved, _) = repos
        .tasks
        .move_tree(
            tree.a.id,
            target.id,
            tree.a.version,
            when,
            &crate::contract::fixtures::entry(tree.a.id),
        )
        .await
        .expect("move_tree succeeds");

    let subtree = [&tree.a, &tree.a1, &tree.a1x, &tree.a2];
    assert_eq!(
        moved.first().map(|t| t.id),
        Some(tree.a.id),
        "the task comes first: {:?}",
        tree.names(ids(&moved))
    );
    assert_eq!(moved.len(), subtree.len(), "each moved task once: {:?}", tree.names(ids(&moved)));
    for before in subtree {
        let expected = Task {
            project_id: target.id,
            parent_id: if before.id == tree.a.id { None } else { before.parent_id },
            version: before.version.next(),
            updated_at: when,
            ..before.clone()
        };
        let stored = stored_task_by_id(&repos, before.id).await;
        assert_eq!(
            stored, expected,
            "{} moved: project, parent, version +1, updated_at",
            before.title
        );
        let returned = moved.iter().find(|t| t.id == before.id);
        assert_eq!(returned, Some(&expected), "{} is returned as stored", before.title);
    }
    for kept in [&tree.root, &tree.b, &tree.b1, &tree.other] {
        assert_eq!(stored_task_by_id(&repos, kept.id).await, *kept, "{} stays", kept.title);
    }
    let ancestors = repos.tasks.ancestors(tree.a.id).await.expect("ancestors succeeds");
    assert!(ancestors.is_empty(), "the moved task is a root now");
    let left = repos.tasks.descendants(tree.root.id).await.expect("descendants succeeds");
    assert_eq!(ids(&left), [tree.b.id, tree.b1.id], "the old parent keeps only the b branch");
    let below = repos.tasks.descendants(tree.a.id).await.expect("descendants succeeds");
    assert_eq!(below.len(), 3, "the moved task keeps its subtree: {:?}", tree.names(ids(&below)));
}

/// `move_tree` with an `expected` version other than the stored one is
/// [`RepositoryError::VersionConflict`] and moves nothing.
pub async fn moving_a_task_with_a_stale_version_is_a_version_conflict(repos: Repositories) {
    let tree = Tree::stored(&repos).await;
    let target = stored_project(&repos, project(&tree.owner, "Target")).await;

    let result = repos
        .tasks
        .move_tree(
            tree.a.id,
            target.id,
            version(2),
            at(7_200),
            &crate::contract::fixtures::entry(tree.a.id),
        )
        .await;

    assert_err!(result, RepositoryError::VersionConflict(Entity::Task), "move expecting v2 at v1");
    for kept in tree.all() {
        assert_eq!(stored_task_by_id(&repos, kept.id).await, *kept, "{} did not move", kept.title);
    }
}

/// `move_tree` to a project that does not exist is [`RepositoryError::MissingReference`] and
/// moves nothing.
pub async fn moving_a_task_to_an_unknown_project_is_a_missing_reference(repos: Repositories) {
    let tree = Tree::stored(&repos).await;

    let result = repos
        .tasks
        .move_tree(
            tree.a.id,
            ProjectId::new(),
            tree.a.version,
            at(7_200),
            &crate::contract::fixtures::entry(tree.a.id),
        )
        .await;

    assert_err!(
        result,
        RepositoryError::MissingReference(Entity::Project),
        "move to an unknown project"
    );
    for kept in tree.all() {
        assert_eq!(stored_task_by_id(&repos, kept.id).await, *kept, "{} did not move", kept.title);
    }
}

/// `move_tree` of an id nobody has is [`RepositoryError::NotFound`].
pub async fn moving_an_unknown_task_is_not_found(repos: Repositories) {
    let (alice, _) = owner_and_project(&repos, "alice", "Source").await;
    let target = stored_project(&repos, project(&alice, "Target")).await;

    let result = repos
        .tasks
        .move_tree(
            TaskId::new(),
            target.id,
            version(1),
            at(60),
            &crate::contract::fixtures::entry(TaskId::new()),
        )
        .await;

    assert_err!(result, RepositoryError::NotFound(Entity::Task), "move of an unknown task");
}
