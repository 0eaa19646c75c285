//! The commands of the authentication use cases.

use std::fmt;
use std::net::IpAddr;

use crate::values::{EmailAddress, Password, Username};

/// Create an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    /// The login name.
    pub username: Username,
    /// The password; registration also checks it against the common-password list.
    pub password: Password,
    /// An optional contact address.
    pub email: Option<EmailAddress>,
}

/// Log in. The fields stay raw text: a login form is not validated, only compared, so that a
/// malformed username answers exactly like an unknown one. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    /// The username as typed.
    pub username: String,
    /// The password as typed.
    pub password: String,
    /// The client's address, for the per-address throttle; `None` when unknown.
    pub client: Option<IpAddr>,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("client", &self.client)
            .finish()
    }
}

/// Change one's own password. `Debug` hides both passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct ChangePassword {
    /// The current password as typed (compared, not validated).
    pub current_password: String,
    /// The new password; also checked against the common-password list.
    pub new_password: Password,
    /// The client's address, for the throttle that guards the current-password check.
    pub client: Option<IpAddr>,
}

impl fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangePassword")
            .field("current_password", &"<redacted>")
            .field("new_password", &self.new_password)
            .field("client", &self.client)
            .finish()
    }
}
