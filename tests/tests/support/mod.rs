//! Shared fixtures for the service (use-case) tests: a fresh in-memory world per test.
//!
//! Everything a test *arranges* goes straight through the repositories, so it publishes no
//! events; whatever [`World::event_names`] shows afterwards was published by the use case
//! under test. Each test file declares `mod support;` and uses what it needs, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Repositories, RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::{ListTasks, TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::services::{CategoryService, ProjectService, TaskService, UserService};
use taskforge_domain::values::{
    CategoryName, Description, DueDate, Label, Labels, PageLimit, PasswordHash, Priority,
    ProjectDescription, ProjectName, Role, Status, TaskTitle, Username, Version,
};
use taskforge_domain::{
    Actor, Category, CategoryId, Project, ProjectId, ProjectMember, Task, TaskId, User,
};
use taskforge_domain::{ports::Clock, values::Timestamp};
use taskforge_memory::MemoryDatabase;
use taskforge_testkit::{Delegating, RecordingPublisher, SteppingClock, TaskHooks};

/// A syntactically valid PHC string; the service tests never verify passwords.
pub const DUMMY_HASH: &str = "$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA";

/// 2026-01-01T00:00:00Z, where every world's clock starts.
const START_MICROS: i64 = 1_767_225_600_000_000;

/// The clock advances one millisecond per reading, so every write gets its own instant.
const CLOCK_STEP_MICROS: i64 = 1_000;

/// One in-memory store with the four services wired to it, a stepping clock and an event
/// recorder.
#[derive(Debug)]
pub struct World {
    /// The store's repositories, unwrapped (reads here never interfere with anything).
    pub repos: Repositories,
    /// The recorder every service publishes to.
    pub events: Arc<RecordingPublisher>,
    /// The clock every service reads.
    pub clock: Arc<SteppingClock>,
    /// Simulates another client writing a task between the service's read and its write.
    pub rival: Arc<Delegating<RivalWriter>>,
    /// Task use cases.
    pub tasks: TaskService,
    /// Project use cases.
    pub projects: ProjectService,
    /// Category use cases.
    pub categories: CategoryService,
    /// User-management use cases.
    pub users: UserService,
}

/// A project with one actor in every relation to it, for the access-matrix tests.
#[derive(Debug, Clone)]
pub struct Team {
    /// The project.
    pub project: Project,
    /// An editor who owns it.
    pub owner: Actor,
    /// An editor who is a member.
    pub editor: Actor,
    /// A viewer who is a member.
    pub viewer: Actor,
    /// An editor who is not a member.
    pub outsider: Actor,
    /// A viewer who is not a member.
    pub outsider_viewer: Actor,
    /// An admin who is not a member.
    pub admin: Actor,
}

