//! The askama templates (under `templates/`) and the data each one shows. Templates are
//! compiled and type-checked with the crate, and escape every value for HTML unless told
//! otherwise — which no template does (ADR 0018).

use askama::Template;

use crate::assets::APP_CSS_PATH;
use crate::session::Viewer;

/// What the page frame shows: the title, the stylesheet, and who is logged in.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page title (before ` · TaskForge`).
    pub title: String,
    /// The stylesheet's hashed path.
    pub css: &'static str,
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
        Self { title: title.into(), css: APP_CSS_PATH.as_str(), viewer: None }
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
