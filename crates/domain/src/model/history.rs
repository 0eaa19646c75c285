//! The history of tasks and projects: one entry per change, in the order the changes committed.
//!
//! An entry is a record of a command that already ran (who did what, when, with the values
//! before and after), written by the repository in the same transaction as the change itself,
//! so the log never claims a change that did not happen nor misses one that did
//! (ADR 0024). Its [`EntryId`] is its position in the one service-wide log: ids become visible
//! in increasing order, so a reader that has seen entry N has seen every entry before it.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::model::{Project, Task};
use crate::values::{
    Description, DueDate, Labels, Priority, ProjectDescription, ProjectName, Status, TaskTitle,
    Timestamp,
};

/// The position of a [`HistoryEntry`] in the service-wide change log: 1, 2, 3, … in commit
/// order. Ids are never reused; gaps may appear (a purge, a rolled-back write).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(NonZeroU64);

/// The text given for an entry id is not a positive decimal integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid history entry id: expected a positive integer")]
pub struct EntryIdError;

impl EntryId {
    /// The largest id there can be.
    pub const MAX: Self = Self(NonZeroU64::MAX);

    /// The id for position `n`; `None` for 0 (positions start at 1).
    #[must_use]
    pub const fn new(n: u64) -> Option<Self> {
        match NonZeroU64::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The id read back from a signed storage column; `None` unless positive.
    #[must_use]
    pub fn from_i64(n: i64) -> Option<Self> {
        u64::try_from(n).ok().and_then(Self::new)
    }

    /// The position.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0.get()
    }

    /// The position as a signed storage column holds it (ids stay far below `i64::MAX`; a
    /// larger one saturates rather than wrapping negative).
    #[must_use]
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.get()).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for EntryId {
    type Err = EntryIdError;

    /// Decimal digits only: no sign, no spaces, no leading `+`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EntryIdError);
        }
        s.parse::<u64>().ok().and_then(Self::new).ok_or(EntryIdError)
    }
}

/// One field's value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange<T> {
    /// The value before.
    pub before: T,
    /// The value after.
    pub after: T,
}

impl<T> FieldChange<T> {
    /// The change that undoes this one.
    #[must_use]
    pub fn inverse(self) -> Self {
        Self { before: self.after, after: self.before }
    }
}

/// A change of one field of a [`Task`], with the field's own value type on both sides.
///
/// A task's project is not among them: it changes only by a move ([`TaskChange::Moved`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskFieldChange {
    /// The title.
    Title(FieldChange<TaskTitle>),
    /// The description.
    Description(FieldChange<Description>),
    /// The status.
    Status(FieldChange<Status>),
    /// The priority.
    Priority(FieldChange<Priority>),
    /// The category.
    Category(FieldChange<Option<CategoryId>>),
    /// The assignee.
    Assignee(FieldChange<Option<UserId>>),
    /// The labels.
    Labels(FieldChange<Labels>),
    /// The due date.
    DueDate(FieldChange<Option<DueDate>>),
    /// The parent task.
    Parent(FieldChange<Option<TaskId>>),
    /// Whether every authenticated user may read the task.
    IsPublic(FieldChange<bool>),
}

impl TaskFieldChange {
    /// The field's name as the API spells it (`title`, `due_date`, `parent_id`, …).
    #[must_use]
    pub const fn field(&self) -> TaskFieldName {
        match self {
            Self::Title(_) => TaskFieldName::Title,
            Self::Description(_) => TaskFieldName::Description,
            Self::Status(_) => TaskFieldName::Status,
            Self::Priority(_) => TaskFieldName::Priority,
            Self::Category(_) => TaskFieldName::Category,
            Self::Assignee(_) => TaskFieldName::Assignee,
            Self::Labels(_) => TaskFieldName::Labels,
            Self::DueDate(_) => TaskFieldName::DueDate,
            Self::Parent(_) => TaskFieldName::Parent,
            Self::IsPublic(_) => TaskFieldName::IsPublic,
        }
    }

