//! The contract of [`taskforge_domain::ports::TrashRepository`], and of
//! [`TaskRepository::delete`](taskforge_domain::ports::TaskRepository::delete) moving a
//! subtree into it.

use super::fixtures::{
    at, category, owner_and_project, stored_category, stored_task, subtask, task,
};
use taskforge_domain::id::{ProjectId, TaskId};
use taskforge_domain::model::{EntryDraft, Project, Task, TaskChange, TrashedSubtree, User};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError};

fn trashing(task: &Task, seconds: i64) -> EntryDraft {
    EntryDraft::task(task, task.created_by, at(seconds), TaskChange::Trashed)
}

fn restoring(task: &Task) -> EntryDraft {
    EntryDraft::task(task, task.created_by, at(100), TaskChange::Restored { cleared: Vec::new() })
}

/// A root with a child and a grandchild, stored.
async fn three(repos: &Repositories, project: &Project, owner: &User) -> Vec<Task> {
    let root = stored_task(repos, task(project, owner, "Root")).await;
    let child = stored_task(repos, subtask(&root, "Child")).await;
    let grandchild = stored_task(repos, subtask(&child, "Grandchild")).await;
    vec![root, child, grandchild]
}

async fn trash(repos: &Repositories, task: &Task, seconds: i64) {
    repos.tasks.delete(task.id, &trashing(task, seconds)).await.expect("delete succeeds");
}

/// `delete` moves the whole subtree into the trash under the task's id — root first, each
/// task as it was — trashed by the entry's actor at its time; no task read sees them.
pub async fn deleting_a_task_puts_its_subtree_in_the_trash_whole(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let tree = three(&repos, &project, &owner).await;

    trash(&repos, &tree[0], 5).await;

    let trashed = repos.trash.get(tree[0].id).await.expect("get succeeds");
    let expected = TrashedSubtree {
        root: tree[0].id,
        project_id: project.id,
        trashed_at: at(5),
        trashed_by: owner.id,
        tasks: tree.clone(),
    };
    assert_eq!(trashed, Some(expected));
    for t in &tree {
        assert_eq!(repos.tasks.get(t.id).await.expect("get"), None, "{} left the tasks", t.title);
    }
    assert_eq!(repos.trash.get(tree[1].id).await.expect("get"), None, "only roots are entries");
}

/// `list` returns a project's trashed subtrees by root id, `limit` at a time after the given
/// root; other projects' are not among them.
pub async fn a_projects_trash_is_listed_by_root_a_page_at_a_time(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let (other_owner, other) = owner_and_project(&repos, "other", "Other").await;
    let mut roots = Vec::new();
    for n in 0..3 {
        let t = stored_task(&repos, task(&project, &owner, &format!("Task {n}"))).await;
        trash(&repos, &t, n).await;
        roots.push(t.id);
    }
    let elsewhere = stored_task(&repos, task(&other, &other_owner, "Elsewhere")).await;
    trash(&repos, &elsewhere, 9).await;
    roots.sort();

    let first = repos.trash.list(project.id, None, 2).await.expect("list");
    assert_eq!(first.iter().map(|t| t.root).collect::<Vec<_>>(), roots[..2]);
    let rest = repos.trash.list(project.id, Some(roots[1]), 2).await.expect("list");
    assert_eq!(rest.iter().map(|t| t.root).collect::<Vec<_>>(), roots[2..]);
    assert_eq!(rest[0].tasks.len(), 1, "each with its tasks");
    assert_eq!(repos.trash.list(ProjectId::new(), None, 10).await.expect("list"), []);
}

/// `restore` puts the given tasks back, removes the subtree from the trash and records the
/// entry.
pub async fn restoring_puts_the_tasks_back_and_records_the_entry(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let tree = three(&repos, &project, &owner).await;
    trash(&repos, &tree[0], 5).await;
    let back: Vec<Task> = tree
        .iter()
        .map(|t| Task { version: t.version.next(), updated_at: at(100), ..t.clone() })
        .collect();

    let draft = restoring(&tree[0]);
    let entry = repos.trash.restore(tree[0].id, &back, &draft).await.expect("restore succeeds");

    for t in &back {
        assert_eq!(repos.tasks.get(t.id).await.expect("get").as_ref(), Some(t));
    }
    assert_eq!(repos.trash.get(tree[0].id).await.expect("get"), None);
    assert_eq!(repos.history.get(entry).await.expect("get"), Some(draft.recorded(entry)));
}

