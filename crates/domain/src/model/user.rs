use crate::id::UserId;
use crate::values::Timestamp;
use crate::values::{EmailAddress, PasswordHash, Role, Username};

/// A person who can log in.
///
/// Holds the password *hash*, never the password; adapters must not serialise it outwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Login name, unique case-insensitively.
    pub username: Username,
    /// Optional contact address.
    pub email: Option<EmailAddress>,
    /// PHC string of the password.
    pub password_hash: PasswordHash,
    /// What the user may do.
    pub role: Role,
    /// When the account was created.
    pub created_at: Timestamp,
}