    /// The change that undoes this one.
    #[must_use]
    pub fn inverse(self) -> Self {
        match self {
            Self::Title(c) => Self::Title(c.inverse()),
            Self::Description(c) => Self::Description(c.inverse()),
            Self::Status(c) => Self::Status(c.inverse()),
            Self::Priority(c) => Self::Priority(c.inverse()),
            Self::Category(c) => Self::Category(c.inverse()),
            Self::Assignee(c) => Self::Assignee(c.inverse()),
            Self::Labels(c) => Self::Labels(c.inverse()),
            Self::DueDate(c) => Self::DueDate(c.inverse()),
            Self::Parent(c) => Self::Parent(c.inverse()),
            Self::IsPublic(c) => Self::IsPublic(c.inverse()),
        }
    }

    /// True when `task` holds this change's `after` value.
    #[must_use]
    pub fn holds_after(&self, task: &Task) -> bool {
        match self {
            Self::Title(c) => task.title == c.after,
            Self::Description(c) => task.description == c.after,
            Self::Status(c) => task.status == c.after,
            Self::Priority(c) => task.priority == c.after,
            Self::Category(c) => task.category_id == c.after,
            Self::Assignee(c) => task.assignee_id == c.after,
            Self::Labels(c) => task.labels == c.after,
            Self::DueDate(c) => task.due_date == c.after,
            Self::Parent(c) => task.parent_id == c.after,
            Self::IsPublic(c) => task.is_public == c.after,
        }
    }

    /// Sets this change's `after` value on `task`.
    pub fn apply_after(&self, task: &mut Task) {
        match self {
            Self::Title(c) => task.title = c.after.clone(),
            Self::Description(c) => task.description = c.after.clone(),
            Self::Status(c) => task.status = c.after,
            Self::Priority(c) => task.priority = c.after,
            Self::Category(c) => task.category_id = c.after,
            Self::Assignee(c) => task.assignee_id = c.after,
            Self::Labels(c) => task.labels = c.after.clone(),
            Self::DueDate(c) => task.due_date = c.after,
            Self::Parent(c) => task.parent_id = c.after,
            Self::IsPublic(c) => task.is_public = c.after,
        }
    }

    /// Sets this change's `before` value on `task`.
    pub fn apply_before(&self, task: &mut Task) {
        self.clone().inverse().apply_after(task);
    }
}

/// The fields of a task that history records, named as the API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskFieldName {
    /// `title`.
    Title,
    /// `description`.
    Description,
    /// `status`.
    Status,
    /// `priority`.
    Priority,
    /// `category_id`.
    Category,
    /// `assignee_id`.
    Assignee,
    /// `labels`.
    Labels,
    /// `due_date`.
    DueDate,
    /// `parent_id`.
    Parent,
    /// `is_public`.
    IsPublic,
}

impl TaskFieldName {
    /// The API's name of the field.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Status => "status",
            Self::Priority => "priority",
            Self::Category => "category_id",
            Self::Assignee => "assignee_id",
            Self::Labels => "labels",
            Self::DueDate => "due_date",
            Self::Parent => "parent_id",
            Self::IsPublic => "is_public",
        }
    }
}

impl fmt::Display for TaskFieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields in which `after` differs from `before`, one change per field, in
/// [`TaskFieldName`] order. Identity, project, version and timestamps are not fields a user
/// changes, so they are not compared.
#[must_use]
pub fn task_changes(before: &Task, after: &Task) -> Vec<TaskFieldChange> {
    fn pair<T: Clone + PartialEq>(b: &T, a: &T) -> Option<FieldChange<T>> {
        (b != a).then(|| FieldChange { before: b.clone(), after: a.clone() })
    }
    let candidates = [
        pair(&before.title, &after.title).map(TaskFieldChange::Title),
        pair(&before.description, &after.description).map(TaskFieldChange::Description),
        pair(&before.status, &after.status).map(TaskFieldChange::Status),
        pair(&before.priority, &after.priority).map(TaskFieldChange::Priority),
        pair(&before.category_id, &after.category_id).map(TaskFieldChange::Category),
        pair(&before.assignee_id, &after.assignee_id).map(TaskFieldChange::Assignee),
        pair(&before.labels, &after.labels).map(TaskFieldChange::Labels),
        pair(&before.due_date, &after.due_date).map(TaskFieldChange::DueDate),
        pair(&before.parent_id, &after.parent_id).map(TaskFieldChange::Parent),
        pair(&before.is_public, &after.is_public).map(TaskFieldChange::IsPublic),
    ];
    candidates.into_iter().flatten().collect()
}

