//! The contract of [`taskforge_domain::ports::HistoryRepository`], and of the entries the task
//! and project writes record (ADR 0024).

use super::fixtures::{
    at, category, owner_and_project, project, stored_category, stored_project, stored_task,
    stored_user, subtask, task, title, user, version,
};
use taskforge_domain::id::TaskId;
use taskforge_domain::model::{
    Change, EntryDraft, EntryId, FieldChange, HistoryEntry, ProjectChange, ProjectFieldChange,
    Task, TaskChange, TaskFieldChange,
};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError, TreeGuards};
use taskforge_domain::values::ProjectName;

/// The draft of an update of `after` (from `before`), by its creator at `seconds`.
fn updated(before: &Task, after: &Task, seconds: i64) -> EntryDraft {
    EntryDraft::task(
        after,
        after.created_by,
        at(seconds),
        TaskChange::Updated(taskforge_domain::model::task_changes(before, after)),
    )
}

/// Renames `task` to `name` through the repository, recording the update; returns the task as
/// stored and the entry's id.
async fn rename(repos: &Repositories, task: &Task, name: &str, seconds: i64) -> (Task, EntryId) {
    let after = Task { title: title(name), version: task.version.next(), ..task.clone() };
    let draft = updated(task, &after, seconds);
    let id = repos
        .tasks
        .update(&after, task.version, &TreeGuards::none(), &draft)
        .await
        .expect("update succeeds");
    (after, id)
}

async fn whole_log(repos: &Repositories) -> Vec<HistoryEntry> {
    let first = EntryId::new(1).expect("1 is an entry id");
    let mut log =
        repos.history.get(first).await.expect("get succeeds").into_iter().collect::<Vec<_>>();
    log.extend(repos.history.after(first, usize::MAX).await.expect("after succeeds"));
    log
}

/// A task insert records the draft it is given, under the id it returns; the entry reads back
/// field for field by id, by task, by project, from the log and as the latest.
pub async fn a_recorded_entry_reads_back_by_id_task_project_and_log(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let before = repos.history.latest().await.expect("latest succeeds");
    let new = task(&project, &owner, "Write the notes");
    let draft = EntryDraft::task_created(&new);

    let id = repos.tasks.insert(&new, &TreeGuards::none(), &draft).await.expect("insert succeeds");

    let expected = draft.recorded(id);
    assert!(before.is_some_and(|b| id > b), "the new entry's id {id} is after {before:?}");
    assert_eq!(repos.history.get(id).await.expect("get succeeds"), Some(expected.clone()));
    assert_eq!(
        repos.history.of_task(new.id, None, 10).await.expect("of_task"),
        std::slice::from_ref(&expected)
    );
    let activity = repos.history.of_project(project.id, None, 10).await.expect("of_project");
    assert_eq!(activity.first(), Some(&expected), "the newest entry of the project comes first");
    assert_eq!(repos.history.latest().await.expect("latest succeeds"), Some(id));
    if let Some(before) = before {
        assert_eq!(repos.history.after(before, 10).await.expect("after"), [expected]);
    }
}

/// Every recording write (task insert, update, move, delete; project insert, update) returns
/// a larger id than the one before, and the log lists them in that order.
pub async fn every_write_records_one_entry_in_increasing_id_order(repos: Repositories) {
    let owner = stored_user(&repos, user("owner")).await;
    let first = project(&owner, "First");
    let p1 = repos
        .projects
        .insert(&first, &EntryDraft::project_created(&first))
        .await
        .expect("project insert succeeds");
    let second = project(&owner, "Second");
    let p2 = repos
        .projects
        .insert(&second, &EntryDraft::project_created(&second))
        .await
        .expect("project insert succeeds");
    let renamed = taskforge_domain::model::Project {
        name: ProjectName::parse("First, renamed").expect("a valid name"),
        ..first.clone()
    };
    let rename_draft = EntryDraft::project(
        first.id,
        owner.id,
        at(1),
        ProjectChange::Updated(vec![ProjectFieldChange::Name(FieldChange {
            before: first.name.clone(),
            after: renamed.name.clone(),
        })]),
    );
    let p3 = repos.projects.update(&renamed, &rename_draft).await.expect("project update");
    let new = task(&first, &owner, "Task");
    let t1 = repos
        .tasks
        .insert(&new, &TreeGuards::none(), &EntryDraft::task_created(&new))
        .await
        .expect("task insert");
    let (new, t2) = rename(&repos, &new, "Task, renamed", 2).await;
    let move_draft = EntryDraft {
        project_id: second.id,
        actor: owner.id,
        at: at(3),
        change: Change::Task {
            task_id: new.id,
            change: TaskChange::Moved(FieldChange { before: first.id, after: second.id }),
        },
    };
    let (_, t3) = repos
        .tasks
        .move_tree(new.id, second.id, new.version, at(3), &move_draft)
        .await
        .expect("move");
    let trash_draft = EntryDraft {
        project_id: second.id,
        actor: owner.id,
        at: at(4),
        change: Change::Task { task_id: new.id, change: TaskChange::Trashed },
    };
    let (_, t4) = repos.tasks.delete(new.id, &trash_draft).await.expect("delete");

    let ids = [p1, p2, p3, t1, t2, t3, t4];
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase with each write: {ids:?}");
    let log: Vec<EntryId> = whole_log(&repos).await.iter().map(|e| e.id).collect();
    assert_eq!(log, ids, "the log holds exactly these entries, in id order");
    let trashed = repos.history.get(t4).await.expect("get").expect("the entry is there");
    assert_eq!(trashed, trash_draft.recorded(t4), "the entry reads back as recorded");
    let moved = repos.history.get(t3).await.expect("get").expect("the entry is there");
    assert_eq!(moved, move_draft.recorded(t3));
    let project_entry = repos.history.get(p3).await.expect("get").expect("the entry is there");
    assert_eq!(project_entry, rename_draft.recorded(p3));
}

