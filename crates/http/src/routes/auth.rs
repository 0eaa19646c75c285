//! `/api/v1/auth/*` and `PUT /api/v1/users/me/password`: registration, login, refresh-token
//! rotation, logout and password change (`docs/api.md`, `docs/security.md`).
//!
//! Every rule — the password policy, throttling, one 401 for an unknown user and a wrong
//! password, rotation with reuse detection — lives in the domain's `AuthService`; these
//! handlers read the body and the client's address and map the outcome. Passwords and tokens
//! arrive as `SecretString`s and leave only in the token response, which, like every response
//! carrying a token or an account, says `Cache-Control: no-store` itself rather than relying
//! on the security-headers middleware alone (RFC 6749 §5.1).

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use taskforge_domain::services::Session;

use super::resource;
use crate::auth::Authenticated;
use crate::body::JsonBody;
use crate::client_address::ClientAddress;
use crate::dto::{
    ChangePasswordBody, LoginBody, RefreshBody, RegisterBody, TokenResponse, UserResponse,
};
use crate::error::ApiError;
use crate::openapi::{
    AuthErrors, BadCredentials, BadRefreshToken, BodyErrors, BodyFormatErrors, Conflict,
    RegistrationClosed, ServerErrors, Throttled, WrongPassword,
};
use crate::state::AppState;

/// Mounts the authentication routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/auth/register", "POST").route(web::post().to(register)))
        .service(resource("/api/v1/auth/login", "POST").route(web::post().to(login)))
        .service(resource("/api/v1/auth/refresh", "POST").route(web::post().to(refresh)))
        .service(resource("/api/v1/auth/logout", "POST").route(web::post().to(logout)))
        .service(
            resource("/api/v1/users/me/password", "PUT").route(web::put().to(change_password)),
        );
}

/// `Cache-Control: no-store`: neither the browser nor a proxy may keep the response.
fn no_store(mut response: HttpResponseBuilder) -> HttpResponseBuilder {
    response.insert_header(CacheControl(vec![CacheDirective::NoStore]));
    response
}

fn session(session: Session) -> HttpResponse {
    no_store(HttpResponse::Ok()).json(TokenResponse::from(session))
}

/// Create an account with the configured default role. Anyone may, unless the operator closed
/// registration; each client address may try 20 times, then once every 3 minutes.
#[utoipa::path(
    post, operation_id = "auth_register", path = "/api/v1/auth/register", tag = "auth",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Created; log in to get tokens", body = UserResponse,
            headers(
                ("Location" = String, description = "The new user's URL, /api/v1/users/{id}"),
                ("Cache-Control" = String, description = "no-store"),
            )),
        BodyErrors, RegistrationClosed, Conflict, Throttled, ServerErrors,
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain()?;
    let user = state.services().auth.register(cmd, client).await?;
    Ok(no_store(HttpResponse::Created())
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserResponse::from(&user)))
}

/// Log in: an access token and a refresh token. Failures are throttled per username and per
/// client address; the answer for an unknown user and a wrong password is the same.
#[utoipa::path(
    post, operation_id = "auth_login", path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse,
            headers(("Cache-Control" = String, description = "no-store"))),
        BodyFormatErrors, BadCredentials, Throttled, ServerErrors,
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let started = state.services().auth.login(body.into_domain(client)).await?;
    Ok(session(started))
}

/// Exchange a refresh token for a new pair. The token presented is spent; presenting it again
/// is treated as theft and ends the whole session (every token descended from the same login).
#[utoipa::path(
    post, operation_id = "auth_refresh", path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse,
            headers(("Cache-Control" = String, description = "no-store"))),
        BodyFormatErrors, BadRefreshToken, ServerErrors,
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let renewed = state.services().auth.refresh(&body.into_domain()).await?;
    Ok(session(renewed))
}

/// End the session the refresh token belongs to. Idempotent; a token that is unknown or not
/// the caller's changes nothing and is not reported. The access token stays valid until it
/// expires (at most its lifetime, 15 minutes by default): discard it.
#[utoipa::path(
    post, operation_id = "auth_logout", path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    request_body = RefreshBody,
    responses((status = 204, description = "Logged out"), BodyFormatErrors, AuthErrors)
)]
pub async fn logout(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    state.services().auth.logout(&actor, &body.into_domain()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password. Every refresh token of the account is revoked, so every session
/// must log in again; access tokens already issued live out their short lifetime. Wrong
/// current passwords are throttled like failed logins.
#[utoipa::path(
    put, operation_id = "auth_change_password", path = "/api/v1/users/me/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses(
        (status = 204, description = "Changed; all sessions ended"),
        BodyErrors, AuthErrors, WrongPassword, Throttled,
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain(client)?;
    state.services().auth.change_password(&actor, cmd).await?;
    Ok(HttpResponse::NoContent().finish())
}