/// A change of one field of a [`Project`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectFieldChange {
    /// The name.
    Name(FieldChange<ProjectName>),
    /// The description.
    Description(FieldChange<ProjectDescription>),
    /// The owner.
    Owner(FieldChange<UserId>),
}

impl ProjectFieldChange {
    /// The API's name of the field: `name`, `description` or `owner_id`.
    #[must_use]
    pub const fn field_name(&self) -> &'static str {
        match self {
            Self::Name(_) => "name",
            Self::Description(_) => "description",
            Self::Owner(_) => "owner_id",
        }
    }
}

/// The fields in which project `after` differs from `before`.
#[must_use]
pub fn project_changes(before: &Project, after: &Project) -> Vec<ProjectFieldChange> {
    let mut changes = Vec::new();
    if before.name != after.name {
        changes.push(ProjectFieldChange::Name(FieldChange {
            before: before.name.clone(),
            after: after.name.clone(),
        }));
    }
    if before.description != after.description {
        changes.push(ProjectFieldChange::Description(FieldChange {
            before: before.description.clone(),
            after: after.description.clone(),
        }));
    }
    if before.owner_id != after.owner_id {
        changes.push(ProjectFieldChange::Owner(FieldChange {
            before: before.owner_id,
            after: after.owner_id,
        }));
    }
    changes
}

/// What happened to a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskChange {
    /// The task was created.
    Created,
    /// Fields of the task changed (never empty).
    Updated(Vec<TaskFieldChange>),
    /// The task, with its subtasks, moved to another project (the entry's project is `to`).
    Moved(FieldChange<ProjectId>),
    /// The task and its subtasks went to the trash.
    Trashed,
    /// The task and its subtasks came back from the trash; `cleared` lists the references
    /// that no longer held and were emptied (a deleted category, an assignee no longer a
    /// member).
    Restored {
        /// The fields restore had to clear.
        cleared: Vec<TaskFieldChange>,
    },
    /// An earlier `Updated` or `Reverted` entry was undone.
    Reverted {
        /// The entry undone.
        entry: EntryId,
        /// The fields set back (never empty).
        changes: Vec<TaskFieldChange>,
    },
}

/// What happened to a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectChange {
    /// The project was created.
    Created,
    /// Its name, description or owner changed (never empty).
    Updated(Vec<ProjectFieldChange>),
}

/// What an entry records: a change of one task, or of a project itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A change of a task.
    Task {
        /// The task.
        task_id: TaskId,
        /// What happened to it.
        change: TaskChange,
    },
    /// A change of the project itself.
    Project(ProjectChange),
}

impl Change {
    /// A stable, lower-case name of the kind of change, e.g. `task_updated`, as stored and as
    /// the API shows it.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Task { change, .. } => match change {
                TaskChange::Created => "task_created",
                TaskChange::Updated(_) => "task_updated",
                TaskChange::Moved(_) => "task_moved",
                TaskChange::Trashed => "task_trashed",
                TaskChange::Restored { .. } => "task_restored",
                TaskChange::Reverted { .. } => "task_reverted",
            },
            Self::Project(change) => match change {
                ProjectChange::Created => "project_created",
                ProjectChange::Updated(_) => "project_updated",
            },
        }
    }

    /// The task the change is about, if it is about a task.
    #[must_use]
    pub const fn task_id(&self) -> Option<TaskId> {
        match self {
            Self::Task { task_id, .. } => Some(*task_id),
            Self::Project(_) => None,
        }
    }
}

/// A change about to be recorded: everything of a [`HistoryEntry`] but its id, which the
/// repository assigns in the write's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    /// The project the change happened in (for a move, the project moved to).
    pub project_id: ProjectId,
    /// Who made the change.
    pub actor: UserId,
    /// When.
    pub at: Timestamp,
    /// What changed.
    pub change: Change,
}

