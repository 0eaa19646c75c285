//! Builders for valid entities with fresh ids and fixed timestamps.
//!
//! Every contract test builds its own data with these, so tests are independent of each other
//! and of the order they run in. Times are offsets from one fixed instant ([`base_time`]), so
//! a failing assertion prints the same values on every run.

use taskforge_domain::id::{ProjectId, TaskId, TokenFamilyId, UserId};
use taskforge_domain::model::{
    Category, EntryDraft, Project, ProjectChange, Task, TaskChange, User,
};
use taskforge_domain::ports::{RefreshTokenRecord, Repositories, TokenDigest, TreeGuards};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{
    CategoryName, Description, DueDate, EmailAddress, Labels, PasswordHash, Priority,
    ProjectDescription, ProjectName, Role, Status, TaskTitle, Username, Version,
};

/// The instant every fixture time is measured from: 2026-01-01T00:00:00Z.
pub const BASE_UNIX_MICROS: i64 = 1_767_225_600_000_000;

/// A syntactically valid PHC string; no hasher ever produced it, and none needs to.
pub const PASSWORD_HASH: &str = "$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA";

/// 2026-01-01T00:00:00Z, the time of every entity a fixture builds.
#[must_use]
pub fn base_time() -> Timestamp {
    at(0)
}

/// [`base_time`] plus `seconds` (negative: before it).
#[must_use]
pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros(BASE_UNIX_MICROS + seconds * 1_000_000)
        .expect("fixture instants lie well inside the representable range")
}

/// A username; panics when `raw` is not a valid one.
#[must_use]
pub fn username(raw: &str) -> Username {
    Username::parse(raw).expect("fixture usernames are valid")
}

/// A calendar date written `YYYY-MM-DD`; panics when it is not one.
#[must_use]
pub fn date(raw: &str) -> DueDate {
    DueDate::parse(raw).expect("fixture dates are valid")
}

/// A task title; panics when `raw` is not a valid one.
#[must_use]
pub fn title(raw: &str) -> TaskTitle {
    TaskTitle::parse(raw).expect("fixture titles are valid")
}

/// A set of labels; panics when one is invalid.
#[must_use]
pub fn labels(raw: &[&str]) -> Labels {
    Labels::parse(raw).expect("fixture labels are valid")
}

/// A category name; panics when `raw` is not a valid one.
#[must_use]
pub fn category_name(raw: &str) -> CategoryName {
    CategoryName::parse(raw).expect("fixture category names are valid")
}

/// An editor called `name` (with the address `name@example.org`), created at [`base_time`].
#[must_use]
pub fn user(name: &str) -> User {
    user_with_role(name, Role::Editor)
}

/// A user called `name` with `role`, created at [`base_time`].
#[must_use]
pub fn user_with_role(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        username: username(name),
        email: Some(
            EmailAddress::parse(&format!("{name}@example.org")).expect("fixture emails are valid"),
        ),
        password_hash: PasswordHash::parse(PASSWORD_HASH).expect("the fixture hash is valid"),
        role,
        created_at: base_time(),
    }
}

/// A project called `name` owned by `owner`, created at [`base_time`].
#[must_use]
pub fn project(owner: &User, name: &str) -> Project {
    Project {
        id: taskforge_domain::id::ProjectId::new(),
        name: ProjectName::parse(name).expect("fixture project names are valid"),
        description: ProjectDescription::parse("A project built by the contract suite.")
            .expect("the fixture description is valid"),
        owner_id: owner.id,
        created_at: base_time(),
    }
}

/// A category called `name`, created at [`base_time`].
#[must_use]
pub fn category(name: &str) -> Category {
    Category {
        id: taskforge_domain::id::CategoryId::new(),
        name: category_name(name),
        created_at: base_time(),
    }
}

/// A root task in `project` created by `creator`: to do, medium priority, no category,
/// assignee, labels or due date, private, created and updated at [`base_time`], version 1.
///
/// Change fields with struct update syntax: `Task { priority: Priority::High, ..task(…) }`.
#[must_use]
pub fn task(project: &Project, creator: &User, title_text: &str) -> Task {
    Task {
        id: taskforge_domain::id::TaskId::new(),
        project_id: project.id,
        title: title(title_text),
        description: Description::empty(),
        status: Status::Todo,
        priority: Priority::Medium,
        category_id: None,
        assignee_id: None,
        labels: Labels::none(),
        due_date: None,
        parent_id: None,
        is_public: false,
        created_by: creator.id,
        created_at: base_time(),
        updated_at: base_time(),
        version: Version::FIRST,
    }
}

/// A subtask of `parent` (same project and creator) called `title_text`.
#[must_use]
pub fn subtask(parent: &Task, title_text: &str) -> Task {
    Task {
        id: taskforge_domain::id::TaskId::new(),
        title: title(title_text),
        parent_id: Some(parent.id),
        ..parent.clone()
    }
}