/// Everything the store holds, plus how many events were published: two equal snapshots
/// mean nothing happened in between.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    users: Vec<User>,
    projects: Vec<Project>,
    members: Vec<(ProjectId, Vec<ProjectMember>)>,
    categories: Vec<Category>,
    tasks: Vec<Task>,
    events: usize,
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        Self::on(MemoryDatabase::new().repositories())
    }

    /// A world on the given (empty) store, e.g. a throwaway PostgreSQL database, so the same
    /// use cases can race on a store with real concurrency.
    pub fn on(repos: Repositories) -> Self {
        let events = Arc::new(RecordingPublisher::new());
        let start = Timestamp::from_unix_micros(START_MICROS).expect("start instant is valid");
        let clock = Arc::new(SteppingClock::new(start, CLOCK_STEP_MICROS));
        let rival = Arc::new(Delegating::new(Arc::clone(&repos.tasks), RivalWriter::new()));
        let tasks = TaskService::new(
            rival.clone(),
            Arc::clone(&repos.projects),
            Arc::clone(&repos.categories),
            clock.clone(),
            events.clone(),
        );
        let projects = ProjectService::new(
            Arc::clone(&repos.projects),
            Arc::clone(&repos.users),
            clock.clone(),
            events.clone(),
        );
        let categories =
            CategoryService::new(Arc::clone(&repos.categories), clock.clone(), events.clone());
        let users = UserService::new(
            Arc::clone(&repos.users),
            Arc::clone(&repos.refresh_tokens),
            clock.clone(),
            events.clone(),
        );
        Self { repos, events, clock, rival, tasks, projects, categories, users }
    }

    /// The names of the events published so far, in order.
    pub fn event_names(&self) -> Vec<&'static str> {
        self.events.names()
    }

    // ----- users -------------------------------------------------------------------------

    /// Stores a user with `role` and returns them as an actor.
    pub async fn user(&self, name: &str, role: Role) -> Actor {
        let user = User {
            id: taskforge_domain::UserId::new(),
            username: Username::parse(name).expect("valid username"),
            email: None,
            password_hash: PasswordHash::parse(DUMMY_HASH).expect("valid PHC string"),
            role,
            created_at: self.clock.now(),
        };
        self.repos.users.insert(&user).await.expect("user stored");
        Actor::new(user.id, role)
    }

    /// Stores an admin.
    pub async fn admin(&self, name: &str) -> Actor {
        self.user(name, Role::Admin).await
    }

    /// Stores an editor.
    pub async fn editor(&self, name: &str) -> Actor {
        self.user(name, Role::Editor).await
    }

    /// Stores a viewer.
    pub async fn viewer(&self, name: &str) -> Actor {
        self.user(name, Role::Viewer).await
    }

    /// The stored user, if any.
    pub async fn stored_user(&self, actor: &Actor) -> Option<User> {
        self.repos.users.get(actor.user_id).await.expect("user read")
    }

    // ----- projects ----------------------------------------------------------------------

    /// Stores a project owned by `owner` (who thereby becomes its first member).
    pub async fn project(&self, owner: &Actor, name: &str) -> Project {
        let project = Project {
            id: ProjectId::new(),
            name: project_name(name),
            description: ProjectDescription::empty(),
            owner_id: owner.user_id,
            created_at: self.clock.now(),
        };
        self.repos
            .projects
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .expect("project stored");
        project
    }

    /// Makes `member` a member of `project`.
    pub async fn join(&self, project: &Project, member: &Actor) {
        self.repos
            .projects
            .add_member(project.id, member.user_id, self.clock.now())
            .await
            .expect("member added");
    }

    /// True when `actor` is a member of `project`.
    pub async fn is_member(&self, project: &Project, actor: &Actor) -> bool {
        self.repos.projects.is_member(project.id, actor.user_id).await.expect("membership read")
    }

    /// The stored project, if any.
    pub async fn stored_project(&self, id: ProjectId) -> Option<Project> {
        self.repos.projects.get(id).await.expect("project read")
    }

    /// A project owned by an editor, with an editor member, a viewer member, and an editor,
    /// a viewer and an admin who are not members.
    pub async fn team(&self) -> Team {
        let owner = self.editor("olivia").await;
        let editor = self.editor("eddie").await;
        let viewer = self.viewer("vera").await;
        let outsider = self.editor("oscar").await;
        let outsider_viewer = self.viewer("otto").await;
        let admin = self.admin("ada").await;
        let project = self.project(&owner, "Launch").await;
        self.join(&project, &editor).await;
        self.join(&project, &viewer).await;
        Team { project, owner, editor, viewer, outsider, outsider_viewer, admin }
    }

    // ----- categories --------------------------------------------------------------------

    /// Stores a category.
    pub async fn category(&self, name: &str) -> Category {
        let category = Category {
            id: CategoryId::new(),
            name: category_name(name),
            created_at: self.clock.now(),
        };
        self.repos.categories.insert(&category).await.expect("category stored");
        category
    }

    /// The stored category, if any.
    pub async fn stored_category(&self, id: CategoryId) -> Option<Category> {
        self.repos.categories.get(id).await.expect("category read")
    }

    // ----- tasks -------------------------------------------------------------------------

    /// A root task with default fields, not yet stored: adjust it, then [`World::insert`].
    pub fn draft(&self, project: ProjectId, creator: &Actor, title_text: &str) -> Task {
        let now = self.clock.now();
        Task {
            id: TaskId::new(),
            project_id: project,
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
            created_by: creator.user_id,
            created_at: now,
            updated_at: now,
            version: Version::FIRST,
        }
    }

    /// Stores `task` as it is.
    pub async fn insert(&self, task: Task) -> Task {
        self.repos
            .tasks
            .insert(&task, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&task))
            .await
            .expect("task stored");
        task
    }

    /// Stores a private root task.
    pub async fn task(&self, project: &Project, creator: &Actor, title_text: &str) -> Task {
        self.insert(self.draft(project.id, creator, title_text)).await
    }

    /// Stores a public root task.
    pub async fn public_task(&self, project: &Project, creator: &Actor, title_text: &str) -> Task {
        let mut task = self.draft(project.id, creator, title_text);
        task.is_public = true;
        self.insert(task).await
    }

    /// Stores a subtask of `parent`, in its project.
    pub async fn subtask(&self, parent: &Task, title_text: &str) -> Task {
        let creator = Actor::new(parent.created_by, Role::Editor);
        let mut task = self.draft(parent.project_id, &creator, title_text);
        task.parent_id = Some(parent.id);
        self.insert(task).await
    }

    /// Stores a chain of `depth` tasks, each the subtask of the one before; root first.
    pub async fn chain(&self, project: &Project, creator: &Actor, depth: usize) -> Vec<Task> {
        let mut chain = vec![self.task(project, creator, "level 1").await];
        for level in 2..=depth {
            let parent = chain.last().expect("chain is not empty").clone();
            chain.push(self.subtask(&parent, &format!("level {level}")).await);
        }
        chain
    }

    /// The stored task, if any.
    pub async fn stored(&self, id: TaskId) -> Option<Task> {
        self.repos.tasks.get(id).await.expect("task read")
    }

    /// Every stored task, oldest first.
    pub async fn all_tasks(&self) -> Vec<Task> {
        let query = TaskQuery {
            visibility: Visibility::All,
            filter: TaskFilter::default(),
            sort: sort("created_at"),
            after: None,
            fetch: usize::MAX,
        };
        self.repos.tasks.list(&query).await.expect("tasks listed")
    }

    /// Walks every page of a listing, `limit` items at a time, and returns all items in order.
    pub async fn list_all(
        &self,
        actor: &Actor,
        filter: TaskFilter,
        task_sort: TaskSort,
        limit: u64,
    ) -> Vec<Task> {
        let mut items = Vec::new();
        let mut after = None;
        // A guard against a cursor that never ends: no test world holds 1,000 pages.
        for _ in 0..1_000 {
            let request = ListTasks {
                filter: filter.clone(),
                sort: task_sort,
                after,
                limit: PageLimit::new(limit).expect("valid page size"),
            };
            let page = self.tasks.list(actor, request).await.expect("page listed");
            assert!(page.items.len() <= usize::try_from(limit).expect("small limit"));
            items.extend(page.items);
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => return items,
            }
        }
        panic!("the cursor chain did not end");
    }

    // ----- state -------------------------------------------------------------------------

    /// Everything stored now, and the number of events published so far.
    pub async fn snapshot(&self) -> Snapshot {
        let users = self.repos.users.list(None, usize::MAX).await.expect("users listed");
        let projects =
            self.repos.projects.list(Visibility::All, None, usize::MAX).await.expect("listed");
        let mut members = Vec::with_capacity(projects.len());
        for project in &projects {
            let of_project = self.repos.projects.members(project.id).await.expect("members");
            members.push((project.id, of_project));
        }
        Snapshot {
            users,
            projects,
            members,
            categories: self.repos.categories.list(None, usize::MAX).await.expect("listed"),
            tasks: self.all_tasks().await,
            events: self.events.events().len(),
        }
    }

    /// Asserts that nothing was stored, changed or published since `before` was taken.
    pub async fn assert_unchanged_since(&self, before: &Snapshot) {
        let after = self.snapshot().await;
        assert_eq!(&after, before, "a refused request changed the store or published events");
    }
}