impl EntryDraft {
    /// The entry recording the creation of `task`: by its creator, at its creation time.
    #[must_use]
    pub fn task_created(task: &Task) -> Self {
        Self::task(task, task.created_by, task.created_at, TaskChange::Created)
    }

    /// The entry recording the creation of `project`: by its owner, at its creation time.
    #[must_use]
    pub fn project_created(project: &Project) -> Self {
        Self::project(project.id, project.owner_id, project.created_at, ProjectChange::Created)
    }

    /// The entry recording a change of `task` (its project and id are taken from it).
    #[must_use]
    pub fn task(task: &Task, actor: UserId, at: Timestamp, change: TaskChange) -> Self {
        Self {
            project_id: task.project_id,
            actor,
            at,
            change: Change::Task { task_id: task.id, change },
        }
    }

    /// The entry recording a change of `project` itself.
    #[must_use]
    pub fn project(
        project: ProjectId,
        actor: UserId,
        at: Timestamp,
        change: ProjectChange,
    ) -> Self {
        Self { project_id: project, actor, at, change: Change::Project(change) }
    }

    /// The entries a move records besides this one, the move of its root: one `moved` entry
    /// per subtask in `moved` that came along (same project, actor, time and from → to), in
    /// the order given. Empty when this is not a move or `moved` holds only the root. Every
    /// task that changed project gets its own entry, so its history shows the move
    /// (ADR 0024); the repository records these in the move's transaction.
    #[must_use]
    pub fn subtask_moves(&self, moved: &[Task]) -> Vec<Self> {
        let Change::Task { task_id: root, change: TaskChange::Moved(projects) } = &self.change
        else {
            return Vec::new();
        };
        moved
            .iter()
            .filter(|t| t.id != *root)
            .map(|t| Self {
                project_id: self.project_id,
                actor: self.actor,
                at: self.at,
                change: Change::Task { task_id: t.id, change: TaskChange::Moved(projects.clone()) },
            })
            .collect()
    }

    /// The entry recording that deleting category `category` cleared it from task `task_id`
    /// (in project `project_id`): an update of the category to none, by the deleter `actor`
    /// at `at`. The repository records one per task it clears, in the deletion's
    /// transaction (ADR 0024).
    #[must_use]
    pub fn category_cleared(
        task_id: TaskId,
        project_id: ProjectId,
        category: CategoryId,
        actor: UserId,
        at: Timestamp,
    ) -> Self {
        Self {
            project_id,
            actor,
            at,
            change: Change::Task {
                task_id,
                change: TaskChange::Updated(vec![TaskFieldChange::Category(FieldChange {
                    before: Some(category),
                    after: None,
                })]),
            },
        }
    }

    /// The entry recording that removing `assignee` from project `project_id` un-assigned
    /// them from task `task_id`: an update of the assignee to none, by `actor` (who removed
    /// the member) at `at`. The repository records one per task it un-assigns, in the
    /// removal's transaction (ADR 0024).
    #[must_use]
    pub fn assignee_cleared(
        task_id: TaskId,
        project_id: ProjectId,
        assignee: UserId,
        actor: UserId,
        at: Timestamp,
    ) -> Self {
        Self {
            project_id,
            actor,
            at,
            change: Change::Task {
                task_id,
                change: TaskChange::Updated(vec![TaskFieldChange::Assignee(FieldChange {
                    before: Some(assignee),
                    after: None,
                })]),
            },
        }
    }

    /// The entry as stored under `id`.
    #[must_use]
    pub fn recorded(self, id: EntryId) -> HistoryEntry {
        HistoryEntry {
            id,
            project_id: self.project_id,
            actor: self.actor,
            at: self.at,
            change: self.change,
        }
    }
}

/// One recorded change of a task or a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Its position in the change log.
    pub id: EntryId,
    /// The project the change happened in (for a move, the project moved to).
    pub project_id: ProjectId,
    /// Who made the change.
    pub actor: UserId,
    /// When.
    pub at: Timestamp,
    /// What changed.
    pub change: Change,
}

impl HistoryEntry {
    /// The task the entry is about, if any.
    #[must_use]
    pub const fn task_id(&self) -> Option<TaskId> {
        self.change.task_id()
    }
}
