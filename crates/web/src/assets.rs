//! The stylesheet, the vendored htmx and the live board's script, compiled into the binary and
//! served as `/static/app.<hash>.css`, `/static/htmx.<hash>.js` and
//! `/static/live-board.<hash>.js`.
//!
//! The name carries a hash of the content, so the file can be cached for a year
//! (`immutable`): a changed stylesheet is a new URL, and no browser ever holds a stale one.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

/// The stylesheet's content.
pub const APP_CSS: &str = include_str!("../static/app.css");

/// The path the stylesheet is served under, e.g. `/static/app.1a2b3c4d5e6f7a8b.css`.
pub static APP_CSS_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/app.{}.css", content_hash(APP_CSS.as_bytes())));

/// The first 16 hex digits of the content's SHA-256: enough to tell versions apart.
#[must_use]
pub fn content_hash(content: &[u8]) -> String {
    Sha256::digest(content).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// htmx, vendored and pinned (`static/vendor/README.md`): it enhances the plain forms
/// (board moves without a full reload); every page works without it.
pub const HTMX_JS: &str = include_str!("../static/vendor/htmx-2.0.11.min.js");

/// The path htmx is served under, e.g. `/static/htmx.1a2b3c4d5e6f7a8b.js`.
pub static HTMX_JS_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/htmx.{}.js", content_hash(HTMX_JS.as_bytes())));

/// The live board's script (ours): it refreshes the board when the project's event stream
/// says something changed (`routes::live`).
pub const LIVE_BOARD_JS: &str = include_str!("../static/live-board.js");

/// The path the live board's script is served under, e.g. `/static/live-board.1a2b….js`.
pub static LIVE_BOARD_JS_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/live-board.{}.js", content_hash(LIVE_BOARD_JS.as_bytes())));

/// Mounts the static files.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(APP_CSS_PATH.as_str(), web::get().to(stylesheet))
        .route(HTMX_JS_PATH.as_str(), web::get().to(|| script(HTMX_JS)))
        .route(LIVE_BOARD_JS_PATH.as_str(), web::get().to(|| script(LIVE_BOARD_JS)));
}

async fn script(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(APP_CSS)
}
