//! Domain errors → [`ApiError`]: one exhaustive `match` per domain error enum, and the one
//! place that decides each variant's status (`docs/api.md`, "Errors"; ADR 0008).

use std::time::Duration;
use taskforge_domain::ports::{HashError, RepositoryError, TokenError};

use taskforge_domain::services::{
    AuthError, CategoryError, ProjectError, ReportError, TaskError, TaskField, UserError,
};

use super::{ApiError, FieldError};

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::NotFound | TaskError::ProjectNotFound => Self::not_found(e.to_string()),
            TaskError::Forbidden => Self::forbidden(e.to_string()),
            TaskError::PreconditionFailed { .. } => Self::precondition_failed(e.to_string()),
            TaskError::Conflict
            | TaskError::NotRevertible
            | TaskError::ProjectGone
            | TaskError::ParentGone => Self::conflict(e.to_string()),
            TaskError::EntryNotFound => Self::not_found(e.to_string()),
            TaskError::ChangedSince { ref changed } => {
                let fields = changed
                    .iter()
                    .map(|f| FieldError::new(f.as_str(), "changed since this entry"))
                    .collect();
                Self::conflict_on(e.to_string(), fields)
            }
            TaskError::Rule(rule) => {
                Self::validation(vec![FieldError::new(task_field_name(rule.field()), rule)])
            }
            TaskError::InvalidCursor(cursor) => Self::bad_parameters(
                "invalid query parameters: cursor",
                vec![FieldError::new("cursor", cursor)],
            ),
            TaskError::Store(store) => store.into(),
        }
    }
}

/// The JSON name of a task field: the domain names the field, the wire names it here.
const fn task_field_name(field: TaskField) -> &'static str {
    match field {
        TaskField::Parent => "parent_id",
        TaskField::Category => "category_id",
        TaskField::Assignee => "assignee_id",
    }
}

/// A wait as `Retry-After` writes it: whole seconds, rounded up, so a client that waits as
/// told is never early.
fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    if wait.subsec_nanos() > 0 { whole.saturating_add(1) } else { whole }
}

impl From<ProjectError> for ApiError {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::NotFound | ProjectError::UserNotFound | ProjectError::MemberNotFound => {
                Self::not_found(e.to_string())
            }
            ProjectError::Forbidden | ProjectError::CreateForbidden => {
                Self::forbidden(e.to_string())
            }
            ProjectError::OwnerIsAlwaysMember => Self::conflict(e.to_string()),
            ProjectError::OwnerMustBeMember => {
                Self::validation(vec![FieldError::new("owner_id", e)])
            }
            ProjectError::Throttled { retry_after } => {
                Self::too_many_requests(retry_after_seconds(retry_after), e.to_string())
            }
            ProjectError::Store(store) => store.into(),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::ProjectNotFound => Self::not_found(e.to_string()),
            ReportError::Store(store) => store.into(),
        }
    }
}

impl From<CategoryError> for ApiError {
    fn from(e: CategoryError) -> Self {
        match e {
            CategoryError::NotFound => Self::not_found(e.to_string()),
            CategoryError::Forbidden => Self::forbidden(e.to_string()),
            CategoryError::Duplicate => Self::conflict(e.to_string()),
            CategoryError::Throttled { retry_after } => {
                Self::too_many_requests(retry_after_seconds(retry_after), e.to_string())
            }
            CategoryError::Store(store) => store.into(),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::NotFound => Self::not_found(e.to_string()),
            UserError::Forbidden => Self::forbidden(e.to_string()),
            UserError::LastAdmin | UserError::OwnsProjects => Self::conflict(e.to_string()),
            UserError::Store(store) => store.into(),
        }
    }
}

