//! Authentication bodies and the token response. Passwords and tokens are [`SecretString`]s,
//! so no `Debug` output and no error message ever shows one.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use taskforge_domain::commands::{ChangePassword, Login, Register};
use taskforge_domain::ports::RefreshToken;
use taskforge_domain::services::{Session, check_new_password};
use taskforge_domain::values::{EmailAddress, Username};
use utoipa::ToSchema;

use super::SecretString;
use super::validation::{Validator, present};
use crate::error::ApiError;

/// `POST /api/v1/auth/register`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// 3–32 characters of `a-z 0-9 _ . -`; unique ignoring case (stored in lower case).
    #[schema(example = "alice")]
    pub username: String,
    /// 8–128 characters, not one of the most common passwords.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub password: SecretString,
    /// A contact address.
    #[schema(format = Email)]
    pub email: Option<String>,
}

impl RegisterBody {
    /// The command, or a 422 naming every invalid field. The whole password policy is checked
    /// here (length and the common-password list), so one answer names every problem.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<Register, ApiError> {
        let mut v = Validator::default();
        let username = v.check("username", Username::parse(&self.username));
        let password = v.check("password", check_new_password(self.password.expose_secret()));
        let email = v.optional("email", self.email, |e| EmailAddress::parse(&e));
        v.finish()?;
        Ok(Register { username: present(username)?, password: present(password)?, email })
    }
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// The username (any case).
    #[schema(example = "alice")]
    pub username: String,
    /// The password.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

impl LoginBody {
    /// The command. Nothing is validated: a login is compared, not checked, so a malformed
    /// username is refused exactly like an unknown one (the same 401).
    #[must_use]
    pub fn into_domain(self, client: Option<IpAddr>) -> Login {
        Login { username: self.username, password: self.password.into_secret(), client }
    }
}

/// `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token of the session.
    #[schema(value_type = String, format = Password)]
    pub refresh_token: SecretString,
}

impl RefreshBody {
    /// The token as the use cases take it.
    #[must_use]
    pub fn into_domain(self) -> RefreshToken {
        RefreshToken::new(self.refresh_token.into_secret())
    }
}

/// `PUT /api/v1/users/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    /// The password now.
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// 8–128 characters, not one of the most common passwords.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub new_password: SecretString,
}

impl ChangePasswordBody {
    /// The command, or a 422 naming `new_password` when it breaks the policy. The current
    /// password is only compared, never validated.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self, client: Option<IpAddr>) -> Result<ChangePassword, ApiError> {
        let mut v = Validator::default();
        let new_password =
            v.check("new_password", check_new_password(self.new_password.expose_secret()));
        v.finish()?;
        Ok(ChangePassword {
            current_password: self.current_password.into_secret(),
            new_password: present(new_password)?,
            client,
        })
    }
}

/// The only token type issued (RFC 6750).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum TokenType {
    /// `Authorization: Bearer <access_token>`.
    Bearer,
}

/// A new session: what login and refresh answer (the shape of an OAuth 2.0 token response,
/// RFC 6749 §5.1). `Debug` hides both tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token: send it as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Exchange it once at `POST /api/v1/auth/refresh` for a new pair; it is then spent.
    pub refresh_token: String,
}

impl From<Session> for TokenResponse {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token.expose_secret().to_owned(),
            token_type: TokenType::Bearer,
            expires_in: s.expires_in.as_secs(),
            refresh_token: s.refresh_token.expose_secret().to_owned(),
        }
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn register(body: serde_json::Value) -> Result<Register, ApiError> {
        serde_json::from_value::<RegisterBody>(body).unwrap().try_into_domain()
    }

    fn fields(e: &ApiError) -> Vec<&str> {
        e.errors().iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn a_register_body_names_every_invalid_field() {
        let e =
            register(json!({"username": "x", "password": "short", "email": "nope"})).unwrap_err();
        assert_eq!(fields(&e), ["username", "password", "email"]);
        let e = register(json!({"username": "alice", "password": "password123"})).unwrap_err();
        assert_eq!(fields(&e), ["password"]);
        let ok =
            register(json!({"username": "Alice", "password": "correct horse battery"})).unwrap();
        assert_eq!(ok.username.as_str(), "alice");
        assert_eq!(ok.email, None);
    }

    #[test]
    fn a_weak_new_password_is_named_new_password() {
        let body: ChangePasswordBody =
            serde_json::from_value(json!({"current_password": "x", "new_password": "qwertyuiop"}))
                .unwrap();
        assert_eq!(fields(&body.try_into_domain(None).unwrap_err()), ["new_password"]);
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let body: LoginBody =
            serde_json::from_value(json!({"username": "alice", "password": "hunter2 hunter2"}))
                .unwrap();
        let printed = format!("{body:?}");
        let printed = format!("{printed} {:?}", body.into_domain(None));
        assert!(!printed.contains("hunter2"), "{printed}");
        let response = TokenResponse {
            access_token: "eyJsecret".into(),
            token_type: TokenType::Bearer,
            expires_in: 900,
            refresh_token: "opaque-secret".into(),
        };
        assert!(!format!("{response:?}").contains("secret"));
    }
}
