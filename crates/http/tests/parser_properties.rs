//! Property tests for the HTTP edge's parsers: the listing query parsers
//! (`taskforge_http::query`) and the JSON request bodies (`taskforge_http::dto`). They are the
//! proptest equivalents of the `listing_query` and `json_bodies` fuzz targets
//! (fuzz/src/listing_query.rs, fuzz/src/json_bodies.rs), with the same entry points and the
//! same invariants:
//!
//! - a query is refused with a 400, or accepted within the parameter ranges and round-trips:
//!   rendering what was parsed as a query string and parsing that gives the same result;
//! - a body that reads as its type converts into its command, or is refused with a 422 that
//!   names only fields present in the body.
#![allow(clippy::expect_used, missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, LazyLock};

use proptest::prelude::*;
use proptest::sample::select;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use taskforge_crypto::AeadCursorSealer;
use taskforge_domain::query::{CursorCodec, ListTasks, TaskFilter, TaskSort};
use taskforge_domain::values::{PageLimit, Version};
use taskforge_http::ApiError;
use taskforge_http::dto::{
    CategoryBody, ChangePasswordBody, CreateProjectBody, CreateTaskBody, LoginBody, MoveTaskBody,
    RefreshBody, RegisterBody, SetRoleBody, UpdateProjectBody, UpdateTaskBody,
};
use taskforge_http::error::ProblemKind;
use taskforge_http::query::{
    ExportRequest, TopRequest, report_summary, report_top, task_export, task_list,
};

// ---------------------------------------------------------------------------------------------
// Listing queries
// ---------------------------------------------------------------------------------------------

/// The cursor codec the listing parser opens cursors with: the real sealer, a fixed secret.
static CURSORS: LazyLock<CursorCodec> = LazyLock::new(|| {
    CursorCodec::new(Arc::new(AeadCursorSealer::from_secrets(
        b"property tests' cursor secret",
        None,
    )))
});

const PARAMETERS: [&str; 17] = [
    "project_id",
    "status",
    "priority",
    "category_id",
    "assignee_id",
    "label",
    "parent_id",
    "due_before",
    "due_after",
    "q",
    "sort",
    "limit",
    "cursor",
    "format",
    "per_category",
    "colour",
    "",
];

/// A value a client might send for some parameter, or rubbish.
fn parameter_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        select(vec!["todo", "in_progress", "done", "low", "urgent", "json", "csv", "xml", "yaml"])
            .prop_map(String::from),
        select(vec!["-created_at", "priority", "-due_date", "title", "-colour"])
            .prop_map(String::from),
        (0..260u32).prop_map(|n| n.to_string()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[A-Za-z0-9_.:-]{0,12}",
        " ?[A-Za-zÄÖÜäöüß ]{0,8} ?",
        "v1\\.[A-Za-z0-9_-]{0,80}",
        any::<String>(),
    ]
}

/// A query string of known and unknown parameters, percent-encoded as a client would.
fn query_string() -> impl Strategy<Value = String> {
    prop::collection::vec((select(PARAMETERS.to_vec()), parameter_value()), 0..6)
        .prop_map(|pairs| serde_urlencoded::to_string(&pairs).expect("string pairs always encode"))
}

/// A parameter with a value that is valid for it (label and search text in any case and
/// with spaces, which the parsers normalise).
fn valid_pair() -> impl Strategy<Value = (&'static str, String)> {
    let uuid = || any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string());
    let date = "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";
    prop_oneof![
        uuid().prop_map(|v| ("project_id", v)),
        select(vec!["todo", "in_progress", "done", "todo,done", "done,in_progress,todo"])
            .prop_map(|v| ("status", v.to_owned())),
        select(vec!["low", "medium", "high", "urgent"]).prop_map(|v| ("priority", v.to_owned())),
        uuid().prop_map(|v| ("category_id", v)),
        uuid().prop_map(|v| ("assignee_id", v)),
        uuid().prop_map(|v| ("parent_id", v)),
        "[A-Za-z0-9_.:-]{1,20}".prop_map(|v| ("label", v)),
        date.prop_map(|v| ("due_before", v)),
        date.prop_map(|v| ("due_after", v)),
        " ?[A-Za-zÄÖÜäöüß]{3,20} ?".prop_map(|v| ("q", v)),
        select(vec!["created_at", "-created_at", "priority", "-due_date", "title", "-title"])
            .prop_map(|v| ("sort", v.to_owned())),
        (1..=200u32).prop_map(|v| ("limit", v.to_string())),
    ]
}

/// A listing query of distinct valid parameters, so that a good share is accepted.
fn valid_query() -> impl Strategy<Value = String> {
    prop::collection::vec(valid_pair(), 0..6).prop_map(|pairs| {
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<_> = pairs.into_iter().filter(|(name, _)| seen.insert(*name)).collect();
        serde_urlencoded::to_string(&distinct).expect("string pairs always encode")
    })
}