/// A subtree outlives its project's deletion; restoring it then is a missing project and
/// changes nothing.
pub async fn restoring_into_a_deleted_project_is_a_missing_project(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let tree = three(&repos, &project, &owner).await;
    trash(&repos, &tree[0], 5).await;
    repos.projects.delete(project.id).await.expect("project delete succeeds");

    let kept = repos.trash.get(tree[0].id).await.expect("get");
    assert!(kept.is_some(), "the trash keeps the subtree of a deleted project");
    let result = repos.trash.restore(tree[0].id, &tree, &restoring(&tree[0])).await;

    assert_err!(result, RepositoryError::MissingReference(Entity::Project), "restore");
    assert_eq!(repos.trash.get(tree[0].id).await.expect("get"), kept, "still in the trash");
}

/// Restoring a subtask whose parent is gone (trashed meanwhile) is a missing task; a task
/// naming a category that was deleted is a missing category; nothing changes.
pub async fn restoring_with_a_reference_gone_is_refused_and_changes_nothing(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let tree = three(&repos, &project, &owner).await;
    trash(&repos, &tree[2], 5).await;
    trash(&repos, &tree[0], 6).await;

    let result = repos.trash.restore(tree[2].id, &tree[2..], &restoring(&tree[2])).await;
    assert_err!(result, RepositoryError::MissingReference(Entity::Task), "parent gone");

    let bug = stored_category(&repos, category("Bug")).await;
    let tagged =
        stored_task(&repos, Task { category_id: Some(bug.id), ..task(&project, &owner, "Tagged") })
            .await;
    trash(&repos, &tagged, 7).await;
    repos.categories.delete(bug.id, owner.id, at(8)).await.expect("category delete succeeds");
    let result =
        repos.trash.restore(tagged.id, std::slice::from_ref(&tagged), &restoring(&tagged)).await;
    assert_err!(result, RepositoryError::MissingReference(Entity::Category), "category gone");

    assert!(repos.trash.get(tree[2].id).await.expect("get").is_some());
    assert!(repos.trash.get(tagged.id).await.expect("get").is_some());
    assert_eq!(repos.tasks.get(tagged.id).await.expect("get"), None);
}

/// `restore` and `purge` of something not in the trash are not found.
pub async fn restoring_or_purging_what_is_not_in_the_trash_is_not_found(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let live = stored_task(&repos, task(&project, &owner, "Live")).await;

    let result = repos.trash.restore(live.id, std::slice::from_ref(&live), &restoring(&live)).await;
    assert_err!(result, RepositoryError::NotFound(Entity::Task), "restore of a live task");
    let result = repos.trash.purge(TaskId::new()).await;
    assert_err!(result, RepositoryError::NotFound(Entity::Task), "purge of nothing");
}

/// `purge` removes a subtree for good; `purge_trashed_before` removes exactly those trashed
/// before the instant and counts them.
pub async fn purging_removes_subtrees_for_good(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let mut trashed = Vec::new();
    for n in 0..4 {
        let t = stored_task(&repos, task(&project, &owner, &format!("Task {n}"))).await;
        trash(&repos, &t, n * 10).await;
        trashed.push(t);
    }

    repos.trash.purge(trashed[3].id).await.expect("purge succeeds");
    assert_eq!(repos.trash.get(trashed[3].id).await.expect("get"), None);
    let purged = repos.trash.purge_trashed_before(at(15)).await.expect("purge by age");

    assert_eq!(purged, 2, "trashed at 0 s and 10 s");
    let left = repos.trash.list(project.id, None, 10).await.expect("list");
    assert_eq!(left.iter().map(|t| t.root).collect::<Vec<_>>(), [trashed[2].id]);
}
