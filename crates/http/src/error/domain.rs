//! Domain errors → [`ApiError`]: one exhaustive `match` per domain error enum, and the one
//! place that decides each variant's status (design §5, "Errors").

use taskforge_domain::ports::{RepositoryError, TokenError};
use taskforge_domain::services::{CategoryError, ProjectError, TaskError, UserError};

use super::{ApiError, FieldError};

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::NotFound | TaskError::ProjectNotFound => Self::not_found(e.to_string()),
            TaskError::Forbidden => Self::forbidden(e.to_string()),
            TaskError::PreconditionFailed { .. } => Self::precondition_failed(e.to_string()),
            TaskError::Conflict => Self::conflict(e.to_string()),
            TaskError::Rule(rule) => Self::validation(vec![FieldError::new(rule.field(), rule)]),
            TaskError::InvalidCursor(cursor) => Self::bad_parameters(
                "invalid query parameters: cursor",
                vec![FieldError::new("cursor", cursor)],
            ),
            TaskError::Store(store) => store.into(),
        }
    }
}

impl From<ProjectError> for ApiError {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::NotFound | ProjectError::UserNotFound | ProjectError::MemberNotFound => {
                Self::not_found(e.to_string())
            }
            ProjectError::Forbidden => Self::forbidden(e.to_string()),
            ProjectError::OwnerIsAlwaysMember => Self::conflict(e.to_string()),
            ProjectError::OwnerMustBeMember => {
                Self::validation(vec![FieldError::new("owner_id", e)])
            }
            ProjectError::Store(store) => store.into(),
        }
    }
}

impl From<CategoryError> for ApiError {
    fn from(e: CategoryError) -> Self {
        match e {
            CategoryError::NotFound => Self::not_found(e.to_string()),
            CategoryError::Forbidden => Self::forbidden(e.to_string()),
            CategoryError::Duplicate => Self::conflict(e.to_string()),
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

/// Services translate the expected repository outcomes into their own errors; what reaches
/// here unmapped is either an outage (503), a bug (500), or a race the service did not name.
impl From<RepositoryError> for ApiError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::NotFound(_) => Self::not_found(e.to_string()),
            RepositoryError::VersionConflict(_)
            | RepositoryError::Duplicate(_)
            | RepositoryError::InUse(_)
            | RepositoryError::MissingReference(_) => Self::conflict(e.to_string()),
            RepositoryError::Unavailable(_) => Self::unavailable(&e),
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
    fn task_errors_map_to_the_statuses_of_the_design() {
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
        assert_eq!(status(RepositoryError::unavailable(io)), StatusCode::SERVICE_UNAVAILABLE);
        let io = std::io::Error::other("disk on fire");
        let e: ApiError = RepositoryError::other(io).into();
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.problem().detail.contains("fire"));
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
