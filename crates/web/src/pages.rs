//! The askama templates (under `templates/`) and the data each one shows. Templates are
//! compiled and type-checked with the crate, and escape every value for HTML unless told
//! otherwise — which no template does (ADR 0018).

use askama::Template;

use crate::assets::{APP_CSS_PATH, HTMX_JS_PATH, LIVE_BOARD_JS_PATH};
use crate::session::Viewer;

/// What the page frame shows: the title, the stylesheet, and who is logged in.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page title (before ` · TaskForge`).
    pub title: String,
    /// The stylesheet's hashed path.
    pub css: &'static str,
    /// htmx's hashed path.
    pub htmx: &'static str,
    /// The live board script's hashed path.
    pub live_board: &'static str,
    /// Who is logged in (`None` on the login and error pages).
    pub viewer: Option<ViewerView>,
}

/// The logged-in person, as the page frame shows them.
#[derive(Debug, Clone)]
pub struct ViewerView {
    /// Username.
    pub username: String,
    /// Role name.
    pub role: &'static str,
    /// Admins see the user administration link.
    pub is_admin: bool,
    /// The session's CSRF token (for the logout form and every other form).
    pub csrf: String,
}

impl Layout {
    /// The frame of a page for a logged-in person.
    #[must_use]
    pub fn for_viewer(title: impl Into<String>, viewer: &Viewer) -> Self {
        Self {
            title: title.into(),
            css: APP_CSS_PATH.as_str(),
            htmx: HTMX_JS_PATH.as_str(),
            live_board: LIVE_BOARD_JS_PATH.as_str(),
            viewer: Some(ViewerView {
                username: viewer.username.clone(),
                role: viewer.actor.role.as_str(),
                is_admin: viewer.is_admin(),
                csrf: viewer.csrf.clone(),
            }),
        }
    }

    /// The frame of a page for someone not logged in.
    #[must_use]
    pub fn anonymous(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            css: APP_CSS_PATH.as_str(),
            htmx: HTMX_JS_PATH.as_str(),
            live_board: LIVE_BOARD_JS_PATH.as_str(),
            viewer: None,
        }
    }
}

/// A 403, 404 or 500 page.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Frame.
    pub layout: Layout,
    /// The one heading.
    pub heading: &'static str,
    /// What happened and what to do.
    pub message: String,
}

/// `GET /login`.
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Frame.
    pub layout: Layout,
    /// The form's CSRF token.
    pub csrf: String,
    /// The username typed before (re-shown after a failure).
    pub username: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// A note after registering or logging out.
    pub notice: Option<&'static str>,
    /// Whether to link to the register page.
    pub registration_open: bool,
}

/// `GET /register`.
#[derive(Debug, Template)]
#[template(path = "register.html")]
pub struct RegisterPage {
    /// Frame.
    pub layout: Layout,
    /// The form's CSRF token.
    pub csrf: String,
    /// The username typed before.
    pub username: String,
    /// The email typed before.
    pub email: String,
    /// Messages beside the fields: (field, message).
    pub errors: Vec<(&'static str, String)>,
}

impl RegisterPage {
    /// The message for `field`, if any.
    #[must_use]
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// One task as a row of the list or a card of the board.
#[derive(Debug, Clone)]
pub struct TaskRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status value.
    pub status: &'static str,
    /// Status label.
    pub status_label: &'static str,
    /// Priority value.
    pub priority: &'static str,
    /// Labels.
    pub labels: Vec<String>,
    /// Due date or empty.
    pub due_date: String,
    /// Assignee's username or empty.
    pub assignee: String,
    /// Version, for the board's move form.
    pub version: u64,
}

/// A board column: one status and its tasks.
#[derive(Debug, Clone)]
pub struct Column {
    /// Status value.
    pub status: &'static str,
    /// Heading.
    pub label: &'static str,
    /// Tasks.
    pub rows: Vec<TaskRow>,
}

/// The filter form's current values (the API's listing parameter names).
#[derive(Debug, Clone, Default)]
pub struct FilterValues {
    /// `status`.
    pub status: String,
    /// `priority`.
    pub priority: String,
    /// `label`.
    pub label: String,
    /// `assignee_id`.
    pub assignee_id: String,
    /// `q`.
    pub q: String,
    /// `sort`.
    pub sort: String,
}

/// Every listing order, as (value, label).
pub const SORTS: [(&str, &str); 8] = [
    ("created_at", "Oldest first"),
    ("-created_at", "Newest first"),
    ("priority", "Priority, low first"),
    ("-priority", "Priority, urgent first"),
    ("due_date", "Due date, soonest first"),
    ("-due_date", "Due date, latest first"),
    ("title", "Title A–Z"),
    ("-title", "Title Z–A"),
];

impl FilterValues {
    /// The sorts, for the select.
    #[must_use]
    pub const fn sorts(&self) -> &'static [(&'static str, &'static str)] {
        &SORTS
    }
}

