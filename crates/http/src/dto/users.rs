//! User bodies and responses. The password hash never leaves the domain.

use serde::{Deserialize, Serialize};
use taskforge_domain::User;
use taskforge_domain::query::Page;
use taskforge_domain::values::{Role, Username};
use utoipa::ToSchema;

use super::WireRole;
use super::validation::{Validator, present};
use crate::error::ApiError;

/// `PATCH /api/v1/users/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoleBody {
    /// The new role.
    #[schema(value_type = WireRole)]
    pub role: String,
}

impl SetRoleBody {
    /// The validated role.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<Role, ApiError> {
        let mut v = Validator::default();
        let role = v.check("role", Role::parse(&self.role));
        v.finish()?;
        present(role)
    }
}

/// A user account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Identity.
    #[schema(format = Uuid)]
    pub id: String,
    /// Login name (lower case).
    pub username: String,
    /// Contact address.
    pub email: Option<String>,
    /// Role.
    pub role: WireRole,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            username: u.username.to_string(),
            email: u.email.as_ref().map(ToString::to_string),
            role: u.role.into(),
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

/// One page of users, by username.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// The users.
    pub items: Vec<UserResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<User, Username>> for UserPage {
    fn from(page: Page<User, Username>) -> Self {
        Self {
            items: page.items.iter().map(UserResponse::from).collect(),
            next_cursor: page.next_cursor.map(|u| u.to_string()),
        }
    }
}
