//! Shared by the integration tests: a fresh database file, and a realistic seed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use rusqlite::Connection;
use taskforge_domain::ports::Repositories;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{
    CategoryName, Description, DueDate, Labels, PasswordHash, Priority, ProjectDescription,
    ProjectName, Role, Status, TaskTitle, Username, Version,
};
use taskforge_domain::{Category, CategoryId, Project, ProjectId, Task, TaskId, User, UserId};
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};
use tempfile::TempDir;

/// 2026-01-01T00:00:00Z.
pub const BASE: i64 = 1_767_225_600_000_000;

pub fn at_seconds(s: i64) -> Timestamp {
    Timestamp::from_unix_micros(BASE + s * 1_000_000).unwrap()
}

/// An open database in its own temporary directory (removed when this is dropped).
pub struct TestDb {
    pub db: SqliteDatabase,
    pub repos: Repositories,
    pub dir: TempDir,
}

impl TestDb {
    pub async fn new() -> Self {
        Self::with(|c| c.synchronous(Synchronous::Normal)).await
    }

    pub async fn with(configure: impl FnOnce(SqliteConfig) -> SqliteConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = configure(SqliteConfig::new(dir.path().join("test.db")));
        let db = SqliteDatabase::open(config).await.unwrap();
        let repos = db.repositories();
        Self { db, repos, dir }
    }

    pub fn path(&self) -> PathBuf {
        self.db.path().to_path_buf()
    }

    /// A separate connection to the same file, as a test's window on the database.
    pub fn raw(&self) -> Connection {
        let conn = Connection::open(self.path()).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        conn
    }
}

pub fn user(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        email: None,
        password_hash: PasswordHash::parse("$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA").unwrap(),
        role,
        created_at: at_seconds(0),
    }
}

pub fn project(name: &str, owner: UserId) -> Project {
    Project {
        id: ProjectId::new(),
        name: ProjectName::parse(name).unwrap(),
        description: ProjectDescription::empty(),
        owner_id: owner,
        created_at: at_seconds(0),
    }
}

pub fn task(project: ProjectId, title: &str, created_by: UserId, at: Timestamp) -> Task {
    Task {
        id: TaskId::new(),
        project_id: project,
        title: TaskTitle::parse(title).unwrap(),
        description: Description::empty(),
        status: Status::Todo,
        priority: Priority::Medium,
        category_id: None,
        assignee_id: None,
        labels: Labels::none(),
        due_date: None,
        parent_id: None,
        is_public: false,
        created_by,
        created_at: at,
        updated_at: at,
        version: Version::FIRST,
    }
}

/// A deterministic pseudo-random sequence (an LCG): the same seed data on every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const WORDS: &[&str] = &[
    "deploy",
    "invoice",
    "Release",
    "backup",
    "Migrate",
    "review",
    "Ünïcode",
    "design",
    "refactor",
    "billing",
    "search",
    "login",
    "export",
    "report",
    "cache",
];

/// What [`seed`] created.
pub struct Seed {
    pub admin: User,
    /// A user who is a member of 2 of the 50 projects: a small slice of the tasks.
    pub viewer: User,
    pub users: Vec<User>,
    pub projects: Vec<Project>,
    pub categories: Vec<Category>,
    pub tasks: Vec<Task>,
}

/// Seeds `tasks` tasks over 50 projects, 20 users and 10 categories, in one transaction on a
/// raw connection with the adapter's own insert code, then runs ANALYZE.
pub async fn seed(t: &TestDb, tasks: usize) -> Seed {
    let admin = user("admin", Role::Admin);
    let viewer = user("viewer", Role::Viewer);
    t.repos.users.insert(&admin).await.unwrap();
    t.repos.users.insert(&viewer).await.unwrap();
    let mut users = Vec::new();
    for i in 0..20 {
        let u = user(&format!("user{i:02}"), Role::Editor);
        t.repos.users.insert(&u).await.unwrap();
        users.push(u);
    }
    let mut projects = Vec::new();
    let mut members = Vec::new();
    for i in 0..50 {
        let p = project(&format!("Project {i}"), users[i % users.len()].id);
        t.repos
            .projects
            .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
            .await
            .unwrap();
        // Each project has its owner and two more members.
        let mut in_project = vec![p.owner_id];
        for k in 1..3 {
            let member = users[(i + k * 7) % users.len()].id;
            t.repos.projects.add_member(p.id, member, at_seconds(0)).await.unwrap();
            in_project.push(member);
        }
        projects.push(p);
        members.push(in_project);
    }
    for p in &projects[..2] {
        t.repos.projects.add_member(p.id, viewer.id, at_seconds(0)).await.unwrap();
    }
    let mut categories = Vec::new();
    for i in 0..10 {
        let c = Category {
            id: CategoryId::new(),
            name: CategoryName::parse(&format!("Category {i}")).unwrap(),
            created_at: at_seconds(0),
        };
        t.repos.categories.insert(&c).await.unwrap();
        categories.push(c);
    }

    let mut rng = Lcg::new(42);
    let mut conn = t.raw();
    let tx = conn.transaction().unwrap();
    let mut created: Vec<Task> = Vec::with_capacity(tasks);
    for i in 0..tasks {
        let project_index = usize::try_from(rng.below(50)).unwrap();
        let p = &projects[project_index];
        let title = format!(
            "{} {} {}",
            WORDS[usize::try_from(rng.below(WORDS.len() as u64)).unwrap()],
            WORDS[usize::try_from(rng.below(WORDS.len() as u64)).unwrap()],
            i
        );
        // Three tasks per second: plenty of ties on created_at, broken by id.
        let mut tk = task(p.id, &title, p.owner_id, at_seconds(i64::try_from(i / 3).unwrap()));
        tk.status = Status::ALL[usize::try_from(rng.below(3)).unwrap()];
        tk.priority = Priority::ALL[usize::try_from(rng.below(4)).unwrap()];
        if rng.chance(70) {
            tk.category_id = Some(categories[usize::try_from(rng.below(10)).unwrap()].id);
        }
        if rng.chance(50) {
            // Assignees are members of the task's project: the store refuses anyone else.
            let in_project = &members[project_index];
            let k = usize::try_from(rng.below(in_project.len() as u64)).unwrap();
            tk.assignee_id = Some(in_project[k]);
        }
        let n_labels = rng.below(4);
        let names: Vec<String> = (0..n_labels).map(|_| format!("l{}", rng.below(30))).collect();
        tk.labels = Labels::parse(&names).unwrap();
        if rng.chance(60) {
            let day = i32::try_from(20_000 + rng.below(1_000)).unwrap();
            tk.due_date = DueDate::from_days_since_epoch(day);
        }
        tk.is_public = rng.chance(10);
        if i > 10 && rng.chance(20) {
            let candidate = &created[usize::try_from(rng.below(i as u64)).unwrap()];
            if candidate.project_id == tk.project_id {
                tk.parent_id = Some(candidate.id);
            }
        }
        taskforge_sqlite::internals::insert_task(&tx, &tk).unwrap();
        created.push(tk);
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
    Seed { admin, viewer, users, projects, categories, tasks: created }
}