/// `GET /projects`.
#[derive(Debug, Template)]
#[template(path = "projects.html")]
pub struct ProjectsPage {
    /// Frame.
    pub layout: Layout,
    /// (id, name) of each project.
    pub projects: Vec<(String, String)>,
    /// Link to the next page, if any.
    pub next_href: Option<String>,
    /// Whether to show the create form.
    pub can_create: bool,
    /// The name typed before an error.
    pub name: String,
    /// The error beside the name field.
    pub error: Option<String>,
}

/// `GET /projects/{id}` (list or board).
#[derive(Debug, Template)]
#[template(path = "project.html")]
pub struct ProjectPage {
    /// Frame.
    pub layout: Layout,
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
    /// Project description.
    pub description: String,
    /// Board (`?view=board`) or list.
    pub board: bool,
    /// The tasks of this page (list view).
    pub rows: Vec<TaskRow>,
    /// The same tasks by status (board view).
    pub columns: Vec<Column>,
    /// The filter form's values.
    pub filters: FilterValues,
    /// Link to the next page.
    pub next_href: Option<String>,
    /// Link back to the first page (when on a later one).
    pub first_href: Option<String>,
    /// Link to the other view with the same filters.
    pub other_view_href: String,
    /// Whether the viewer may create and change tasks here.
    pub can_write: bool,
    /// (id, username) of each member, for the assignee select.
    pub members: Vec<(String, String)>,
    /// The new-task form's values.
    pub form: crate::forms::TaskFormValues,
    /// Messages beside the new-task form's fields.
    pub errors: crate::forms::FieldErrors,
    /// The session's CSRF token.
    pub csrf: String,
}

/// `GET /tasks/{id}`.
#[derive(Debug, Template)]
#[template(path = "task.html")]
pub struct TaskPage {
    /// Frame.
    pub layout: Layout,
    /// Task id.
    pub id: String,
    /// The task as stored now.
    pub task: TaskRow,
    /// Its description.
    pub description: String,
    /// Its project (id, name).
    pub project: (String, String),
    /// Whether it is public.
    pub is_public: bool,
    /// Its parent (id), if any.
    pub parent_id: String,
    /// Its subtasks.
    pub subtasks: Vec<TaskRow>,
    /// Whether the viewer may change it.
    pub can_write: bool,
    /// (id, username) of each member.
    pub members: Vec<(String, String)>,
    /// The edit form's values.
    pub form: crate::forms::TaskFormValues,
    /// Messages beside the edit form's fields.
    pub errors: crate::forms::FieldErrors,
    /// Set when the edit was made on a stale version: the form shows the current values.
    pub conflict: bool,
    /// (id, name) of the other projects the task may be moved to.
    pub move_targets: Vec<(String, String)>,
    /// The session's CSRF token.
    pub csrf: String,
    /// Its latest changes, newest first.
    pub history: Vec<crate::history::HistoryRow>,
    /// Whether older changes exist than those shown.
    pub more_history: bool,
}

/// `GET /projects/{id}/members`.
#[derive(Debug, Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    /// Frame.
    pub layout: Layout,
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
    /// Whether the viewer may add and remove members.
    pub can_manage: bool,
    /// (id, username) of each member.
    pub members: Vec<(String, String)>,
    /// The owner's id.
    pub owner: String,
    /// The username typed before an error.
    pub username: String,
    /// Why the last change failed.
    pub error: Option<String>,
    /// The session's CSRF token.
    pub csrf: String,
}

/// One account on the users page.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Role name.
    pub role: &'static str,
}

impl UserRow {
    /// Every role, for the select.
    #[must_use]
    pub const fn roles(&self) -> [&'static str; 3] {
        ["admin", "editor", "viewer"]
    }
}

/// `GET /admin/users`.
#[derive(Debug, Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    /// Frame.
    pub layout: Layout,
    /// The accounts (the first 200 by username).
    pub users: Vec<UserRow>,
    /// Whether there are more than shown.
    pub more: bool,
    /// Why the last change failed.
    pub error: Option<String>,
    /// The session's CSRF token.
    pub csrf: String,
}

/// One bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Its label.
    pub label: String,
    /// Its number.
    pub value: u64,
    /// Its length in user units.
    pub width: u64,
    /// Its vertical position.
    pub y: u64,
}

/// A horizontal bar chart, drawn as SVG by the template.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Id prefix for `<title>`/`<desc>`.
    pub id: String,
    /// `<title>`.
    pub title: String,
    /// `<desc>`: the numbers in words.
    pub description: String,
    /// Height in user units.
    pub height: u64,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// One project's numbers.
#[derive(Debug, Clone)]
pub struct ProjectReport {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Counts by status, in the order of the statuses.
    pub by_status: Vec<u64>,
    /// Counts by priority, low first.
    pub by_priority: Vec<u64>,
    /// Overdue open tasks.
    pub overdue: u64,
    /// All tasks.
    pub total: u64,
}

/// `GET /reports`.
#[derive(Debug, Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    /// Frame.
    pub layout: Layout,
    /// The charts.
    pub charts: Vec<Chart>,
    /// Overdue tasks overall.
    pub overdue: u64,
    /// Tasks overall.
    pub total: u64,
    /// The day "overdue" is measured against.
    pub today: String,
    /// Per project.
    pub projects: Vec<ProjectReport>,
    /// Whether there are more projects than shown.
    pub more_projects: bool,
}
