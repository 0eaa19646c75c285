//! `/`, `/login`, `/logout`, `/register`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::commands::{Login, Register};
use taskforge_domain::services::AuthError;
use taskforge_domain::values::{EmailAddress, Password, Username};

use super::{field, form_fields, resource};
use crate::client_address::client_address;
use crate::pages::{Layout, LoginPage, RegisterPage};
use crate::response::{WebError, render, see_other};
use crate::session::{
    ANONYMOUS_CSRF_COOKIE, SESSION_COOKIE, check_unsafe, clear_cookie, cookie, random_token,
    set_cookie, viewer,
};
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/", "GET, HEAD").route(web::get().to(home)))
        .service(
            resource("/login", "GET, HEAD, POST")
                .route(web::get().to(login_form))
                .route(web::post().to(login)),
        )
        .service(resource("/logout", "POST").route(web::post().to(logout)))
        .service(
            resource("/register", "GET, HEAD, POST")
                .route(web::get().to(register_form))
                .route(web::post().to(register)),
        );
}

/// `GET /`: the projects when logged in, else the login page.
async fn home(req: HttpRequest, state: web::Data<WebState>) -> Result<HttpResponse, WebError> {
    Ok(match viewer(&req, &state).await? {
        Some(_) => see_other("/projects"),
        None => see_other("/login"),
    })
}

/// The anonymous CSRF token of this browser, and whether it must be set (it was missing).
fn anonymous_token(req: &HttpRequest) -> Result<(String, bool), WebError> {
    match cookie(req, ANONYMOUS_CSRF_COOKIE).filter(|t| t.len() == 64) {
        Some(token) => Ok((token, false)),
        None => Ok((random_token()?, true)),
    }
}

fn with_anonymous_token(
    mut response: HttpResponse,
    token: &str,
    is_new: bool,
    state: &WebState,
) -> HttpResponse {
    let secure = state.settings.secure_cookies;
    if is_new
        && let Ok(value) =
            header::HeaderValue::from_str(&set_cookie(ANONYMOUS_CSRF_COOKIE, token, secure))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Debug, serde::Deserialize)]
struct LoginQuery {
    registered: Option<String>,
    logged_out: Option<String>,
}

/// `GET /login`.
async fn login_form(
    req: HttpRequest,
    state: web::Data<WebState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    if viewer(&req, &state).await?.is_some() {
        return Ok(see_other("/projects"));
    }
    let notice = if query.registered.is_some() {
        Some("Your account was created. Log in to start.")
    } else if query.logged_out.is_some() {
        Some("You are logged out.")
    } else {
        None
    };
    let (csrf, is_new) = anonymous_token(&req)?;
    let page = LoginPage {
        layout: Layout::anonymous("Log in"),
        csrf: csrf.clone(),
        username: String::new(),
        error: None,
        notice,
        registration_open: state.settings.registration_open,
    };
    Ok(with_anonymous_token(render(StatusCode::OK, &page)?, &csrf, is_new, &state))
}

