//! `taskforge copy`: every user, category, project (with its members) and task of one store
//! written into another, empty one — how an installation moves from SQLite to PostgreSQL (or
//! back). It reads and writes through the repository ports only, so any pair of stores works
//! and every row is re-validated by the destination as a new write would be.
//!
//! Refresh tokens are not copied (the port offers no listing of them, and a move is a good
//! moment to end every session): everyone logs in again afterwards.

use taskforge_domain::Task;
use taskforge_domain::model::{EntryDraft, FieldChange, TaskChange, TaskFieldChange};
use taskforge_domain::ports::{Repositories, RepositoryError, TreeGuards};
use taskforge_domain::query::{
    Cursor, SortDirection, SortField, TaskFilter, TaskQuery, TaskSort, Visibility,
};

/// How many rows each read asks for.
const PAGE: usize = 500;

/// What was copied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    /// Users.
    pub users: u64,
    /// Categories.
    pub categories: u64,
    /// Projects.
    pub projects: u64,
    /// Memberships, owners included.
    pub memberships: u64,
    /// Tasks.
    pub tasks: u64,
}

/// Why a copy stopped.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The destination holds data already: copying into it would mix two installations.
    #[error("the destination is not empty (it has {0}); copy into a new, empty database")]
    NotEmpty(&'static str),
    /// Reading the source failed.
    #[error("cannot read {what} from the source")]
    Read {
        /// What was being read.
        what: &'static str,
        /// Why.
        #[source]
        source: RepositoryError,
    },
    /// Writing the destination failed.
    #[error("cannot write {what} to the destination")]
    Write {
        /// What was being written.
        what: &'static str,
        /// Why.
        #[source]
        source: RepositoryError,
    },
}

fn read(what: &'static str) -> impl FnOnce(RepositoryError) -> CopyError {
    move |source| CopyError::Read { what, source }
}

fn write(what: &'static str) -> impl FnOnce(RepositoryError) -> CopyError {
    move |source| CopyError::Write { what, source }
}

/// Copies everything from `from` into `to`, which must be empty.
///
/// Not atomic: a copy that fails part-way leaves a partial destination, to be dropped and
/// copied again (the source is only read). Stop the service, or at least its writes, first:
/// the copy reads page by page, not from one snapshot.
///
/// # Errors
/// [`CopyError::NotEmpty`] before anything is written, or the first read or write that failed.
pub async fn copy_all(from: &Repositories, to: &Repositories) -> Result<Copied, CopyError> {
    ensure_empty(to).await?;
    let mut copied = Copied::default();

    let mut after = None;
    loop {
        let users = from.users.list(after.as_ref(), PAGE).await.map_err(read("users"))?;
        for user in &users {
            to.users.insert(user).await.map_err(write("users"))?;
            copied.users += 1;
        }
        match users.last() {
            Some(last) if users.len() == PAGE => after = Some(last.username.clone()),
            _ => break,
        }
    }

    let mut after = None;
    loop {
        let page = from.categories.list(after.as_ref(), PAGE).await.map_err(read("categories"))?;
        for category in &page {
            to.categories.insert(category).await.map_err(write("categories"))?;
            copied.categories += 1;
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.name.clone()),
            _ => break,
        }
    }

    let mut after = None;
    loop {
        let page =
            from.projects.list(Visibility::All, after, PAGE).await.map_err(read("projects"))?;
        for project in &page {
            // The insert makes the owner a member.
            to.projects
                .insert(project, &EntryDraft::project_created(project))
                .await
                .map_err(write("projects"))?;
            copied.projects += 1;
            copied.memberships += 1;
            let members = from.projects.members(project.id).await.map_err(read("members"))?;
            for member in members.iter().filter(|m| m.user_id != project.owner_id) {
                to.projects
                    .add_member(project.id, member.user_id, member.added_at)
                    .await
                    .map_err(write("members"))?;
                copied.memberships += 1;
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.id),
            _ => break,
        }
    }

    // Tasks first without their parents (a subtask can be older than the parent it was hung
    // under later), then each subtask gets its parent back, at the version it had.
    let sort = TaskSort { field: SortField::CreatedAt, direction: SortDirection::Ascending };
    let mut after: Option<Cursor> = None;
    let mut subtasks = Vec::new();
    loop {
        let query = TaskQuery {
            visibility: Visibility::All,
            filter: TaskFilter::default(),
            sort,
            after: after.clone(),
            fetch: PAGE,
        };
        let page = from.tasks.list(&query).await.map_err(read("tasks"))?;
        for task in &page {
            let root = Task { parent_id: None, ..task.clone() };
            // The copy records each task's creation, by its creator at its creation time; the
            // source's change log is not copied.
            let created = EntryDraft::task_created(&root);
            to.tasks.insert(&root, &TreeGuards::none(), &created).await.map_err(write("tasks"))?;
            if task.parent_id.is_some() {
                subtasks.push(task.id);
            }
            copied.tasks += 1;
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(Cursor::after(sort, last)),
            _ => break,
        }
    }
    for id in subtasks {
        let Some(task) = from.tasks.get(id).await.map_err(read("tasks"))? else { continue };
        to.tasks
            .update(&task, task.version, &TreeGuards::none(), &parent_set(&task))
            .await
            .map_err(write("subtask parents"))?;
    }
    Ok(copied)
}