/// The authentication refusals. Choices a client can rely on:
///
/// - closed registration is 403, not 404: the route exists (it is in the OpenAPI document)
///   and the server understood the request; it refuses to act on it. A 404 would make a client
///   believe it had the wrong URL or API version;
/// - one 401 for an unknown user and a wrong password, word for word;
/// - every refresh-token failure is 401 (invalid, expired, already used); the detail says
///   which, which tells nothing to anyone but the token's holder;
/// - a wrong *current* password when changing it is 403: the caller's access token is fine,
///   and a 401 would make clients discard it and log in again;
/// - a password that breaks the policy names the field `password`. (The change-password body
///   checks its `new_password` itself, so the field is named right there before the use case
///   runs; this arm is the fallback.)
impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::RegistrationClosed | AuthError::WrongCurrentPassword => {
                Self::forbidden(e.to_string())
            }
            AuthError::UsernameTaken => Self::conflict(e.to_string()),
            AuthError::InvalidPassword(rule) => {
                Self::validation(vec![FieldError::new("password", rule)])
            }
            AuthError::InvalidCredentials
            | AuthError::InvalidRefreshToken
            | AuthError::RefreshTokenExpired
            | AuthError::RefreshTokenReused => Self::unauthorized(e.to_string()),
            AuthError::AccountNotFound => Self::unauthorized("the account no longer exists"),
            AuthError::Throttled { retry_after }
            | AuthError::RegistrationThrottled { retry_after } => {
                Self::too_many_requests(retry_after_seconds(retry_after), e.to_string())
            }
            // The hashing pool is full: a burst of logins, over in a moment.
            AuthError::Hash(HashError::Overloaded) => Self::unavailable(&e).retry_after(1),
            AuthError::Hash(HashError::UnsupportedFormat | HashError::Other(_))
            // Issuing (not verifying) a token failed: our key or our generator, never the
            // client's fault.
            | AuthError::Token(_)
            | AuthError::Mint(_) => Self::internal(&e),
            AuthError::Store(store) => store.into(),
        }
    }
}

/// The `Retry-After` of a 503 for an unavailable store.
const STORE_RETRY_AFTER_SECONDS: u64 = 5;

/// The `Retry-After` of a 503 for a write the store rolled back in a race between writers.
const CONTENTION_RETRY_AFTER_SECONDS: u64 = 1;

/// Services translate the expected repository outcomes into their own errors; what reaches
/// here unmapped is either an outage (503), a bug (500), or a race the service did not name.
impl From<RepositoryError> for ApiError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::NotFound(_) => Self::not_found(e.to_string()),
            RepositoryError::VersionConflict(_)
            | RepositoryError::TreeChanged
            | RepositoryError::SubtreeGrew
            | RepositoryError::TokenSpent
            | RepositoryError::LastAdmin
            | RepositoryError::Duplicate(_)
            | RepositoryError::InUse(_)
            | RepositoryError::MissingReference(_) => Self::conflict(e.to_string()),
            // A full or read-only disk is not fixed in a second; the hint spaces retries out.
            RepositoryError::Unavailable(_) => {
                Self::unavailable(&e).retry_after(STORE_RETRY_AFTER_SECONDS)
            }
            // The store rolled the write back to break a race between writers: nothing was
            // written, and the same request is likely to succeed at once.
            RepositoryError::Contention(_) => {
                Self::unavailable(&e).retry_after(CONTENTION_RETRY_AFTER_SECONDS)
            }
            RepositoryError::Other(_) => Self::internal(&e),
        }
    }
}

