//! Authentication end to end: registration, login (one 401 for every failure, throttling),
//! refresh-token rotation with reuse detection, logout and password change.
//!
//! The shared server's login throttle counts failures per client address, and every test
//! here calls from 127.0.0.1: tests on the shared server fail at most a handful of logins
//! in total; the throttling test has a server of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, unique};
use serde_json::json;

fn credentials() -> (String, String) {
    let username = unique("auth");
    let password = format!("{username} long pass phrase");
    (username, password)
}

#[tokio::test]
async fn a_visitor_registers_logs_in_and_reads_their_own_account() {
    // Arrange
    let app = TestApp::shared().await;
    let (username, password) = credentials();
    let body = json!({"username": username.to_uppercase(), "password": password,
        "email": "someone@example.org"});
    // Act
    let registered = app.register(&body).await;
    let session = app.login(&username, &password).await.expect(200);
    // Assert
    let user = registered.expect(201);
    let id = id_of(&user);
    assert_eq!(registered.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
    assert_eq!(user["username"], username.as_str(), "usernames are stored in lower case");
    assert_eq!(user["role"], "editor", "the default role");
    assert_eq!(user["email"], "someone@example.org");
    assert!(!registered.text().contains(&password) && !registered.text().contains("pbkdf2"));
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900, "15 minutes by default");
    let me = app.logged_in(&username, &password, id.clone()).await;
    let account = app.me(&me).await.expect(200);
    assert_eq!(account["id"], id.as_str());
}

#[tokio::test]
async fn registering_a_taken_username_in_any_case_is_409_and_keeps_the_first_account() {
    // Arrange
    let app = TestApp::shared().await;
    let (username, password) = credentials();
    app.register(&json!({"username": username, "password": password})).await.expect(201);
    // Act
    let again = json!({"username": username.to_uppercase(), "password": "another pass phrase"});
    let reply = app.register(&again).await;
    // Assert
    reply.expect(409);
    app.login(&username, &password).await.expect(200);
}

#[tokio::test]
async fn registration_refuses_invalid_values_with_422_naming_each_field_and_creates_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let (username, password) = credentials();
    // Act
    let bad = app.register(&json!({"username": "x", "password": "short", "email": "nope"})).await;
    let common = app.register(&json!({"username": username, "password": "password123"})).await;
    // Assert
    bad.expect(422);
    assert_eq!(bad.error_fields(), ["username", "password", "email"]);
    common.expect(422);
    assert_eq!(common.error_fields(), ["password"]);
    // The name is still free.
    app.register(&json!({"username": username, "password": password})).await.expect(201);
}

