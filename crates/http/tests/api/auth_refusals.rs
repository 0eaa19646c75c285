//! The authentication routes' refusals that are not about credentials: throttling (429 with
//! `Retry-After`, by username and by client address, and which address counts), and bodies
//! that are not JSON, malformed, too large or carry unknown fields.

use std::time::Duration;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use taskforge_domain::services::{AuthSettings, BucketSettings, ThrottleSettings};
use taskforge_http::{HttpSettings, TrustedProxies};

use crate::auth_support::{PASSWORD, Tokens, retry_after, with_token};
use crate::support::spawn_with_auth;

/// `per_username` failures per username and `per_address` per address, then one a minute.
fn throttled(per_username: u32, per_address: u32) -> AuthSettings {
    let minute = Duration::from_secs(60);
    AuthSettings {
        throttle: ThrottleSettings {
            per_username: BucketSettings::new(per_username, minute),
            per_address: BucketSettings::new(per_address, minute),
            ..ThrottleSettings::default()
        },
        ..AuthSettings::default()
    }
}

#[actix_web::test]
async fn repeated_failures_for_a_username_are_429_with_retry_after_even_for_the_right_password() {
    let app = spawn_with_auth(throttled(3, 100), HttpSettings::default()).await;
    app.register("mallory", PASSWORD).await.expect(201);
    for _ in 0..3 {
        app.login("mallory", "guess guess guess").await.expect(401);
    }
    let reply = app.login("MALLORY", PASSWORD).await;
    let seconds = retry_after(&reply);
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert!(reply.json()["detail"].as_str().unwrap().contains("too many failed login attempts"));
    // Unknown usernames are throttled the same way (no hint that they do not exist).
    for _ in 0..3 {
        app.login("ghost", "guess guess guess").await.expect(401);
    }
    retry_after(&app.login("ghost", "guess guess guess").await);
    // Other accounts are not affected.
    app.register("nina", PASSWORD).await.expect(201);
    Tokens::from_reply(&app.login("nina", PASSWORD).await);
}

#[actix_web::test]
async fn failing_one_login_a_minute_cannot_lock_the_owner_out_of_their_account() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    app.register("victim", PASSWORD).await.expect(201);
    let (attacker, owner) = (Some("203.0.113.66"), Some("198.51.100.20"));
    // The attacker spends the per-client allowance and goes on failing.
    for _ in 0..5 {
        app.login_from("victim", "guess guess guess", attacker, None).await.expect(401);
    }
    retry_after(&app.login_from("victim", "guess guess guess", attacker, None).await);
    // The owner, from an address that has not failed, still gets in with the right password.
    Tokens::from_reply(&app.login_from("victim", PASSWORD, owner, None).await);
    // The attacker stays throttled, even with the right password.
    retry_after(&app.login_from("victim", PASSWORD, attacker, None).await);
}

#[actix_web::test]
async fn an_address_is_throttled_across_usernames_and_x_forwarded_for_is_not_believed() {
    let app = spawn_with_auth(throttled(100, 2), HttpSettings::default()).await;
    let attacker = Some("203.0.113.7");
    // A new username and a new forged address each time: only the peer address counts.
    for (name, forged) in [("u1", "198.51.100.1"), ("u2", "198.51.100.2")] {
        app.login_from(name, "guess guess guess", attacker, Some(forged)).await.expect(401);
    }
    let reply = app.login_from("u3", "guess guess guess", attacker, Some("198.51.100.3")).await;
    retry_after(&reply);
    // Someone else, from another address, logs in.
    app.register("olivia", PASSWORD).await.expect(201);
    let reply = app.login_from("olivia", PASSWORD, Some("192.0.2.50"), None).await;
    Tokens::from_reply(&reply);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
    let http = HttpSettings::default().with_trusted_proxies(proxies);
    let app = spawn_with_auth(throttled(100, 2), http).await;
    let proxy = Some("10.0.0.1");
    for name in ["u1", "u2"] {
        app.login_from(name, "guess guess guess", proxy, Some("203.0.113.7")).await.expect(401);
    }
    retry_after(&app.login_from("u3", "guess guess guess", proxy, Some("203.0.113.7")).await);
    // The next client through the same proxy is not throttled.
    app.login_from("u4", "guess guess guess", proxy, Some("203.0.113.8")).await.expect(401);
    // A client cannot prepend its way out: the proxy's own entry is the one that counts.
    let forged = Some("192.0.2.1, 203.0.113.7");
    retry_after(&app.login_from("u5", "guess guess guess", proxy, forged).await);
}

