//! [`Services`]: every use case, built once from the ports, for any driving adapter.
//!
//! A driving adapter (the HTTP API, a web interface, a CLI) needs all the use cases wired to
//! the same ports. Building them here, from one set of ports and settings, keeps that wiring
//! in one place: the app crate chooses the adapters, this constructor connects them, and a
//! second driving adapter reuses the same [`Services`] instead of wiring its own.

use std::sync::Arc;

use super::auth::{AuthPorts, AuthService, AuthSettings, BucketSettings};
use super::{
    CategoryService, ExportService, HistoryService, ProjectService, ReportService, TaskService,
    TrashService, UserService,
};
use crate::ports::{
    Clock, CursorSealer, EventPublisher, PasswordHasher, RefreshTokenMinter, Repositories,
    TokenIssuer,
};
use crate::query::CursorCodec;

/// The ports every use case is built from.
#[derive(Debug, Clone)]
pub struct ServicePorts {
    /// The repositories of one store (possibly behind caches the app chose).
    pub repositories: Repositories,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access tokens.
    pub tokens: Arc<dyn TokenIssuer>,
    /// Refresh-token generation and digesting.
    pub minter: Arc<dyn RefreshTokenMinter>,
    /// Seals listing cursors.
    pub cursor_sealer: Arc<dyn CursorSealer>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Where every use case reports what happened.
    pub events: Arc<dyn EventPublisher>,
}

/// The settings of the use cases; [`Default`] gives each service's own defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSettings {
    /// Registration, token lifetimes and login throttling.
    pub auth: AuthSettings,
    /// How many additions of unknown users a caller may make
    /// ([`ProjectService::DEFAULT_MISSED_ADDITIONS_BUDGET`] by default).
    pub missed_additions: BucketSettings,
    /// How many categories a caller may create ([`CategoryService::DEFAULT_CREATION_BUDGET`]
    /// by default).
    pub category_creations: BucketSettings,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            auth: AuthSettings::default(),
            missed_additions: ProjectService::DEFAULT_MISSED_ADDITIONS_BUDGET,
            category_creations: CategoryService::DEFAULT_CREATION_BUDGET,
        }
    }
}

/// Every use case, wired to one set of ports. Cheap to clone: clones share the ports and the
/// throttles (the login throttle, the per-user budgets), so hand a driving adapter a clone of
/// the one the app built, not a second one.
#[derive(Debug, Clone)]
pub struct Services {
    /// Tasks.
    pub tasks: TaskService,
    /// Projects and membership.
    pub projects: ProjectService,
    /// Categories.
    pub categories: CategoryService,
    /// User management, and the current role of each caller.
    pub users: UserService,
    /// Exports of the tasks a caller can see, page by page.
    pub exports: ExportService,
    /// The summary and top-open-tasks reports.
    pub reports: ReportService,
    /// Task history, project activity, and reverting one change.
    pub history: HistoryService,
    /// The trash: listing, restoring and purging deleted task subtrees.
    pub trash: TrashService,
    /// Registration, login, refresh-token rotation, logout, password change.
    pub auth: AuthService,
    /// Seals the task listing's next cursor and opens the one a client sends back.
    pub cursors: CursorCodec,
}

impl Services {
    /// Builds every use case from `ports`, configured by `settings`.
    #[must_use]
    pub fn new(ports: ServicePorts, settings: ServiceSettings) -> Self {
        let ServicePorts { repositories: r, hasher, tokens, minter, cursor_sealer, clock, events } =
            ports;
        let auth = AuthService::new(
            AuthPorts {
                users: r.users.clone(),
                refresh_tokens: r.refresh_tokens.clone(),
                hasher,
                tokens,
                minter,
                clock: clock.clone(),
                events: events.clone(),
            },
            settings.auth,
        );
        let tasks = TaskService::new(
            r.tasks.clone(),
            r.projects.clone(),
            r.categories.clone(),
            clock.clone(),
            events.clone(),
        );
        let projects =
            ProjectService::new(r.projects.clone(), r.users.clone(), clock.clone(), events.clone())
                .with_missed_additions_budget(settings.missed_additions);
        Self {
            history: HistoryService::new(r.history.clone(), tasks.clone(), projects.clone()),
            trash: TrashService::new(
                r.trash.clone(),
                r.projects.clone(),
                r.categories.clone(),
                clock.clone(),
                events.clone(),
            ),
            tasks,
            projects,
            categories: CategoryService::new(r.categories.clone(), clock.clone(), events.clone())
                .with_creation_budget(settings.category_creations),
            users: UserService::new(
                r.users.clone(),
                r.refresh_tokens.clone(),
                clock.clone(),
                events,
            ),
            exports: ExportService::new(r.tasks.clone(), r.categories.clone(), r.users.clone()),
            reports: ReportService::new(r.reports, r.projects, r.categories, clock),
            auth,
            cursors: CursorCodec::new(cursor_sealer),
        }
    }
}
