//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the DTOs' `ToSchema` derives, so it cannot drift from the code it describes.
//!
//! Error responses are the reusable sets below; each route lists the ones it can answer.

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Type};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::error::PROBLEM_JSON;
use crate::events;
use crate::export::FORMATS;
use crate::routes::{
    auth, categories, export, health, history, projects, reports, tasks, trash, users,
};

mod constraints;
mod links;

use constraints::Constraints;
use links::Links;

/// The API description served at `/api/v1/openapi.json`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "TaskForge API",
        description = "Task management: accounts, projects, tasks and categories. Authenticated routes take `Authorization: Bearer <access_token>` from `POST /api/v1/auth/login`. Errors are RFC 9457 problem details.",
        version = "1"
    ),
    paths(
        health::health,
        health::ready,
        health::metrics,
        health::openapi_json,
        auth::register,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::change_password,
        users::me,
        users::list,
        users::set_role,
        users::delete,
        projects::create,
        projects::list,
        projects::get,
        projects::update,
        projects::delete,
        projects::members,
        projects::add_member,
        projects::add_member_by_username,
        projects::remove_member,
        categories::list,
        categories::create,
        categories::get,
        categories::rename,
        categories::delete,
        tasks::create,
        tasks::list,
        tasks::get,
        tasks::update,
        tasks::delete,
        tasks::move_task,
        history::task_history,
        history::project_activity,
        history::revert,
        trash::list,
        trash::restore,
        trash::purge,
        export::export,
        reports::summary,
        reports::top,
        events::events,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth, &ExportFormats, &Constraints, &Links, &PathIds),
    tags(
        (name = "operations", description = "Health, readiness, metrics, this document"),
        (name = "auth", description = "Registration, login, token refresh, logout, password change"),
        (name = "users", description = "Accounts and roles"),
        (name = "projects", description = "Projects and their members"),
        (name = "categories", description = "The shared task categories"),
        (name = "tasks", description = "Tasks: create, read, change, move, list, export"),
        (name = "history", description = "Task history, project activity, and reverting one change"),
        (name = "trash", description = "Deleted tasks: list, restore, purge"),
        (name = "reports", description = "Counts and rankings of the tasks the caller can see"),
        (name = "events", description = "Live changes the caller may see, as Server-Sent Events"),
    )
)]
pub struct ApiDoc;

impl ApiDoc {
    /// The document as served: JSON, with the link objects' field names as OpenAPI spells
    /// them. (utoipa 5.5 serialises `Link` fields in snake case — `operation_id` instead of
    /// `operationId` — which readers of the document, schemathesis among them, ignore.)
    ///
    /// # Errors
    /// When the document cannot be serialised (it always can; the handler falls back to `{}`).
    pub fn to_served_json() -> Result<String, serde_json::Error> {
        let mut document = serde_json::to_value(Self::openapi())?;
        links::respell(&mut document);
        serde_json::to_string(&document)
    }
}

/// Documents the 400 of every operation with an id in its path: a segment that is not a UUID
/// in its canonical hyphenated form is refused before the resource is looked up
/// (`routes::path_id`).
#[derive(Debug)]
struct PathIds;

impl Modify for PathIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete]
                    .into_iter()
                    .flatten()
            {
                let has_path_id = operation.parameters.iter().flatten().any(|p| {
                    p.parameter_in == utoipa::openapi::path::ParameterIn::Path
                        && matches!(p.name.as_str(), "id" | "user_id")
                });
                if has_path_id {
                    operation.responses.responses.entry(String::from("400")).or_insert_with(|| {
                        RefOr::T(problem(
                            400,
                            "A path id is not a UUID in its canonical hyphenated form",
                        ))
                    });
                }
            }
        }
    }
}

/// Adds the `bearer` security scheme the authenticated routes refer to.
#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// Fills in the export route's accepted formats and download media types from the export
/// registry, so the document lists exactly the registered formats (a new format touches no
/// annotation).
#[derive(Debug)]
struct ExportFormats;