/// A write the store refuses (a stale version, a duplicate id, a missing project, an unknown
/// task) records nothing.
pub async fn a_refused_write_records_nothing(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let stored = stored_task(&repos, task(&project, &owner, "Task")).await;
    let log = whole_log(&repos).await;

    let stale = Task { title: title("Lost"), version: version(3), ..stored.clone() };
    let result = repos
        .tasks
        .update(&stale, version(2), &TreeGuards::none(), &updated(&stored, &stale, 1))
        .await;
    assert_err!(result, RepositoryError::VersionConflict(Entity::Task), "a stale update");
    let result =
        repos.tasks.insert(&stored, &TreeGuards::none(), &EntryDraft::task_created(&stored)).await;
    assert_err!(result, RepositoryError::Duplicate(Entity::Task), "a duplicate insert");
    let elsewhere = taskforge_domain::id::ProjectId::new();
    let result = repos
        .tasks
        .move_tree(stored.id, elsewhere, stored.version, at(2), &super::fixtures::entry(stored.id))
        .await;
    assert_err!(result, RepositoryError::MissingReference(Entity::Project), "a move nowhere");
    let unknown = TaskId::new();
    let result = repos.tasks.delete(unknown, &super::fixtures::entry(unknown)).await;
    assert_err!(result, RepositoryError::NotFound(Entity::Task), "deleting an unknown task");

    assert_eq!(whole_log(&repos).await, log, "no refused write left an entry");
}

/// `of_task` lists a task's entries newest first, `limit` at a time, strictly before the
/// given id; other tasks' entries are not among them.
pub async fn a_tasks_history_is_newest_first_a_page_at_a_time(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let mut current = task(&project, &owner, "v0");
    let created = repos
        .tasks
        .insert(&current, &TreeGuards::none(), &EntryDraft::task_created(&current))
        .await
        .expect("insert");
    let mut other = stored_task(&repos, task(&project, &owner, "Other")).await;
    let mut ids = vec![created];
    for n in 1..=4 {
        let (next, id) = rename(&repos, &current, &format!("v{n}"), n).await;
        (other, _) = rename(&repos, &other, &format!("other {n}"), n).await;
        current = next;
        ids.push(id);
    }
    ids.reverse();

    let first = repos.history.of_task(current.id, None, 2).await.expect("of_task");
    assert_eq!(first.iter().map(|e| e.id).collect::<Vec<_>>(), ids[..2]);
    let second = repos.history.of_task(current.id, Some(ids[1]), 2).await.expect("of_task");
    assert_eq!(second.iter().map(|e| e.id).collect::<Vec<_>>(), ids[2..4]);
    let last = repos.history.of_task(current.id, Some(ids[3]), 2).await.expect("of_task");
    assert_eq!(last.iter().map(|e| e.id).collect::<Vec<_>>(), ids[4..]);
    assert!(first.iter().chain(&second).chain(&last).all(|e| e.task_id() == Some(current.id)));
    assert_eq!(repos.history.of_task(TaskId::new(), None, 10).await.expect("of_task"), []);
}

