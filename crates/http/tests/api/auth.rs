//! The authentication routes end to end over the real crypto adapters: register, log in,
//! use the token, refresh, log out, change the password — and every refusal `docs/api.md` lists.
//! (Throttling and malformed bodies are in `auth_refusals.rs`.)

use std::time::Duration;

use serde_json::json;
use taskforge_domain::services::{AuthSettings, Registration};
use taskforge_http::HttpSettings;

use crate::auth_support::{PASSWORD, Tokens};
use crate::support::spawn_with_auth;

#[actix_web::test]
async fn a_new_account_logs_in_and_its_access_token_authenticates() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let body = json!({"username": "Alice", "password": PASSWORD, "email": "alice@example.org"});
    let reply = app.post("/api/v1/auth/register", None, body).await;
    let user = reply.expect(201);
    let id = user["id"].as_str().unwrap();
    assert_eq!(reply.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(user["username"], "alice");
    assert_eq!(user["email"], "alice@example.org");
    assert_eq!(user["role"], "editor", "the default role of self-registered users");
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["created_at", "email", "id", "role", "username"]);

    let login = app.login("ALICE", PASSWORD).await;
    assert_eq!(login.json()["expires_in"], 900);
    let tokens = Tokens::from_reply(&login);
    assert_eq!(tokens.access.split('.').count(), 3, "a JWT");
    let me = app.me(&tokens.access).await.expect(200);
    assert_eq!(me["id"], id);
    assert_eq!(me["username"], "alice");
}

#[actix_web::test]
async fn a_taken_username_is_409_whatever_its_case() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    app.register("bob", PASSWORD).await.expect(201);
    let problem = app.register("BOB", "another fine password").await.expect(409);
    assert_eq!(problem["detail"], "username is already taken");
    // The seeded accounts count too.
    app.register("admin", PASSWORD).await.expect(409);
}

#[actix_web::test]
async fn invalid_registration_values_are_422_naming_each_field_and_never_the_password() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let long = "x".repeat(129);
    for (password, message) in [
        ("seven77", "password must be at least 8 characters"),
        (long.as_str(), "password must be at most 128 characters"),
        ("Password123", "password is too common"),
        ("qwertyuiop", "password is too common"),
        ("        ", "password must contain at least one visible character"),
        (
            "\u{a0}\u{200b}\t\u{feff}\u{3000}\u{2060}\u{1} ",
            "password must contain at least one visible character",
        ),
    ] {
        let reply = app.register("carol", password).await;
        let problem = reply.expect(422);
        assert_eq!(problem["errors"], json!([{"field": "password", "message": message}]));
        assert!(!String::from_utf8_lossy(&reply.body).contains(password));
    }
    let body = json!({"username": "no spaces", "password": "seven77", "email": "not-an-address"});
    let problem = app.post("/api/v1/auth/register", None, body).await.expect(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password", "email"]);
    // Nothing was created.
    app.register("carol", PASSWORD).await.expect(201);
}

#[actix_web::test]
async fn closed_registration_is_403_and_creates_nothing() {
    let settings = AuthSettings { registration: Registration::Closed, ..AuthSettings::default() };
    let app = spawn_with_auth(settings, HttpSettings::default()).await;
    let problem = app.register("dave", PASSWORD).await.expect(403);
    assert_eq!(problem["detail"], "registration is closed");
    // Closed means closed for taken names too: no username probing.
    app.register("admin", PASSWORD).await.expect(403);
    app.login("dave", PASSWORD).await.expect(401);
}

#[actix_web::test]
async fn an_unknown_user_and_a_wrong_password_get_the_very_same_401() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    app.register("erin", PASSWORD).await.expect(201);
    let wrong = app.login("erin", "not the password at all").await;
    let unknown = app.login("nobody", PASSWORD).await;
    let malformed = app.login("x", "").await;
    for reply in [&wrong, &unknown, &malformed] {
        reply.expect(401);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer realm=\"taskforge\""));
    }
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
    assert_eq!(wrong.json()["detail"], "invalid username or password");
    assert!(!String::from_utf8_lossy(&wrong.body).contains("not the password"));
}