// ----- value helpers (the inputs are test literals, known to be valid) ---------------------

/// A task title.
pub fn title(text: &str) -> TaskTitle {
    TaskTitle::parse(text).expect("valid title")
}

/// A task description.
pub fn description(text: &str) -> Description {
    Description::parse(text).expect("valid description")
}

/// A project name.
pub fn project_name(text: &str) -> ProjectName {
    ProjectName::parse(text).expect("valid project name")
}

/// A category name.
pub fn category_name(text: &str) -> CategoryName {
    CategoryName::parse(text).expect("valid category name")
}

/// A label.
pub fn label(text: &str) -> Label {
    Label::parse(text).expect("valid label")
}

/// A set of labels.
pub fn labels(texts: &[&str]) -> Labels {
    Labels::parse(texts).expect("valid labels")
}

/// A calendar date written `YYYY-MM-DD`.
pub fn date(text: &str) -> DueDate {
    DueDate::parse(text).expect("valid date")
}

/// A sort order written as on the wire.
pub fn sort(text: &str) -> TaskSort {
    TaskSort::parse(text).expect("valid sort")
}

/// A version number.
pub fn version(n: u64) -> Version {
    Version::new(n).expect("versions start at 1")
}

// ----- a rival writer ------------------------------------------------------------------------