/// `POST /login`: a new session (a new token, whatever cookie came in) and a redirect to the
/// projects; a failure re-shows the form.
async fn login(
    req: HttpRequest,
    state: web::Data<WebState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let fields = form_fields(&body)?;
    check_unsafe(&req, cookie(&req, ANONYMOUS_CSRF_COOKIE).as_deref(), &fields)?;
    let username = field(&fields, "username").to_owned();
    let command = Login {
        username: username.clone(),
        password: field(&fields, "password").to_owned(),
        client: client_address(&req, &state),
    };
    let auth = &state.services.auth;
    let (status, message) = match auth.login(command).await {
        Ok(session) => {
            // Rotation: the session the browser had before (if any) ends here, so a
            // session token planted before login is worthless after it.
            if let Some(old) = viewer(&req, &state).await? {
                auth.logout(&old.actor, old.token()).await.map_err(WebError::internal)?;
            }
            let secure = state.settings.secure_cookies;
            let mut response = see_other("/projects");
            for value in [
                set_cookie(SESSION_COOKIE, session.refresh_token.expose_secret(), secure),
                clear_cookie(ANONYMOUS_CSRF_COOKIE, secure),
            ] {
                let value = header::HeaderValue::from_str(&value).map_err(WebError::internal)?;
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            return Ok(response);
        }
        Err(AuthError::InvalidCredentials) => {
            (StatusCode::UNAUTHORIZED, String::from("Wrong username or password."))
        }
        Err(e @ AuthError::Throttled { .. }) => (StatusCode::TOO_MANY_REQUESTS, capitalised(&e)),
        Err(e) => return Err(WebError::internal(e)),
    };
    let (csrf, is_new) = anonymous_token(&req)?;
    let page = LoginPage {
        layout: Layout::anonymous("Log in"),
        csrf: csrf.clone(),
        username,
        error: Some(message),
        notice: None,
        registration_open: state.settings.registration_open,
    };
    Ok(with_anonymous_token(render(status, &page)?, &csrf, is_new, &state))
}

/// `POST /logout`: ends the session (its whole token family) and forgets the cookie.
async fn logout(
    req: HttpRequest,
    state: web::Data<WebState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let fields = form_fields(&body)?;
    let Some(viewer) = viewer(&req, &state).await? else {
        return Ok(see_other("/login"));
    };
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    state.services.auth.logout(&viewer.actor, viewer.token()).await.map_err(WebError::internal)?;
    let mut response = see_other("/login?logged_out=1");
    let value =
        header::HeaderValue::from_str(&clear_cookie(SESSION_COOKIE, state.settings.secure_cookies))
            .map_err(WebError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

/// `GET /register` (a 404 page when registration is closed).
async fn register_form(
    req: HttpRequest,
    state: web::Data<WebState>,
) -> Result<HttpResponse, WebError> {
    if !state.settings.registration_open {
        return Err(WebError::NotFound);
    }
    let (csrf, is_new) = anonymous_token(&req)?;
    let page = RegisterPage {
        layout: Layout::anonymous("Register"),
        csrf: csrf.clone(),
        username: String::new(),
        email: String::new(),
        errors: Vec::new(),
    };
    Ok(with_anonymous_token(render(StatusCode::OK, &page)?, &csrf, is_new, &state))
}

/// `POST /register`: creates the account and sends the person to the login page; invalid
/// fields re-show the form with a message beside each.
async fn register(
    req: HttpRequest,
    state: web::Data<WebState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    if !state.settings.registration_open {
        return Err(WebError::NotFound);
    }
    let fields = form_fields(&body)?;
    check_unsafe(&req, cookie(&req, ANONYMOUS_CSRF_COOKIE).as_deref(), &fields)?;
    let (username, email) = (field(&fields, "username"), field(&fields, "email").trim());
    let mut errors = Vec::new();
    let parsed_username =
        Username::parse(username).map_err(|e| errors.push(("username", capitalised(&e)))).ok();
    let parsed_email = if email.is_empty() {
        None
    } else {
        EmailAddress::parse(email).map_err(|e| errors.push(("email", capitalised(&e)))).ok()
    };
    let password = Password::parse(field(&fields, "password"))
        .map_err(|e| errors.push(("password", capitalised(&e))))
        .ok();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(username), Some(password), true) = (parsed_username, password, errors.is_empty()) {
        let command = Register { username, password, email: parsed_email };
        match state.services.auth.register(command, client_address(&req, &state)).await {
            Ok(_) => return Ok(see_other("/login?registered=1")),
            Err(AuthError::UsernameTaken) => {
                errors.push(("username", String::from("This username is taken.")));
            }
            Err(e @ AuthError::InvalidPassword(_)) => errors.push(("password", capitalised(&e))),
            Err(e @ AuthError::RegistrationThrottled { .. }) => {
                status = StatusCode::TOO_MANY_REQUESTS;
                errors.push(("username", capitalised(&e)));
            }
            Err(AuthError::RegistrationClosed) => return Err(WebError::NotFound),
            Err(e) => return Err(WebError::internal(e)),
        }
    }
    let (csrf, is_new) = anonymous_token(&req)?;
    let page = RegisterPage {
        layout: Layout::anonymous("Register"),
        csrf: csrf.clone(),
        username: username.to_owned(),
        email: email.to_owned(),
        errors,
    };
    Ok(with_anonymous_token(render(status, &page)?, &csrf, is_new, &state))
}

/// A domain error message as a sentence for a page: capital first letter, full stop.
pub(crate) fn capitalised(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |first| format!("{}{}.", first.to_uppercase(), chars.as_str()))
}
