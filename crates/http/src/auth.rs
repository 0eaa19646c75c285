//! The bearer-token extractor: `Authorization: Bearer <token>` → [`Authenticated`](crate::auth::Authenticated) actor.
//!
//! The token proves who the caller is; their *role* is read fresh from the user store on every
//! request ([`UserService::actor`](taskforge_domain::services::UserService::actor)), so a
//! demoted or deleted user loses rights at once, not when the token expires.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use taskforge_domain::Actor;
use taskforge_domain::ports::Claims;

use crate::error::ApiError;
use crate::state::AppState;

/// Longest `Authorization` value considered; real tokens are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 4096;

/// The authenticated caller. Take it as the first handler argument, so a request without
/// valid credentials is refused (401) before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal_message("AppState is not registered"))?;
            let (actor, _) = verify(&state, token?).await?;
            Ok(Self(actor))
        })
    }
}

/// The caller of `req` and the claims of their token, for a handler that needs the token's
/// expiry (an event stream ends with it).
///
/// # Errors
/// 401 as for [`Authenticated`].
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(Actor, Claims), ApiError> {
    verify(state, bearer_token(req)?).await
}

async fn verify(state: &AppState, token: String) -> Result<(Actor, Claims), ApiError> {
    let claims = state.tokens().verify(&token)?;
    match state.services().users.actor(claims.subject).await? {
        Some(actor) => Ok((actor, claims)),
        None => Err(ApiError::unauthorized("the account no longer exists")),
    }
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive, RFC 7235).
fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = || ApiError::unauthorized("a bearer access token is required");
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(missing());
    }
    Ok(token.to_owned())
}