#[actix_web::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let app = spawn_with_auth(throttled(2, 100), HttpSettings::default()).await;
    let tokens = app.signed_up("peggy").await;
    let new = "a brand new passphrase";
    for _ in 0..2 {
        app.change_password(&tokens.access, "guess guess guess", new).await.expect(403);
    }
    retry_after(&app.change_password(&tokens.access, PASSWORD, new).await);
    retry_after(&app.login("peggy", PASSWORD).await);
}

/// Every authentication route with a valid body for `tokens`' account.
fn routes(tokens: &Tokens) -> Vec<(Method, &'static str, Value, bool)> {
    vec![
        (
            Method::POST,
            "/api/v1/auth/register",
            json!({"username": "quinn", "password": PASSWORD}),
            false,
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            json!({"username": "rita", "password": PASSWORD}),
            false,
        ),
        (Method::POST, "/api/v1/auth/refresh", json!({"refresh_token": tokens.refresh}), false),
        (Method::POST, "/api/v1/auth/logout", json!({"refresh_token": tokens.refresh}), true),
        (
            Method::PUT,
            "/api/v1/users/me/password",
            json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
            true,
        ),
    ]
}

#[actix_web::test]
async fn auth_bodies_that_are_not_json_malformed_too_large_or_unknown_are_refused() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let tokens = app.signed_up("rita").await;
    for (method, path, body, authenticated) in routes(&tokens) {
        let base = || {
            let req = TestRequest::default().method(method.clone()).uri(path);
            if authenticated { with_token(req, &tokens.access) } else { req }
        };
        let json = |payload: String| {
            base().insert_header(("content-type", "application/json")).set_payload(payload)
        };
        let text =
            base().insert_header(("content-type", "text/plain")).set_payload(body.to_string());
        app.send(text).await.expect(415);
        app.send(json(String::from("{\"username\":"))).await.expect(400);
        app.send(json(String::from("[]"))).await.expect(400);
        let huge = format!("{{\"x\":\"{}\"}}", "x".repeat(65 * 1024));
        app.send(json(huge)).await.expect(413);

        let mut unknown = body.clone();
        unknown["remember_me"] = json!(true);
        let problem = app.send(base().set_json(&unknown)).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], "remember_me", "{path}");
        let missing = app.send(base().set_json(json!({}))).await.expect(400);
        assert!(missing["errors"][0]["message"] == "missing field", "{path}: {missing}");
    }
    // The session survived every refused request.
    Tokens::from_reply(&app.refresh(&tokens.refresh).await);
    Tokens::from_reply(&app.login("rita", PASSWORD).await);
}

#[actix_web::test]
async fn a_secret_of_the_wrong_type_or_a_bare_string_body_is_refused_without_being_echoed() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let body = json!({"username": "sam", "password": 987_654_321_u64});
    let reply = app.post("/api/v1/auth/login", None, body).await;
    reply.expect(400);
    assert!(!String::from_utf8_lossy(&reply.body).contains("987654321"));
    let bare = TestRequest::post()
        .uri("/api/v1/auth/refresh")
        .insert_header(("content-type", "application/json"))
        .set_payload("\"my-secret-refresh-token\"");
    let reply = app.send(bare).await;
    assert_eq!(reply.expect(400)["detail"], "request body must be a JSON object");
    assert!(!String::from_utf8_lossy(&reply.body).contains("my-secret"));
}

#[actix_web::test]
async fn other_methods_on_auth_paths_are_405_with_allow() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    for (method, path, allow) in [
        (Method::GET, "/api/v1/auth/login", "POST"),
        (Method::PUT, "/api/v1/auth/register", "POST"),
        (Method::DELETE, "/api/v1/auth/logout", "POST"),
        (Method::GET, "/api/v1/auth/refresh", "POST"),
        (Method::POST, "/api/v1/users/me/password", "PUT"),
        (Method::GET, "/api/v1/users/me/password", "PUT"),
    ] {
        let reply = app.send(TestRequest::default().method(method).uri(path)).await;
        reply.expect(405);
        assert_eq!(reply.header("allow"), Some(allow), "{path}");
    }
}
