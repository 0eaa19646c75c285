//! Collects the invalid fields of a request body, so one 422 names all of them.

use std::fmt::Display;

use taskforge_domain::commands::Patch;

use super::Field;
use crate::error::{ApiError, FieldError};

/// Gathers field errors while a body is turned into a command.
#[derive(Debug, Default)]
pub(crate) struct Validator(Vec<FieldError>);

impl Validator {
    /// The value, or `None` after recording why it is invalid.
    pub(crate) fn check<T, E: Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(FieldError::new(field, e));
                None
            }
        }
    }

    /// An optional field: absent (or `null`) is `None`.
    pub(crate) fn optional<S, T, E: Display>(
        &mut self,
        field: &str,
        raw: Option<S>,
        parse: impl FnOnce(S) -> Result<T, E>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(field, parse(raw)))
    }

    /// A nullable merge-patch field: `null` clears it.
    pub(crate) fn patch<S, T, E: Display>(
        &mut self,
        field: &str,
        raw: Field<S>,
        parse: impl FnOnce(S) -> Result<T, E>,
    ) -> Patch<T> {
        match raw {
            Field::Absent => Patch::Unchanged,
            Field::Null => Patch::Clear,
            Field::Value(raw) => self.check(field, parse(raw)).map_or(Patch::Unchanged, Patch::Set),
        }
    }

    /// A merge-patch field that cannot be cleared: `null` is invalid.
    pub(crate) fn non_null<S, T, E: Display>(
        &mut self,
        field: &str,
        raw: Field<S>,
        parse: impl FnOnce(S) -> Result<T, E>,
    ) -> Option<T> {
        match raw {
            Field::Absent => None,
            Field::Null => {
                self.0.push(FieldError::new(field, "must not be null"));
                None
            }
            Field::Value(raw) => self.check(field, parse(raw)),
        }
    }

    /// `Ok` when every field was valid, else a 422 listing the invalid ones.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::validation(self.0)) }
    }
}

/// A required value after [`Validator::finish`] succeeded: always present then.
pub(crate) fn present<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::internal_message("a validated field was missing"))
}

/// Parses an id, with the message clients see.
pub(crate) fn id<T: std::str::FromStr>(raw: &str) -> Result<T, &'static str> {
    raw.parse().map_err(|_| "must be a UUID")
}