/// What "another client" does in the moment between a use case's reads and its write.
type Interjection = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// The hooks of a [`Delegating`] task repository that, when armed, let "another client" change
/// the task right before the service's own write reaches the store — the race optimistic
/// concurrency exists for, made deterministic. [`RivalWriter::before_next_write`] lets the
/// rival do anything at that moment (move a parent, remove a member, add a subtask).
pub struct RivalWriter {
    strikes: AtomicUsize,
    interjection: Mutex<Option<Interjection>>,
}

impl std::fmt::Debug for RivalWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RivalWriter").field("strikes", &self.strikes).finish_non_exhaustive()
    }
}

/// What the rival writes into the description, so tests can see its change survived.
pub const RIVAL_DESCRIPTION: &str = "changed by someone else";

impl RivalWriter {
    fn new() -> Self {
        Self { strikes: AtomicUsize::new(0), interjection: Mutex::new(None) }
    }

    /// Right before the next task write (insert, update, delete or move) reaches the store,
    /// `rival` runs to completion: the service has read and checked, and the world changes
    /// under it. Only once.
    pub fn before_next_write<F, Fut>(&self, rival: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let interjection: Interjection = Box::new(move || Box::pin(rival()));
        *self.interjection.lock().expect("the rival's slot is never poisoned") = Some(interjection);
    }

    async fn maybe_interject(&self) {
        let rival = self.interjection.lock().expect("never poisoned").take();
        if let Some(rival) = rival {
            rival().await;
        }
    }

    /// The next `n` task writes (update or move) each lose a race against the rival.
    pub fn strike_before_next_writes(&self, n: usize) {
        self.strikes.store(n, Ordering::SeqCst);
    }

    async fn maybe_strike(&self, inner: &dyn TaskRepository, id: TaskId) {
        let armed = self
            .strikes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !armed {
            return;
        }
        if let Ok(Some(mut task)) = inner.get(id).await {
            let expected = task.version;
            task.description = description(RIVAL_DESCRIPTION);
            task.version = expected.next();
            inner
                .update(
                    &task,
                    expected,
                    &TreeGuards::none(),
                    &taskforge_testkit::fixtures::entry(task.id),
                )
                .await
                .expect("the rival's write succeeds");
        }
    }
}

/// Reads pass through; each write first lets the rival act.
#[async_trait]
impl TaskHooks for RivalWriter {
    async fn insert(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        self.maybe_interject().await;
        inner.insert(task, guards, entry).await
    }

    async fn update(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        self.maybe_interject().await;
        self.maybe_strike(inner, task.id).await;
        inner.update(task, expected, guards, entry).await
    }

    async fn delete(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        self.maybe_interject().await;
        inner.delete(id, entry).await
    }

    async fn move_tree(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        self.maybe_interject().await;
        self.maybe_strike(inner, id).await;
        inner.move_tree(id, to, expected, at, entry).await
    }
}
