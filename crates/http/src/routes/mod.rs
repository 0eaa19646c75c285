//! The routes, one file per resource. Handlers are thin: parse → call a service → map the
//! result; every rule lives in the domain.
//!
//! Each path is one actix `Resource` whose default service answers 405 with `Allow`, so an
//! unsupported method on a known path is never a 404 (a client learns the path exists and which
//! methods it takes).

pub mod auth;
pub mod categories;
pub mod export;
pub mod health;
pub mod history;
pub mod projects;
pub mod reports;
pub mod tasks;
pub mod trash;
pub mod users;

use std::str::FromStr;

use actix_web::{HttpResponse, Resource, web};

use crate::error::{ApiError, FieldError};

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    auth::configure(cfg);
    users::configure(cfg);
    projects::configure(cfg);
    categories::configure(cfg);
    // Before the task routes: `/api/v1/tasks/{id}` would take `export` for an id.
    export::configure(cfg);
    tasks::configure(cfg);
    history::configure(cfg);
    trash::configure(cfg);
    reports::configure(cfg);
    crate::events::configure(cfg);
}

/// A resource at `path` answering any method it does not route with 405 and `Allow: allow`.
pub(crate) fn resource(path: &'static str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, ApiError>(ApiError::method_not_allowed(allow))
    }))
}

/// The path parameter `name` as an id. A segment that is not a UUID in its canonical
/// hyphenated form is a malformed request (400 naming the parameter), not an absent resource:
/// the client wrote something no id could be, and saying so reveals nothing about what exists.
pub(crate) fn path_id<T: FromStr>(raw: &str, name: &'static str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_parameters(
            format!("path parameter {name} must be a UUID"),
            vec![FieldError::new(
                name,
                "must be a UUID such as 0192f1c4-7c3a-7d2e-9b41-3c5d6e7f8a9b",
            )],
        )
    })
}