/// Every token failure is the same 401 to the client (the reason is only logged at debug
/// level), so a caller cannot learn which check failed.
impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Malformed
            | TokenError::UnsupportedAlgorithm
            | TokenError::UnknownKey
            | TokenError::BadSignature
            | TokenError::Expired
            | TokenError::NotYetValid
            | TokenError::WrongIssuer
            | TokenError::WrongAudience
            | TokenError::InvalidClaims => {
                tracing::debug!(reason = %e, "access token refused");
                Self::unauthorized("the access token is invalid or has expired")
            }
            TokenError::Signing => Self::internal(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::StatusCode;
    use taskforge_domain::services::TaskRule;
    use taskforge_domain::values::Version;

    use super::*;

    fn status(e: impl Into<ApiError>) -> StatusCode {
        e.into().status_code()
    }

    #[test]
    fn every_task_rule_is_reported_under_the_json_name_of_its_field() {
        for (rule, field) in [
            (TaskRule::ParentNotFound, "parent_id"),
            (TaskRule::ParentInOtherProject, "parent_id"),
            (TaskRule::Cycle, "parent_id"),
            (TaskRule::TooDeep, "parent_id"),
            (TaskRule::CategoryNotFound, "category_id"),
            (TaskRule::AssigneeNotMember, "assignee_id"),
        ] {
            let e: ApiError = TaskError::Rule(rule).into();
            assert_eq!(e.errors()[0].field, field, "{rule:?}");
        }
    }

    #[test]
    fn retry_after_rounds_a_wait_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_secs(50)), 50);
        assert_eq!(retry_after_seconds(Duration::from_millis(50_001)), 51);
        assert_eq!(retry_after_seconds(Duration::from_nanos(1)), 1);
        assert_eq!(retry_after_seconds(Duration::ZERO), 0);
    }

    #[test]
    fn task_errors_map_to_the_documented_statuses() {
        assert_eq!(status(TaskError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(status(TaskError::ProjectNotFound), StatusCode::NOT_FOUND);
        assert_eq!(status(TaskError::Forbidden), StatusCode::FORBIDDEN);
        let stale = TaskError::PreconditionFailed { current: Version::FIRST };
        assert_eq!(status(stale), StatusCode::PRECONDITION_FAILED);
        assert_eq!(status(TaskError::Conflict), StatusCode::CONFLICT);
        let rule: ApiError = TaskError::Rule(TaskRule::AssigneeNotMember).into();
        assert_eq!(rule.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(rule.errors()[0].field, "assignee_id");
    }

    #[test]
    fn an_unavailable_store_is_503_and_any_other_failure_an_opaque_500() {
        let io = std::io::Error::other("disk on fire");
        let unavailable: ApiError = RepositoryError::unavailable(io).into();
        assert_eq!(unavailable.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(unavailable.retry_after_seconds(), Some(STORE_RETRY_AFTER_SECONDS));
        assert!(!unavailable.problem().detail.contains("fire"));
        let io = std::io::Error::other("disk on fire");
        let e: ApiError = RepositoryError::other(io).into();
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.problem().detail.contains("fire"));
    }

    #[test]
    fn a_write_lost_to_contention_is_503_with_a_short_retry_after_not_a_stale_version() {
        let deadlock = std::io::Error::other("deadlock detected");
        let e: ApiError = RepositoryError::contention(deadlock).into();
        assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.retry_after_seconds(), Some(CONTENTION_RETRY_AFTER_SECONDS));
        assert!(!e.problem().detail.contains("deadlock"));
        // Through a service's error, as a lost race in a task write reaches the edge.
        let lost = RepositoryError::contention(std::io::Error::other("could not serialize"));
        let e: ApiError = TaskError::Store(lost).into();
        assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.retry_after_seconds(), Some(1));
    }

    #[test]
    fn auth_errors_map_to_the_statuses_their_variants_document() {
        use std::time::Duration;

        use taskforge_domain::values::PasswordError;

        assert_eq!(status(AuthError::RegistrationClosed), StatusCode::FORBIDDEN);
        assert_eq!(status(AuthError::UsernameTaken), StatusCode::CONFLICT);
        let weak: ApiError = AuthError::InvalidPassword(PasswordError::TooCommon).into();
        assert_eq!(weak.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(weak.errors()[0].field, "password");
        for e in [
            AuthError::InvalidCredentials,
            AuthError::InvalidRefreshToken,
            AuthError::RefreshTokenExpired,
            AuthError::RefreshTokenReused,
            AuthError::AccountNotFound,
        ] {
            assert_eq!(status(e), StatusCode::UNAUTHORIZED);
        }
        assert_eq!(status(AuthError::WrongCurrentPassword), StatusCode::FORBIDDEN);
        let throttled: ApiError =
            AuthError::Throttled { retry_after: Duration::from_millis(59_001) }.into();
        assert_eq!(throttled.status_code(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(throttled.retry_after_seconds(), Some(60));
        let signups: ApiError =
            AuthError::RegistrationThrottled { retry_after: Duration::from_secs(180) }.into();
        assert_eq!(signups.status_code(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(signups.retry_after_seconds(), Some(180));
        let busy: ApiError = AuthError::Hash(HashError::Overloaded).into();
        assert_eq!(busy.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(busy.retry_after_seconds(), Some(1));
        assert_eq!(
            status(AuthError::Token(TokenError::Signing)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status(AuthError::Hash(HashError::UnsupportedFormat)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn every_token_failure_is_the_same_401() {
        for e in [TokenError::Expired, TokenError::BadSignature, TokenError::Malformed] {
            let e: ApiError = e.into();
            assert_eq!(e.status_code(), StatusCode::UNAUTHORIZED);
            assert_eq!(e.problem().detail, "the access token is invalid or has expired");
        }
    }
}