async fn ensure_empty(to: &Repositories) -> Result<(), CopyError> {
    if !to.users.list(None, 1).await.map_err(write("users"))?.is_empty() {
        return Err(CopyError::NotEmpty("users"));
    }
    if !to.categories.list(None, 1).await.map_err(write("categories"))?.is_empty() {
        return Err(CopyError::NotEmpty("categories"));
    }
    if !to.projects.list(Visibility::All, None, 1).await.map_err(write("projects"))?.is_empty() {
        return Err(CopyError::NotEmpty("projects"));
    }
    Ok(())
}

/// The entry recording that the copy gave `task` its parent back (it was inserted as a root
/// first, so parents exist before their subtasks point at them).
fn parent_set(task: &Task) -> EntryDraft {
    let change = TaskFieldChange::Parent(FieldChange { before: None, after: task.parent_id });
    EntryDraft::task(task, task.created_by, task.updated_at, TaskChange::Updated(vec![change]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use taskforge_domain::ports::Repositories;
    use taskforge_domain::values::Priority;
    use taskforge_memory::MemoryDatabase;
    use taskforge_testkit::fixtures::{
        at, category, labels, owner_and_project, stored_category, stored_member, stored_task,
        subtask, task,
    };

    use super::*;

    async fn all_tasks(repos: &Repositories) -> Vec<Task> {
        let query = TaskQuery {
            visibility: Visibility::All,
            filter: TaskFilter::default(),
            sort: TaskSort { field: SortField::CreatedAt, direction: SortDirection::Ascending },
            after: None,
            fetch: 10_000,
        };
        repos.tasks.list(&query).await.unwrap()
    }

    #[tokio::test]
    async fn everything_arrives_as_it_was_subtasks_older_than_their_parents_included() {
        // Arrange: more tasks than one page, a member assignee, a category, labels, and a
        // subtask created before the task it was later hung under.
        let from = MemoryDatabase::new().repositories();
        let (owner, project) = owner_and_project(&from, "owner", "Moving").await;
        let member = stored_member(&from, &project, "member").await;
        let kind = stored_category(&from, category("Ops")).await;
        let parent =
            stored_task(&from, Task { created_at: at(100), ..task(&project, &owner, "parent") })
                .await;
        let child = stored_task(
            &from,
            Task {
                created_at: at(1),
                assignee_id: Some(member.id),
                category_id: Some(kind.id),
                labels: labels(&["a", "b"]),
                priority: Priority::Urgent,
                ..subtask(&parent, "older child")
            },
        )
        .await;
        for i in 0..(PAGE + 20) {
            let created = at(200 + i64::try_from(i).unwrap());
            stored_task(&from, Task { created_at: created, ..task(&project, &owner, "bulk") })
                .await;
        }
        let to = MemoryDatabase::new().repositories();
        // Act
        let copied = copy_all(&from, &to).await.unwrap();
        // Assert
        assert_eq!(
            copied,
            Copied {
                users: 2,
                categories: 1,
                projects: 1,
                memberships: 2,
                tasks: PAGE as u64 + 22
            }
        );
        assert_eq!(all_tasks(&to).await, all_tasks(&from).await);
        assert_eq!(to.tasks.get(child.id).await.unwrap().unwrap(), child);
        assert_eq!(
            to.users.list(None, 10).await.unwrap(),
            from.users.list(None, 10).await.unwrap()
        );
        assert_eq!(
            to.projects.members(project.id).await.unwrap(),
            from.projects.members(project.id).await.unwrap()
        );
        assert_eq!(to.categories.get(kind.id).await.unwrap(), Some(kind));
    }

    #[tokio::test]
    async fn a_destination_with_data_is_refused_before_anything_is_written() {
        let from = MemoryDatabase::new().repositories();
        owner_and_project(&from, "owner", "Moving").await;
        let to = MemoryDatabase::new().repositories();
        copy_all(&from, &to).await.unwrap();
        let again = copy_all(&from, &to).await.unwrap_err();
        assert!(matches!(again, CopyError::NotEmpty("users")), "{again:?}");
    }
}