#[actix_web::test]
async fn refresh_rotates_the_pair_and_a_reused_token_ends_the_whole_session() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let first = app.signed_up("frank").await;
    let second = Tokens::from_reply(&app.refresh(&first.refresh).await);
    assert_ne!(second.refresh, first.refresh);
    app.me(&second.access).await.expect(200);

    // The spent token comes back: theft or replay. It is refused, and so is its successor.
    let problem = app.refresh(&first.refresh).await.expect(401);
    assert_eq!(problem["detail"], "refresh token was already used; please log in again");
    let problem = app.refresh(&second.refresh).await.expect(401);
    assert_eq!(problem["detail"], "refresh token is invalid");

    // A new login starts a new session.
    let again = Tokens::from_reply(&app.login("frank", PASSWORD).await);
    Tokens::from_reply(&app.refresh(&again.refresh).await);
}

#[actix_web::test]
async fn unknown_and_expired_refresh_tokens_are_401() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    for token in ["", "nope", &"A".repeat(4096)] {
        app.refresh(token).await.expect(401);
    }
    // A refresh lifetime of zero: every token is expired the moment it is issued.
    let settings = AuthSettings { refresh_ttl: Duration::ZERO, ..AuthSettings::default() };
    let app = spawn_with_auth(settings, HttpSettings::default()).await;
    let tokens = app.signed_up("grace").await;
    let problem = app.refresh(&tokens.refresh).await.expect(401);
    assert_eq!(problem["detail"], "refresh token has expired");
}

#[actix_web::test]
async fn logout_ends_that_session_only_and_needs_an_access_token() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let laptop = app.signed_up("heidi").await;
    let phone = Tokens::from_reply(&app.login("heidi", PASSWORD).await);

    let anonymous = json!({"refresh_token": laptop.refresh});
    app.post("/api/v1/auth/logout", None, anonymous).await.expect(401);
    let reply = app.logout(&laptop.access, &laptop.refresh).await;
    reply.expect(204);
    assert!(reply.body.is_empty());
    app.refresh(&laptop.refresh).await.expect(401);
    // Idempotent, and silent about tokens that mean nothing.
    app.logout(&laptop.access, &laptop.refresh).await.expect(204);
    app.logout(&laptop.access, "never issued").await.expect(204);
    // The other session lives on.
    Tokens::from_reply(&app.refresh(&phone.refresh).await);
}

#[actix_web::test]
async fn nobody_can_log_out_someone_elses_session() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let ivan = app.signed_up("ivan").await;
    let judy = app.signed_up("judy").await;
    app.logout(&judy.access, &ivan.refresh).await.expect(204);
    Tokens::from_reply(&app.refresh(&ivan.refresh).await);
}

#[actix_web::test]
async fn changing_the_password_ends_every_session_and_the_new_one_logs_in() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let laptop = app.signed_up("kim").await;
    let phone = Tokens::from_reply(&app.login("kim", PASSWORD).await);
    let new = "a brand new passphrase";

    let problem = app.change_password(&laptop.access, "wrong guess!", new).await.expect(403);
    assert_eq!(problem["detail"], "current password is wrong");
    let problem = app.change_password(&laptop.access, PASSWORD, "password1").await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "new_password");
    app.change_password(&laptop.access, PASSWORD, "short").await.expect(422);
    // Nothing changed yet.
    Tokens::from_reply(&app.login("kim", PASSWORD).await);

    let reply = app.change_password(&laptop.access, PASSWORD, new).await;
    reply.expect(204);
    assert!(!String::from_utf8_lossy(&reply.body).contains(new));
    app.refresh(&laptop.refresh).await.expect(401);
    app.refresh(&phone.refresh).await.expect(401);
    app.login("kim", PASSWORD).await.expect(401);
    let fresh = Tokens::from_reply(&app.login("kim", new).await);
    app.me(&fresh.access).await.expect(200);
}

#[actix_web::test]
async fn changing_the_password_needs_an_access_token() {
    let app = spawn_with_auth(AuthSettings::default(), HttpSettings::default()).await;
    let body = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let reply = app
        .send(actix_web::test::TestRequest::put().uri("/api/v1/users/me/password").set_json(body));
    reply.await.expect(401);
    let tokens = app.signed_up("leo").await;
    // A refresh token is not an access token.
    app.change_password(&tokens.refresh, PASSWORD, "a brand new passphrase").await.expect(401);
}
