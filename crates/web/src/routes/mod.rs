//! The handlers, one module per area. Like the API's, they are thin: parse the form into a
//! domain command, call the use case, render the result or redirect (POST-redirect-GET).

pub mod admin;
pub mod auth;
pub mod exports;
pub mod live;
pub mod members;
pub mod projects;
pub mod reports;
pub mod tasks;

use actix_web::http::{StatusCode, header};
use actix_web::{Resource, web};

use crate::response::{WebError, page_builder};

/// Mounts every page, and the stylesheet.
pub fn configure(cfg: &mut web::ServiceConfig) {
    crate::assets::configure(cfg);
    auth::configure(cfg);
    projects::configure(cfg);
    members::configure(cfg);
    exports::configure(cfg);
    reports::configure(cfg);
    admin::configure(cfg);
    tasks::configure(cfg);
    live::configure(cfg);
}

/// A page at `path` answering methods it does not route with 405 and `Allow: allow`.
pub(crate) fn resource(path: &'static str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        page_builder(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header((header::ALLOW, allow))
            .body("method not allowed")
    }))
}

/// The fields of an `application/x-www-form-urlencoded` body, in order.
///
/// # Errors
/// [`WebError::BadRequest`] when the body is not form-encoded text.
pub(crate) fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, WebError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| WebError::BadRequest(String::from("the form could not be read")))
}

/// The value of form field `name` (the first one), or `""`.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}