/// `of_project` lists the entries recorded in a project — its own and its tasks' — newest
/// first and a page at a time; another project's entries are not among them.
pub async fn a_projects_activity_holds_its_own_and_its_tasks_entries(repos: Repositories) {
    let owner = stored_user(&repos, user("owner")).await;
    let mine = project(&owner, "Mine");
    let created =
        repos.projects.insert(&mine, &EntryDraft::project_created(&mine)).await.expect("insert");
    let theirs = stored_project(&repos, project(&owner, "Theirs")).await;
    let t = task(&mine, &owner, "Task");
    let t_created = repos
        .tasks
        .insert(&t, &TreeGuards::none(), &EntryDraft::task_created(&t))
        .await
        .expect("insert");
    stored_task(&repos, task(&theirs, &owner, "Elsewhere")).await;
    let (_, renamed) = rename(&repos, &t, "Task, renamed", 1).await;

    let all = repos.history.of_project(mine.id, None, 10).await.expect("of_project");
    assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), [renamed, t_created, created]);
    assert!(all.iter().all(|e| e.project_id == mine.id));
    let page = repos.history.of_project(mine.id, Some(t_created), 10).await.expect("of_project");
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), [created]);
    assert_eq!(page[0].change, Change::Project(ProjectChange::Created));
}

/// `after` lists the log oldest first from just after the given id, `limit` at a time.
pub async fn after_lists_the_log_in_id_order_from_the_given_id(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let t = task(&project, &owner, &format!("Task {n}"));
        ids.push(
            repos
                .tasks
                .insert(&t, &TreeGuards::none(), &EntryDraft::task_created(&t))
                .await
                .expect("insert"),
        );
    }

    let page = repos.history.after(ids[0], 2).await.expect("after");
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), ids[1..3]);
    let rest = repos.history.after(ids[2], 10).await.expect("after");
    assert_eq!(rest.iter().map(|e| e.id).collect::<Vec<_>>(), ids[3..]);
    assert_eq!(repos.history.after(ids[4], 10).await.expect("after"), []);
    assert_eq!(repos.history.latest().await.expect("latest"), Some(ids[4]));
}

/// A task's entries stay in the log after the task is deleted.
pub async fn a_deleted_tasks_history_stays(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
    let t = task(&project, &owner, "Task");
    let created = repos
        .tasks
        .insert(&t, &TreeGuards::none(), &EntryDraft::task_created(&t))
        .await
        .expect("insert");
    let (_, deleted) = repos
        .tasks
        .delete(t.id, &EntryDraft::task(&t, owner.id, at(1), TaskChange::Trashed))
        .await
        .expect("delete");

    let history = repos.history.of_task(t.id, None, 10).await.expect("of_task");
    assert_eq!(history.iter().map(|e| e.id).collect::<Vec<_>>(), [deleted, created]);
}

/// Moving a root with subtasks records, in the move, one `moved` entry for the root and one
/// for each subtask that came along (from → to, same actor and time); the target project's
/// activity lists them all and the source project's does not.
pub async fn moving_a_tree_records_a_moved_entry_for_each_subtask(repos: Repositories) {
    let (owner, from) = owner_and_project(&repos, "owner", "From").await;
    let to = stored_project(&repos, project(&owner, "To")).await;
    let root = stored_task(&repos, task(&from, &owner, "Root")).await;
    let child = stored_task(&repos, subtask(&root, "Child")).await;
    let grandchild = stored_task(&repos, subtask(&child, "Grandchild")).await;
    let projects = FieldChange { before: from.id, after: to.id };
    let draft = EntryDraft {
        project_id: to.id,
        actor: owner.id,
        at: at(5),
        change: Change::Task { task_id: root.id, change: TaskChange::Moved(projects.clone()) },
    };
    let before = repos.history.latest().await.expect("latest").expect("entries exist");

    let (_, root_entry) =
        repos.tasks.move_tree(root.id, to.id, root.version, at(5), &draft).await.expect("move");

    let new: Vec<HistoryEntry> =
        repos.history.after(before, usize::MAX).await.expect("after succeeds");
    assert_eq!(new.len(), 3, "one entry for the root and one per subtask: {new:?}");
    assert_eq!(new.iter().find(|e| e.id == root_entry), Some(&draft.clone().recorded(root_entry)));
    for sub in [&child, &grandchild] {
        let history = repos.history.of_task(sub.id, None, 10).await.expect("of_task");
        let latest = history.first().expect("the subtask has entries");
        assert_eq!(
            latest.change,
            Change::Task { task_id: sub.id, change: TaskChange::Moved(projects.clone()) },
            "the subtask's own history shows the move"
        );
        assert_eq!((latest.project_id, latest.actor, latest.at), (to.id, owner.id, at(5)));
    }
    let activity = repos.history.of_project(to.id, None, 10).await.expect("of_project");
    let moved: Vec<TaskId> = activity.iter().filter_map(|e| e.change.task_id()).collect();
    for id in [root.id, child.id, grandchild.id] {
        assert!(moved.contains(&id), "the target's activity lists the move of {id}");
    }
    let source = repos.history.of_project(from.id, None, 10).await.expect("of_project");
    assert!(
        source
            .iter()
            .all(|e| !matches!(e.change, Change::Task { change: TaskChange::Moved(_), .. })),
        "the source project records no move"
    );
}