#[tokio::test]
async fn login_answers_the_same_401_for_an_unknown_user_and_a_wrong_password() {
    // Arrange
    let app = TestApp::shared().await;
    let (username, password) = credentials();
    app.register(&json!({"username": username, "password": password})).await.expect(201);
    // Act
    let unknown = app.login(&unique("ghost"), &password).await;
    let wrong = app.login(&username, "not the password at all").await;
    // Assert
    unknown.expect(401);
    wrong.expect(401);
    assert_eq!(unknown.json(), wrong.json(), "nothing tells the two apart");
    app.login(&username, &password).await.expect(200);
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled_with_429_and_retry_after_even_for_the_right_password()
{
    // Arrange: a server of its own, so no other test's failures count.
    let app = TestApp::spawn().await;
    let viewer = app.people.viewer.clone();
    for _ in 0..5 {
        app.login(&viewer.username, "wrong password here").await.expect(401);
    }
    // Act
    let throttled = app.login(&viewer.username, &viewer.password).await;
    // Assert
    throttled.expect(429);
    let retry_after: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    // Another user from the same address is not throttled yet (20 failures per address).
    let editor = &app.people.editor;
    app.login(&editor.username, &editor.password).await.expect(200);
}

#[tokio::test]
async fn failed_logins_from_one_address_are_throttled_across_usernames() {
    // Arrange: a server of its own; 20 failures from 127.0.0.1, one per unknown username.
    let app = TestApp::spawn().await;
    for i in 0..20 {
        app.login(&format!("nobody-{i}"), "wrong password here").await.expect(401);
    }
    // Act
    let reply = app.login(&app.people.editor.username, &app.people.editor.password).await;
    // Assert
    reply.expect(429);
    assert!(reply.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

#[tokio::test]
async fn refresh_rotates_the_pair_and_a_reused_refresh_token_ends_the_whole_session() {
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    let first = user.refresh_token.clone().unwrap();
    // Act
    let rotated = app.refresh(&first).await.expect(200);
    let reused = app.refresh(&first).await;
    // Assert
    let second = rotated["refresh_token"].as_str().unwrap();
    assert_ne!(second, first);
    assert_eq!(rotated["token_type"], "Bearer");
    let renewed = user.with_token(rotated["access_token"].as_str().unwrap());
    app.me(&renewed).await.expect(200);
    reused.expect(401);
    app.refresh(second).await.expect(401);
}

#[tokio::test]
async fn refresh_refuses_a_token_it_never_issued_with_401() {
    let app = TestApp::shared().await;
    let reply = app.refresh("not-a-refresh-token").await;
    reply.expect(401);
}

#[tokio::test]
async fn logout_ends_only_the_session_of_its_refresh_token_and_needs_an_access_token() {
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("viewer").await;
    let other = app.new_user("viewer").await;
    let token = user.refresh_token.clone().unwrap();
    let others_token = other.refresh_token.clone().unwrap();
    // Act
    let anonymous = app.logout(&app.people.anonymous, &token).await;
    let logged_out = app.logout(&user, &token).await;
    let again = app.logout(&user, &token).await;
    let not_mine = app.logout(&user, &others_token).await;
    // Assert
    anonymous.expect(401);
    logged_out.expect(204);
    again.expect(204);
    not_mine.expect(204);
    app.refresh(&token).await.expect(401);
    app.refresh(&others_token).await.expect(200);
    app.me(&user).await.expect(200);
}

#[tokio::test]
async fn changing_the_password_ends_every_session_and_retires_the_old_password() {
    // Arrange: two sessions of one account.
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    let second = app.logged_in(&user.username, &user.password, user.id.clone()).await;
    let new_password = format!("{} but longer", user.password);
    // Act
    let reply = app.change_password(&user, &user.password, &new_password).await;
    // Assert
    reply.expect(204);
    app.refresh(user.refresh_token.as_ref().unwrap()).await.expect(401);
    app.refresh(second.refresh_token.as_ref().unwrap()).await.expect(401);
    app.login(&user.username, &user.password).await.expect(401);
    app.login(&user.username, &new_password).await.expect(200);
}

#[tokio::test]
async fn changing_the_password_refuses_a_wrong_current_one_and_a_weak_new_one_and_changes_nothing()
{
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    // Act
    let wrong = app.change_password(&user, "not my password", "a brand new pass phrase").await;
    let weak = app.change_password(&user, &user.password, "qwertyuiop").await;
    let anonymous =
        app.change_password(&app.people.anonymous, &user.password, "a brand new pass").await;
    // Assert
    wrong.expect(403);
    weak.expect(422);
    assert_eq!(weak.error_fields(), ["new_password"]);
    anonymous.expect(401);
    app.refresh(user.refresh_token.as_ref().unwrap()).await.expect(200);
    app.login(&user.username, &user.password).await.expect(200);
}

#[tokio::test]
async fn closed_registration_is_403_while_operator_made_accounts_still_log_in() {
    // Arrange
    let app = TestApp::spawn_with(&[("TASKFORGE_REGISTRATION", "closed")]).await;
    let (username, password) = credentials();
    // Act
    let reply = app.register(&json!({"username": username, "password": password})).await;
    // Assert
    reply.expect(403);
    app.login(&username, &password).await.expect(401);
    let admin = &app.people.admin;
    app.login(&admin.username, &admin.password).await.expect(200);
}

#[tokio::test]
async fn self_registered_users_get_the_configured_default_role() {
    let app = TestApp::spawn_with(&[("TASKFORGE_DEFAULT_ROLE", "viewer")]).await;
    let (username, password) = credentials();
    let user = app.register(&json!({"username": username, "password": password})).await;
    assert_eq!(user.expect(201)["role"], "viewer");
}

#[tokio::test]
async fn an_address_that_registered_its_hourly_budget_gets_429_with_retry_after_and_no_account() {
    // Arrange: two registrations per hour per address (the default is 20).
    let app = TestApp::spawn_with(&[("TASKFORGE_REGISTRATIONS_PER_HOUR", "2")]).await;
    let (first, password) = credentials();
    app.register(&json!({"username": first, "password": password})).await.expect(201);
    // A refused attempt spends budget too, so the 409 cannot be used to probe names freely.
    app.register(&json!({"username": first, "password": password})).await.expect(409);
    // Act
    let (third, password) = credentials();
    let reply = app.register(&json!({"username": third, "password": password})).await;
    // Assert: 29.9 minutes until the next token (an hour / 2), and nothing was created.
    let retry_after: u64 = reply.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1_700..=1_800).contains(&retry_after), "Retry-After: {retry_after}");
    let problem = reply.expect(429);
    assert!(problem["detail"].as_str().unwrap().contains("registrations"), "{problem}");
    app.login(&third, &password).await.expect(401);
    let admin = &app.people.admin;
    app.login(&admin.username, &admin.password).await.expect(200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_registration_budget() {
    // Arrange: the test client is the "proxy" at 127.0.0.1; one registration per hour each.
    let app = TestApp::spawn_with(&[
        ("TASKFORGE_REGISTRATIONS_PER_HOUR", "1"),
        ("TASKFORGE_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let register_from = |client: &'static str| {
        let (username, password) = credentials();
        let body = json!({"username": username, "password": password});
        let app = &app;
        async move {
            app.call(reqwest::Method::POST, "/api/v1/auth/register")
                .header("x-forwarded-for", client)
                .json(&body)
                .send()
                .await
        }
    };
    // Act / Assert: two clients behind the proxy, one budget each.
    register_from("198.51.100.1").await.expect(201);
    register_from("198.51.100.2").await.expect(201);
    register_from("198.51.100.1").await.expect(429);
}