fn assert_refusal(query: &str, e: &ApiError) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.kind(), ProblemKind::BadRequest, "{:?}: {:?}", query, e);
    serde_json::to_string(&e.problem()).expect("a problem body serialises");
    Ok(())
}

fn encode(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).expect("string pairs always encode")
}

fn filter_pairs(f: &TaskFilter) -> Vec<(&'static str, String)> {
    let pairs = [
        ("project_id", f.project_id.map(|v| v.to_string())),
        ("status", f.status.map(|v| v.to_string())),
        ("priority", f.priority.map(|v| v.to_string())),
        ("category_id", f.category_id.map(|v| v.to_string())),
        ("assignee_id", f.assignee_id.map(|v| v.to_string())),
        ("label", f.label.as_ref().map(ToString::to_string)),
        ("parent_id", f.parent_id.map(|v| v.to_string())),
        ("due_before", f.due_before.map(|v| v.to_string())),
        ("due_after", f.due_after.map(|v| v.to_string())),
        ("q", f.q.as_ref().map(ToString::to_string)),
    ];
    pairs.into_iter().filter_map(|(name, value)| value.map(|v| (name, v))).collect()
}

fn render_list(list: &ListTasks) -> String {
    let mut pairs = filter_pairs(&list.filter);
    pairs.push(("sort", list.sort.to_string()));
    pairs.push(("limit", list.limit.get().to_string()));
    if let Some(cursor) = &list.after {
        pairs.push(("cursor", CURSORS.encode(cursor)));
    }
    encode(&pairs)
}

fn render_export(export: &ExportRequest) -> String {
    let mut pairs = filter_pairs(&export.filter);
    pairs.push(("sort", export.sort.to_string()));
    pairs.push(("format", export.format.name.to_owned()));
    encode(&pairs)
}

/// Every listing parser on `query` (the fuzz target's `check_query`).
fn assert_listing_parsers(query: &str) -> Result<(), TestCaseError> {
    match task_list(query, &CURSORS) {
        Ok(list) => {
            prop_assert!((1..=usize::from(PageLimit::MAX)).contains(&list.limit.get()));
            let canonical = render_list(&list);
            let again = task_list(&canonical, &CURSORS);
            prop_assert!(again.is_ok(), "{:?} → {:?}: {:?}", query, canonical, again);
            prop_assert_eq!(again.ok(), Some(list), "{:?} → {:?}", query, canonical);
        }
        Err(e) => assert_refusal(query, &e)?,
    }
    match task_export(query) {
        Ok(export) => {
            let canonical = render_export(&export);
            let again = task_export(&canonical);
            prop_assert!(again.is_ok(), "{:?} → {:?}: {:?}", query, canonical, again);
            let again = again.map(|r| (r.format.name, r.filter, r.sort)).ok();
            let expected: (&str, TaskFilter, TaskSort) =
                (export.format.name, export.filter, export.sort);
            prop_assert_eq!(again, Some(expected), "{:?} → {:?}", query, canonical);
        }
        Err(e) => assert_refusal(query, &e)?,
    }
    match report_summary(query) {
        Ok(project) => {
            let canonical = project.map(|p| format!("project_id={p}")).unwrap_or_default();
            prop_assert_eq!(report_summary(&canonical).ok(), Some(project));
        }
        Err(e) => assert_refusal(query, &e)?,
    }
    match report_top(query) {
        Ok(top) => {
            prop_assert!((1..=50).contains(&top.per_category.get()));
            let canonical = render_top(&top);
            prop_assert_eq!(
                report_top(&canonical).ok(),
                Some(top),
                "{:?} → {:?}",
                query,
                canonical
            );
        }
        Err(e) => assert_refusal(query, &e)?,
    }
    Ok(())
}

/// A top-report request as the query string a client would send for it.
fn render_top(top: &TopRequest) -> String {
    let mut query = format!("per_category={}", top.per_category.get());
    if let Some(project) = top.project {
        query.push_str(&format!("&project_id={project}"));
    }
    query
}

proptest! {
    #[test]
    fn listing_parsers_on_arbitrary_text_never_panic(query in any::<String>()) {
        assert_listing_parsers(&query)?;
    }

    #[test]
    fn listing_parsers_on_plausible_queries_refuse_or_round_trip(
        query in prop_oneof![
            2 => valid_query(),
            1 => query_string(),
            1 => (0..60u32).prop_map(|n| format!("per_category={n}")),
            1 => (0..60u32).prop_map(|n| {
                format!("project_id=0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6d&per_category={n}")
            }),
            1 => (0..60u32).prop_map(|n| format!("format=csv&sort=title&limit={n}")),
        ],
    ) {
        assert_listing_parsers(&query)?;
    }
}

