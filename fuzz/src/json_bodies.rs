//! The JSON request bodies of `taskforge_http::dto` on arbitrary bytes, read the way the
//! server reads them (`JsonBody`: a JSON object first, then the body type), and, when they
//! parse, turned into their domain commands.
//!
//! The first byte picks the body type; the rest is the JSON. Every refused conversion must be
//! a 422 that names only fields present in the body and whose problem body serialises; an
//! accepted command must print (its `Debug` redacts secrets, and must not panic doing so).

use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use taskforge_domain::values::Version;
use taskforge_http::ApiError;
use taskforge_http::dto::{
    CategoryBody, ChangePasswordBody, CreateProjectBody, CreateTaskBody, LoginBody, MoveTaskBody,
    RefreshBody, RegisterBody, SetRoleBody, UpdateProjectBody, UpdateTaskBody,
};
use taskforge_http::error::ProblemKind;

/// The body types, in the order the selector byte picks them.
pub const BODIES: [&str; 11] = [
    "RegisterBody",
    "LoginBody",
    "RefreshBody",
    "ChangePasswordBody",
    "CategoryBody",
    "CreateProjectBody",
    "UpdateProjectBody",
    "CreateTaskBody",
    "UpdateTaskBody",
    "MoveTaskBody",
    "SetRoleBody",
];

/// The fuzz target's body.
pub fn check(data: &[u8]) {
    let Some((&selector, json)) = data.split_first() else { return };
    // As `JsonBody` does: only an object gets as far as the body type.
    let Ok(object) = serde_json::from_slice::<Map<String, Value>>(json) else { return };
    let client = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let if_match = Version::new(u64::from(selector));
    match usize::from(selector) % BODIES.len() {
        0 => convert(&object, RegisterBody::try_into_domain),
        1 => convert(&object, |b: LoginBody| Ok(b.into_domain(client))),
        2 => convert(&object, |b: RefreshBody| Ok(b.into_domain())),
        3 => convert(&object, |b: ChangePasswordBody| b.try_into_domain(client)),
        4 => convert(&object, CategoryBody::try_into_domain),
        5 => convert(&object, CreateProjectBody::try_into_domain),
        6 => convert(&object, UpdateProjectBody::try_into_domain),
        7 => convert(&object, CreateTaskBody::try_into_domain),
        8 => convert(&object, |b: UpdateTaskBody| b.try_into_domain(if_match)),
        9 => convert(&object, |b: MoveTaskBody| b.try_into_domain(if_match)),
        _ => convert(&object, SetRoleBody::try_into_domain),
    }
}

/// Reads `object` into `B` and, if that works, converts it with `into_domain` and checks the
/// outcome.
fn convert<B, C>(object: &Map<String, Value>, into_domain: impl FnOnce(B) -> Result<C, ApiError>)
where
    B: DeserializeOwned + Debug,
    C: Debug,
{
    let Ok(body) = serde_json::from_value::<B>(Value::Object(object.clone())) else { return };
    let shown = format!("{body:?}");
    match into_domain(body) {
        Ok(command) => drop(format!("{command:?}")),
        Err(e) => {
            assert_eq!(e.kind(), ProblemKind::Validation, "{shown}: {e:?}");
            assert!(!e.errors().is_empty(), "a 422 names no field: {shown}");
            for field in e.errors() {
                assert!(
                    object.contains_key(&field.field),
                    "the 422 names {:?}, which is not in the body {shown}",
                    field.field
                );
            }
            serde_json::to_string(&e.problem()).expect("a problem body serialises");
        }
    }
}