/// A fresh, unique token digest (built from two fresh UUIDv7s, so never repeated).
#[must_use]
pub fn digest() -> TokenDigest {
    let mut bytes = [0; 32];
    bytes[..16].copy_from_slice(&taskforge_domain::id::TaskId::new().to_bytes());
    bytes[16..].copy_from_slice(&taskforge_domain::id::TaskId::new().to_bytes());
    TokenDigest(bytes)
}

/// An active refresh token of `user` in `family`, issued at `issued_at` and expiring 30 days
/// later, with a fresh digest.
#[must_use]
pub fn refresh_token(
    user: &User,
    family: TokenFamilyId,
    issued_at: Timestamp,
) -> RefreshTokenRecord {
    RefreshTokenRecord {
        digest: digest(),
        user_id: user.id,
        family,
        issued_at,
        expires_at: issued_at.plus_micros(30 * 24 * 3_600 * 1_000_000),
        used_at: None,
        revoked_at: None,
    }
}

/// Stores `user` and returns it; panics when the store refuses.
pub async fn stored_user(repos: &Repositories, user: User) -> User {
    repos.users.insert(&user).await.expect("inserting a fixture user succeeds");
    user
}

/// Stores `project` and returns it; panics when the store refuses.
pub async fn stored_project(repos: &Repositories, project: Project) -> Project {
    repos
        .projects
        .insert(&project, &EntryDraft::project_created(&project))
        .await
        .expect("inserting a fixture project succeeds");
    project
}

/// Stores `category` and returns it; panics when the store refuses.
pub async fn stored_category(repos: &Repositories, category: Category) -> Category {
    repos.categories.insert(&category).await.expect("inserting a fixture category succeeds");
    category
}

/// Stores `task` and returns it; panics when the store refuses.
pub async fn stored_task(repos: &Repositories, task: Task) -> Task {
    repos
        .tasks
        .insert(&task, &TreeGuards::none(), &created(&task))
        .await
        .expect("inserting a fixture task succeeds");
    task
}

/// Stores `record` and returns it; panics when the store refuses.
pub async fn stored_token(repos: &Repositories, record: RefreshTokenRecord) -> RefreshTokenRecord {
    repos.refresh_tokens.insert(&record).await.expect("inserting a fixture token succeeds");
    record
}

/// Stores an editor called `name` and a project of theirs called `project_name`.
pub async fn owner_and_project(
    repos: &Repositories,
    name: &str,
    project_name: &str,
) -> (User, Project) {
    let owner = stored_user(repos, user(name)).await;
    let project = stored_project(repos, project(&owner, project_name)).await;
    (owner, project)
}

/// Stores a user called `name` and makes them a member of `project` as of [`base_time`].
pub async fn stored_member(repos: &Repositories, project: &Project, name: &str) -> User {
    let member = stored_user(repos, user(name)).await;
    let added = repos
        .projects
        .add_member(project.id, member.id, base_time())
        .await
        .expect("adding a fixture member succeeds");
    assert!(added, "a new user was reported as already being a member of {}", project.name);
    member
}

/// The stored task with `id`; panics when it is missing or the store fails.
pub async fn stored_task_by_id(repos: &Repositories, id: taskforge_domain::id::TaskId) -> Task {
    repos
        .tasks
        .get(id)
        .await
        .expect("reading a task succeeds")
        .unwrap_or_else(|| panic!("task {id} should still be stored"))
}

/// The version after `n` more changes than the first.
#[must_use]
pub fn version(n: u64) -> Version {
    Version::new(n).expect("fixture versions are positive")
}

/// The history entry a task write records when a test writes through the repository
/// directly: the creation of `task`, by its creator at its creation time.
#[must_use]
pub fn created(task: &Task) -> EntryDraft {
    EntryDraft::task_created(task)
}

/// The history entry for a direct repository write to task `task_id` (an update, a move, a
/// deletion) in a repository contract test, where what the entry says does not matter, only
/// that one is recorded: a stand-in change by the nil user in the nil project at
/// [`base_time`]. The services compute real entries.
#[must_use]
pub fn entry(task_id: TaskId) -> EntryDraft {
    EntryDraft {
        project_id: ProjectId::from_uuid(uuid::Uuid::nil()),
        actor: UserId::from_uuid(uuid::Uuid::nil()),
        at: base_time(),
        change: taskforge_domain::model::Change::Task {
            task_id,
            change: TaskChange::Updated(Vec::new()),
        },
    }
}

/// [`entry`] for a direct repository write to project `project_id`.
#[must_use]
pub fn project_entry(project_id: ProjectId) -> EntryDraft {
    EntryDraft {
        project_id,
        actor: UserId::from_uuid(uuid::Uuid::nil()),
        at: base_time(),
        change: taskforge_domain::model::Change::Project(ProjectChange::Updated(Vec::new())),
    }
}