#[test]
fn a_query_using_every_filter_round_trips() {
    let query = "project_id=0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6d&status=in_progress\
        &priority=urgent&label=Team%3ABackend&due_before=2026-03-01&due_after=2025-12-31\
        &q=+release+notes+&sort=title&limit=7";
    let list = task_list(query, &CURSORS).expect("a valid query");
    assert_eq!(list.filter.label.as_ref().map(|l| l.as_str()), Some("team:backend"));
    assert_eq!(task_list(&render_list(&list), &CURSORS).expect("its canonical form parses"), list);
}

// ---------------------------------------------------------------------------------------------
// JSON request bodies
// ---------------------------------------------------------------------------------------------

/// Reads `object` the way `JsonBody` does (an object, then the type) and, if that works,
/// converts it (the fuzz target's `convert`).
fn assert_body<B, C>(
    object: &Map<String, Value>,
    into_domain: impl FnOnce(B) -> Result<C, ApiError>,
) -> Result<(), TestCaseError>
where
    B: DeserializeOwned + std::fmt::Debug,
    C: std::fmt::Debug,
{
    let Ok(body) = serde_json::from_value::<B>(Value::Object(object.clone())) else {
        return Ok(());
    };
    let shown = format!("{body:?}");
    match into_domain(body) {
        Ok(command) => drop(format!("{command:?}")),
        Err(e) => {
            prop_assert_eq!(e.kind(), ProblemKind::Validation, "{}: {:?}", shown, e);
            prop_assert!(!e.errors().is_empty(), "a 422 names no field: {}", shown);
            for field in e.errors() {
                prop_assert!(object.contains_key(&field.field), "{:?} in {}", field.field, shown);
            }
            serde_json::to_string(&e.problem()).expect("a problem body serialises");
        }
    }
    Ok(())
}

/// Every body type on `object`.
fn assert_every_body(
    object: &Map<String, Value>,
    if_match: Option<Version>,
) -> Result<(), TestCaseError> {
    let client = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_body(object, RegisterBody::try_into_domain)?;
    assert_body(object, |b: LoginBody| Ok(b.into_domain(client)))?;
    assert_body(object, |b: RefreshBody| Ok(b.into_domain()))?;
    assert_body(object, |b: ChangePasswordBody| b.try_into_domain(client))?;
    assert_body(object, CategoryBody::try_into_domain)?;
    assert_body(object, CreateProjectBody::try_into_domain)?;
    assert_body(object, UpdateProjectBody::try_into_domain)?;
    assert_body(object, CreateTaskBody::try_into_domain)?;
    assert_body(object, |b: UpdateTaskBody| b.try_into_domain(if_match))?;
    assert_body(object, |b: MoveTaskBody| b.try_into_domain(if_match))?;
    assert_body(object, SetRoleBody::try_into_domain)
}

const FIELDS: [&str; 22] = [
    "username",
    "password",
    "email",
    "refresh_token",
    "current_password",
    "new_password",
    "name",
    "description",
    "owner_id",
    "project_id",
    "title",
    "status",
    "priority",
    "category_id",
    "assignee_id",
    "labels",
    "due_date",
    "parent_id",
    "is_public",
    "role",
    "id",
    "",
];

/// A value a client might send for some field, or one of the wrong type.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => parameter_value().prop_map(Value::from),
        1 => "[a-z0-9_.-]{0,40}".prop_map(Value::from),
        1 => "[a-z]{1,10}@[a-z]{1,10}\\.[a-z]{2,3}".prop_map(Value::from),
        1 => prop::collection::vec(parameter_value(), 0..25).prop_map(|v| json!(v)),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(json!({"nested": [1, "two"]})),
    ]
}

fn body_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(select(FIELDS.to_vec()), field_value(), 0..8)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

proptest! {
    #[test]
    fn bodies_of_plausible_fields_convert_or_name_their_invalid_fields(
        object in body_object(),
        version in prop::option::of(1..u64::MAX),
    ) {
        assert_every_body(&object, version.and_then(Version::new))?;
    }

    #[test]
    fn bodies_of_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(object) = serde_json::from_slice::<Map<String, Value>>(&bytes) {
            assert_every_body(&object, None)?;
        }
    }
}

#[test]
fn a_create_task_body_with_every_field_converts() {
    let object = json!({
        "project_id": "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6d", "title": "  Release notes ",
        "description": "…", "status": "todo", "priority": "high",
        "labels": ["Docs", "docs", "release:1.0"], "due_date": "2026-02-28",
        "parent_id": "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6c", "is_public": true,
    });
    let Value::Object(object) = object else { unreachable!("a JSON object literal") };
    let body: CreateTaskBody = serde_json::from_value(Value::Object(object)).expect("reads");
    let command = body.try_into_domain().expect("a valid body");
    assert_eq!(command.title.as_str(), "Release notes");
}