impl Modify for ExportFormats {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(item) = openapi.paths.paths.get_mut("/api/v1/tasks/export") else { return };
        let Some(operation) = item.get.as_mut() else { return };
        let names: Vec<String> = FORMATS.iter().map(|f| f.name.to_owned()).collect();
        for parameter in operation.parameters.iter_mut().flatten() {
            if parameter.name == "format" {
                let schema = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(names.clone()))
                    .default(Some(serde_json::Value::from(names.first().cloned())))
                    .build();
                parameter.schema = Some(RefOr::T(schema.into()));
            }
        }
        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
            for format in FORMATS {
                // A JSON export is an array of the tasks the listing returns; the other
                // formats are text the document cannot describe further.
                let schema: RefOr<Schema> = if is_json(format.content_type) {
                    ArrayBuilder::new().items(Ref::from_schema_name("TaskResponse")).into()
                } else {
                    ObjectBuilder::new().schema_type(Type::String).into()
                };
                ok.content.insert(
                    format.content_type.to_owned(),
                    ContentBuilder::new().schema(Some(schema)).build(),
                );
            }
        }
    }
}

/// True for `application/json`, with or without parameters.
fn is_json(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|essence| essence.trim() == "application/json")
}

/// A problem-details response with `description`.
fn problem(status: u16, description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let mut response =
        ResponseBuilder::new().description(description).content(PROBLEM_JSON, content);
    let string = || ObjectBuilder::new().schema_type(Type::String).build();
    if status == 401 {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(string())
                .description(Some("Bearer realm=\"taskforge\""))
                .build(),
        );
    }
    if status == 429 || status == 503 {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).build())
                .description(Some("seconds to wait before trying again"))
                .build(),
        );
    }
    if status == 405 {
        response = response.header(
            "Allow",
            HeaderBuilder::new()
                .schema(string())
                .description(Some("the methods the path supports"))
                .build(),
        );
    }
    response.build()
}

macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal: $description:literal),+ $(,)?];)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(($status.to_string(), RefOr::T(problem($status, $description)))),+])
            }
        }
    )*};
}

problem_responses! {
    /// 400.
    BadRequest => [400: "Unparsable body, unknown field, or bad parameter or header"];
    /// 401, 500, 503: what any authenticated route may answer.
    AuthErrors => [
        401: "Missing, invalid or expired access token",
        500: "Internal error; the body carries only a request id",
        503: "Storage is temporarily unavailable, or a write collided with a concurrent one; Retry-After says when to retry",
    ];
    /// 500, 503: what any route may answer.
    ServerErrors => [
        500: "Internal error; the body carries only a request id",
        503: "Storage is temporarily unavailable, or a write collided with a concurrent one; Retry-After says when to retry",
    ];
    /// 400, 413, 415, 422: what any route with a JSON body may answer.
    BodyErrors => [
        400: "Unparsable body or unknown field",
        413: "Body over 64 KiB",
        415: "Body is not application/json",
        422: "Well-formed but invalid values; `errors` names each field",
    ];
    /// 400, 413, 415: a JSON body whose values are only compared, never validated (no 422).
    BodyFormatErrors => [
        400: "Unparsable body, unknown or missing field",
        413: "Body over 64 KiB",
        415: "Body is not application/json",
    ];
    /// 401 for a failed login.
    BadCredentials => [401: "Unknown username or wrong password: one answer for both"];
    /// 401 for a refresh token that cannot be exchanged.
    BadRefreshToken => [
        401: "The refresh token is invalid or expired, or was already used (which ends its session)",
    ];
    /// 403 for closed registration.
    RegistrationClosed => [403: "Registration is closed; an operator creates accounts"];
    /// 403 for a wrong current password (the access token itself is fine).
    WrongPassword => [403: "The current password is wrong"];
    /// 429.
    Throttled => [429: "Too many attempts; Retry-After says how many seconds to wait"];
    /// 403.
    Forbidden => [403: "The caller sees the resource but may not do this"];
    /// 404.
    NotFound => [404: "No such resource, or not visible to the caller"];
    /// 405.
    MethodNotAllowed => [405: "The path does not support this method; see Allow"];
    /// 409.
    Conflict => [409: "Conflicts with the current state"];
    /// 412.
    PreconditionFailed => [412: "If-Match does not name the current version"];
    /// 422 for relation rules checked by the use case.
    Unprocessable => [422: "Well-formed but invalid values; `errors` names each field"];
}
