//! Browser sessions and the checks every unsafe request passes (ADR 0020).
//!
//! A session is a refresh token of the domain (opaque, stored only as a digest, revocable,
//! in a family that logout, a password change and a role change revoke) held in the
//! `taskforge_session` cookie. Reusing that port rather than adding a session store means
//! every storage adapter — present and future — already supports web sessions.
//!
//! Unsafe requests carry a synchronizer token: for a session it is derived from the session
//! token (so it needs no storage and dies with the session); before login it is a random
//! value in a `taskforge_csrf` cookie that the form must repeat. Browsers also say where a
//! request comes from (`Origin`, `Sec-Fetch-Site`), and a cross-site answer is refused even
//! before the token is looked at.

use actix_web::HttpRequest;
use actix_web::http::header;
use sha2::{Digest, Sha256};
use taskforge_domain::Actor;
use taskforge_domain::ports::RefreshToken;
use taskforge_domain::values::Role;

use crate::response::WebError;
use crate::state::WebState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "taskforge_session";
/// The cookie holding the CSRF token of the login and register forms (before a session).
pub const ANONYMOUS_CSRF_COOKIE: &str = "taskforge_csrf";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header carrying the CSRF token on script-initiated requests (htmx).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in person behind a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who, with their current role (read from the store on every request).
    pub actor: Actor,
    /// Their username, for the page header.
    pub username: String,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    token: RefreshToken,
}

impl Viewer {
    /// True for admins.
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.actor.role == Role::Admin
    }

    /// True when the role may write at all (editors and admins); the domain still decides
    /// each action, this only hides controls a viewer could never use.
    #[must_use]
    pub fn can_write(&self) -> bool {
        self.actor.role != Role::Viewer
    }

    /// The session token, for logout.
    #[must_use]
    pub const fn token(&self) -> &RefreshToken {
        &self.token
    }
}

/// The value of cookie `name` in the request, if any.
#[must_use]
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// The person logged in on this request, or `None` when there is no live session.
///
/// # Errors
/// [`WebError::Internal`] when the store fails.
pub async fn viewer(req: &HttpRequest, state: &WebState) -> Result<Option<Viewer>, WebError> {
    let Some(raw) = cookie(req, SESSION_COOKIE).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let token = RefreshToken::new(raw);
    let services = &state.services;
    let Some(actor) = services.auth.session_actor(&token).await.map_err(WebError::internal)? else {
        return Ok(None);
    };
    let user = match services.users.me(&actor).await {
        Ok(user) => user,
        Err(taskforge_domain::services::UserError::NotFound) => return Ok(None),
        Err(e) => return Err(WebError::internal(e)),
    };
    let csrf = session_csrf_token(token.expose_secret());
    Ok(Some(Viewer { actor, username: user.username.as_str().to_owned(), csrf, token }))
}

/// The person logged in, or [`WebError::LoginRequired`] (a redirect to the login page).
///
/// # Errors
/// [`WebError::LoginRequired`] or [`WebError::Internal`].
pub async fn require_viewer(req: &HttpRequest, state: &WebState) -> Result<Viewer, WebError> {
    viewer(req, state).await?.ok_or(WebError::LoginRequired)
}

/// The CSRF token of a session: a hash of the session token under a fixed context. It cannot
/// be turned back into the session token, and no one without the cookie can compute it.
#[must_use]
pub fn session_csrf_token(session_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"taskforge web csrf v1\0");
    hasher.update(session_token.as_bytes());
    hex(&hasher.finalize())
}

/// A fresh random token (256 bits, hex) for the login and register forms.
///
/// # Errors
/// [`WebError::Internal`] when the system's random number generator fails.
pub fn random_token() -> Result<String, WebError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::internal(e.to_string()))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two tokens in time that depends only on their lengths.
#[must_use]
pub fn tokens_match(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True unless the browser says the request comes from another site: `Sec-Fetch-Site` must
/// be `same-origin` (or `none`, a user's own navigation) and `Origin`, when sent, must name
/// this host. Clients that send neither header (curl, tests) are judged by the token alone.
#[must_use]
pub fn same_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.to_str(), Ok("same-origin" | "none"))
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// The token a request presents: the form field, else the `X-CSRF-Token` header.
#[must_use]
pub fn presented_token(req: &HttpRequest, form: &[(String, String)]) -> Option<String> {
    form.iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.clone())
        .or_else(|| req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// Refuses an unsafe request that comes from another site or does not present `expected`.
///
/// # Errors
/// [`WebError::CsrfRefused`].
pub fn check_unsafe(
    req: &HttpRequest,
    expected: Option<&str>,
    form: &[(String, String)],
) -> Result<(), WebError> {
    if !same_origin(req) {
        return Err(WebError::CsrfRefused);
    }
    match (expected, presented_token(req, form)) {
        (Some(expected), Some(presented)) if tokens_match(expected, &presented) => Ok(()),
        _ => Err(WebError::CsrfRefused),
    }
}

/// The `Set-Cookie` value that stores `value` in cookie `name` for the whole site, out of
/// reach of scripts, not sent on cross-site subrequests, and only over https when `secure`.
#[must_use]
pub fn set_cookie(name: &str, value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that deletes cookie `name`.
#[must_use]
pub fn clear_cookie(name: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_when_equal_and_not_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn the_session_csrf_token_is_not_the_session_token() {
        let token = "s3cret";
        let csrf = session_csrf_token(token);
        assert_eq!(csrf.len(), 64);
        assert!(!csrf.contains(token));
        assert_eq!(csrf, session_csrf_token(token));
        assert_ne!(csrf, session_csrf_token("other"));
    }
}
