//! HTML responses: the headers every page carries, POST-redirect-GET, and the error pages.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use askama::Template;

use crate::pages::{ErrorPage, Layout};

/// The Content-Security-Policy of every page: scripts, styles and requests only from this
/// origin (so no inline script or `style=` can run), images also as `data:` URLs, forms only
/// to this origin, never framed, no `<base>`.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// A response builder for an HTML page with `status`: the page CSP and `no-store` (pages
/// show private data and must not be kept by shared caches or the back button's cache).
#[must_use]
pub fn page_builder(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Not the API's `no-referrer`: under it, browsers send `Origin: null` with a form
        // post, and the origin check could not tell our own forms from a forged one. Other
        // sites still learn nothing.
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    builder
}

/// Renders `template` as a page with `status`.
///
/// # Errors
/// [`WebError::Internal`] when the template fails to render.
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, WebError> {
    let body = template.render().map_err(WebError::internal)?;
    Ok(page_builder(status).body(body))
}

/// `303 See Other` to `location`: the answer to every successful form post, so reloading
/// the page that follows never re-submits the form.
#[must_use]
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// True when the client names `text/html` in `Accept` (with a non-zero quality), as a
/// browser navigating does. `*/*` alone does not count: curl and API clients send it, and
/// they expect the API's problem details.
#[must_use]
pub fn accepts_html(headers: &header::HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |range| {
            let mut parts = range.split(';');
            let is_html = parts.next().is_some_and(|t| t.trim().eq_ignore_ascii_case("text/html"));
            // `q=0` means "not acceptable" (RFC 9110 §12.4.2).
            let refused = parts.filter_map(|p| p.split_once('=')).any(|(name, value)| {
                name.trim().eq_ignore_ascii_case("q")
                    && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            });
            is_html && !refused
        },
    )
}

/// The "page not found" page (404, with the page headers).
#[must_use]
pub fn not_found_page() -> HttpResponse {
    WebError::NotFound.error_response()
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum WebError {
    /// Absent, or invisible to the caller (a 404 page: existence is not revealed).
    NotFound,
    /// Visible but not allowed (a 403 page).
    Forbidden(String),
    /// An unsafe request without a valid CSRF token, or from another site (403, nothing
    /// changed).
    CsrfRefused,
    /// No session: go to the login page.
    LoginRequired,
    /// A request no form of ours would send (400).
    BadRequest(String),
    /// Anything else (500; the cause is logged, not shown).
    Internal(String),
}

impl WebError {
    /// An internal error, logged with its cause.
    pub fn internal(e: impl fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("page not found"),
            Self::Forbidden(why) => write!(f, "forbidden: {why}"),
            Self::CsrfRefused => f.write_str("request refused: invalid or missing CSRF token"),
            Self::LoginRequired => f.write_str("login required"),
            Self::BadRequest(why) => write!(f, "bad request: {why}"),
            Self::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) | Self::CsrfRefused => StatusCode::FORBIDDEN,
            Self::LoginRequired => StatusCode::SEE_OTHER,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (heading, message) = match self {
            Self::LoginRequired => return see_other("/login"),
            Self::NotFound => (
                "Page not found",
                String::from("There is nothing here, or it is not shared with you."),
            ),
            Self::Forbidden(why) => ("Not allowed", why.clone()),
            Self::CsrfRefused => (
                "Request refused",
                String::from(
                    "The form was stale or came from another site, so nothing was changed. Go back, reload the page and try again.",
                ),
            ),
            Self::BadRequest(why) => ("Bad request", why.clone()),
            Self::Internal(why) => {
                tracing::error!(error = %why, "web page failed");
                (
                    "Something went wrong",
                    String::from("The page could not be shown. Try again in a moment."),
                )
            }
        };
        let page = ErrorPage { layout: Layout::anonymous(heading), heading, message };
        match page.render() {
            Ok(body) => page_builder(self.status_code()).body(body),
            Err(_) => page_builder(self.status_code()).body(heading),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::http::header::{HeaderMap, HeaderValue};

    use super::*;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn only_a_client_that_names_html_accepts_html() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(accepts_html(&accept(&[browser])));
        assert!(accepts_html(&accept(&["application/json", "Text/HTML; charset=utf-8"])));
        assert!(!accepts_html(&accept(&[])));
        assert!(!accepts_html(&accept(&["*/*"])));
        assert!(!accepts_html(&accept(&["application/json, application/problem+json"])));
        assert!(!accepts_html(&accept(&["text/html;q=0, */*"])));
        assert!(!accepts_html(&accept(&["text/htmlx"])));
    }

    #[test]
    fn the_not_found_page_is_html_under_the_page_csp() {
        let page = not_found_page();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let headers = page.headers();
        assert_eq!(headers.get(header::CONTENT_SECURITY_POLICY).unwrap(), PAGE_CSP);
        assert!(
            headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/html")
        );
    }
}