/// Deleting a category records, in the deletion, one `updated` entry per task it is cleared
/// from (category before → none, by the deleter, at the deletion's time, in the task's
/// project); tasks without it get no entry.
pub async fn deleting_a_category_records_an_update_for_each_task_it_clears(repos: Repositories) {
    let (alice, first) = owner_and_project(&repos, "alice", "First").await;
    let (bob, second) = owner_and_project(&repos, "bob", "Second").await;
    let admin = stored_user(&repos, user("admin")).await;
    let bug = stored_category(&repos, category("Bug")).await;
    let tagged = [
        stored_task(&repos, Task { category_id: Some(bug.id), ..task(&first, &alice, "One") })
            .await,
        stored_task(&repos, Task { category_id: Some(bug.id), ..task(&second, &bob, "Two") }).await,
    ];
    let plain = stored_task(&repos, task(&first, &alice, "Plain")).await;
    let before = repos.history.latest().await.expect("latest").expect("entries exist");

    repos.categories.delete(bug.id, admin.id, at(9)).await.expect("delete succeeds");

    let new = repos.history.after(before, usize::MAX).await.expect("after succeeds");
    assert_eq!(new.len(), 2, "one entry per cleared task: {new:?}");
    for t in &tagged {
        let history = repos.history.of_task(t.id, None, 10).await.expect("of_task");
        let latest = history.first().expect("the task has entries");
        assert_eq!((latest.project_id, latest.actor, latest.at), (t.project_id, admin.id, at(9)));
        assert_eq!(
            latest.change,
            Change::Task {
                task_id: t.id,
                change: TaskChange::Updated(vec![TaskFieldChange::Category(FieldChange {
                    before: Some(bug.id),
                    after: None,
                })]),
            },
            "{}: category before -> none",
            t.title
        );
    }
    let history = repos.history.of_task(plain.id, None, 10).await.expect("of_task");
    assert!(history.iter().all(|e| e.id <= before), "an uncategorised task gets no entry");
}

/// Removing a member records, in the removal, one `updated` entry per task of that project
/// they are un-assigned from (assignee before → none, by the remover, at the removal's time);
/// their tasks in other projects get no entry.
pub async fn removing_a_member_records_an_update_for_each_task_it_unassigns(repos: Repositories) {
    let (alice, first) = owner_and_project(&repos, "alice", "First").await;
    let second = stored_project(&repos, project(&alice, "Second")).await;
    let bob = stored_user(&repos, user("bob")).await;
    repos.projects.add_member(first.id, bob.id, at(1)).await.expect("add_member");
    repos.projects.add_member(second.id, bob.id, at(1)).await.expect("add_member");
    let assigned = |p, name| Task { assignee_id: Some(bob.id), ..task(p, &alice, name) };
    let bobs = [
        stored_task(&repos, assigned(&first, "One")).await,
        stored_task(&repos, assigned(&first, "Two")).await,
    ];
    let elsewhere = stored_task(&repos, assigned(&second, "Elsewhere")).await;
    let before = repos.history.latest().await.expect("latest").expect("entries exist");

    let removed =
        repos.projects.remove_member(first.id, bob.id, alice.id, at(9)).await.expect("remove");

    assert!(removed);
    let new = repos.history.after(before, usize::MAX).await.expect("after succeeds");
    assert_eq!(new.len(), 2, "one entry per un-assigned task: {new:?}");
    for t in &bobs {
        let history = repos.history.of_task(t.id, None, 10).await.expect("of_task");
        let latest = history.first().expect("the task has entries");
        assert_eq!((latest.project_id, latest.actor, latest.at), (first.id, alice.id, at(9)));
        assert_eq!(
            latest.change,
            Change::Task {
                task_id: t.id,
                change: TaskChange::Updated(vec![TaskFieldChange::Assignee(FieldChange {
                    before: Some(bob.id),
                    after: None,
                })]),
            },
            "{}: assignee before -> none",
            t.title
        );
    }
    let history = repos.history.of_task(elsewhere.id, None, 10).await.expect("of_task");
    assert!(history.iter().all(|e| e.id <= before), "another project's task gets no entry");
}
