//! Sessions, CSRF, the page frame: `/`, `/login`, `/logout`, `/register`, the stylesheet.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::http::header::HeaderMap;
use actix_web::test::TestRequest;
use taskforge_domain::Actor;
use taskforge_domain::commands::ChangePassword;
use taskforge_domain::values::{Password, Role};
use taskforge_web::response::PAGE_CSP;
use taskforge_web::{ClientAddresses, WebSettings};

use crate::support::{Browser, PASSWORD, web_app, web_app_resolving, web_app_with};

#[actix_web::test]
async fn the_root_sends_anonymous_people_to_the_login_page_and_others_to_their_projects() {
    let app = web_app().await;
    app.get(&Browser::default(), "/").await.expect_redirect("/login");
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    app.get(&alice, "/").await.expect_redirect("/projects");
    app.get(&alice, "/login").await.expect_redirect("/projects");
}

#[actix_web::test]
async fn every_page_carries_the_page_csp_and_no_store() {
    let app = web_app().await;
    for path in ["/login", "/register"] {
        let page = app.get(&Browser::default(), path).await;
        page.expect(200);
        assert_eq!(page.header("content-security-policy"), Some(PAGE_CSP), "{path}");
        assert_eq!(page.header("cache-control"), Some("no-store"), "{path}");
        // Under `no-referrer` browsers post forms with `Origin: null`, which the origin
        // check must refuse; `same-origin` keeps our own forms recognisable.
        assert_eq!(page.header("referrer-policy"), Some("same-origin"), "{path}");
        assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(page.body.matches("<h1>").count(), 1, "{path}: one h1");
        assert!(page.body.contains("<main id=\"main\""), "{path}: a main landmark");
        assert!(page.body.contains("<title>"), "{path}");
    }
}

#[actix_web::test]
async fn the_stylesheet_is_served_under_its_content_hash_with_a_long_cache() {
    let app = web_app().await;
    let page = app.get(&Browser::default(), "/login").await;
    let path = taskforge_web::assets::APP_CSS_PATH.as_str();
    assert!(page.body.contains(&format!("href=\"{path}\"")));
    let hash = taskforge_web::assets::content_hash(taskforge_web::assets::APP_CSS.as_bytes());
    assert_eq!(path, format!("/static/app.{hash}.css"));
    let css = app.get(&Browser::default(), path).await;
    css.expect(200);
    assert_eq!(css.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    // Usable at 375 px: the page scales to the device and nothing forces a wider layout.
    assert!(page.body.contains("width=device-width"));
    app.get(&Browser::default(), "/static/app.0000000000000000.css").await.expect(404);
    // htmx, vendored and pinned, likewise.
    let htmx = taskforge_web::assets::HTMX_JS_PATH.as_str();
    assert!(page.body.contains(&format!("<script src=\"{htmx}\" defer></script>")));
    let script = app.get(&Browser::default(), htmx).await;
    script.expect(200);
    assert_eq!(script.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(script.body.contains("htmx"));
    // The live board's script, ours, likewise (no inline script: the CSP allows 'self').
    let live = taskforge_web::assets::LIVE_BOARD_JS_PATH.as_str();
    assert!(page.body.contains(&format!("<script src=\"{live}\" defer></script>")));
    let script = app.get(&Browser::default(), live).await;
    script.expect(200);
    assert_eq!(script.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(script.body.contains("EventSource"));
}

#[actix_web::test]
async fn login_sets_an_http_only_same_site_cookie_and_every_login_gets_a_new_session() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let form = app.get(&Browser::default(), "/login").await;
    let csrf_cookie =
        form.set_cookies().into_iter().find(|c| c.starts_with("taskforge_csrf=")).unwrap();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    assert!(!csrf_cookie.contains("Secure"), "plain-HTTP deployment: no Secure flag");

    let first = app.login("alice").await;
    // Logging in again from the browser that holds the first session replaces it.
    let mut req = TestRequest::post()
        .uri("/login")
        .insert_header(("host", "localhost:8080"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header((
            "cookie",
            format!(
                "taskforge_session={}; taskforge_csrf={}",
                first.session.clone().unwrap(),
                "a".repeat(64)
            ),
        ));
    req = req.set_payload(format!(
        "csrf_token={}&username=alice&password=correct+horse+battery",
        "a".repeat(64)
    ));
    let reply = app.send(req).await;
    reply.expect_redirect("/projects");
    let set =
        reply.set_cookies().into_iter().find(|c| c.starts_with("taskforge_session=")).unwrap();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    let second = reply.cookie("taskforge_session").unwrap();
    assert_ne!(Some(second.clone()), first.session, "a new token on every login");
    // The session planted before the login is over.
    app.get(&first, "/").await.expect_redirect("/login");
    let now = Browser { session: Some(second), ..Browser::default() };
    app.get(&now, "/").await.expect_redirect("/projects");
}

#[actix_web::test]
async fn the_session_cookie_is_secure_when_the_public_url_is_https() {
    let app = web_app_with(WebSettings { secure_cookies: true, registration_open: true }).await;
    let form = app.get(&Browser::default(), "/login").await;
    assert!(form.set_cookies().iter().all(|c| c.contains("; Secure")), "{:?}", form.set_cookies());
}

/// A form and the headers sent with it.
type Case<'a> = (&'a [(&'a str, &'a str)], Vec<(&'a str, &'a str)>);

#[actix_web::test]
async fn a_login_without_the_csrf_token_or_from_another_site_is_refused_and_starts_no_session() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let token = "b".repeat(64);
    let cookie = format!("taskforge_csrf={token}");
    let fields = [("username", "alice"), ("password", PASSWORD)];
    let with_token =
        [("csrf_token", token.as_str()), ("username", "alice"), ("password", PASSWORD)];
    let cases: [Case<'_>; 5] = [
        (&fields, vec![("cookie", cookie.as_str())]),
        (&with_token, vec![]),
        (&with_token, vec![("cookie", cookie.as_str()), ("origin", "https://evil.example")]),
        (&with_token, vec![("cookie", cookie.as_str()), ("sec-fetch-site", "cross-site")]),
        (&with_token, vec![("cookie", cookie.as_str()), ("origin", "null")]),
    ];
    for (form, headers) in cases {
        let reply = app.post_raw(&Browser::default(), "/login", form, &headers).await;
        reply.expect(403);
        assert!(reply.cookie("taskforge_session").is_none());
        assert_eq!(reply.header("content-security-policy"), Some(PAGE_CSP));
        assert!(reply.body.contains("<h1>Request refused</h1>"));
    }
    // The same request, same-site, with the token, works.
    let reply = app
        .post_raw(
            &Browser::default(),
            "/login",
            &with_token,
            &[("cookie", &cookie), ("sec-fetch-site", "same-origin")],
        )
        .await;
    reply.expect_redirect("/projects");
}

#[actix_web::test]
async fn a_wrong_password_re_shows_the_form_with_the_typed_name_as_text() {
    let app = web_app().await;
    let token = "c".repeat(64);
    let cookie = format!("taskforge_csrf={token}");
    let name = "\"><script>alert(1)</script>";
    let reply = app
        .post_raw(
            &Browser::default(),
            "/login",
            &[("csrf_token", &token), ("username", name), ("password", "wrong password")],
            &[("cookie", &cookie)],
        )
        .await;
    reply.expect(401);
    assert!(reply.body.contains("Wrong username or password."));
    assert!(!reply.body.contains("<script>alert(1)</script>"));
    assert!(
        reply.body.contains("&#34;&#62;&#60;script&#62;")
            || reply.body.contains("&quot;&gt;&lt;script&gt;"),
        "{}",
        reply.body
    );
}

#[actix_web::test]
async fn logout_needs_the_csrf_token_and_then_ends_the_session() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let forged = Browser { csrf: "0".repeat(64), ..alice.clone() };
    app.post(&forged, "/logout", &[]).await.expect(403);
    app.get(&alice, "/").await.expect_redirect("/projects");
    let reply = app.post(&alice, "/logout", &[]).await;
    reply.expect_redirect("/login?logged_out=1");
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("taskforge_session=;") && c.contains("Max-Age=0"))
    );
    app.get(&alice, "/").await.expect_redirect("/login");
}

#[actix_web::test]
async fn a_password_change_or_a_role_change_ends_the_web_session() {
    let app = web_app().await;
    let admin_id = app.account("root", Role::Admin).await;
    let alice_id = app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let services = &app.state.services;
    services
        .auth
        .change_password(
            &Actor::new(alice_id, Role::Editor),
            ChangePassword {
                current_password: PASSWORD.into(),
                new_password: Password::parse("another long passphrase").unwrap(),
                client: None,
            },
        )
        .await
        .unwrap();
    app.get(&alice, "/").await.expect_redirect("/login");

    let bob_id = app.account("bob", Role::Editor).await;
    let bob = app.login("bob").await;
    services
        .users
        .set_role(&Actor::new(admin_id, Role::Admin), bob_id, Role::Viewer)
        .await
        .unwrap();
    app.get(&bob, "/").await.expect_redirect("/login");
}

#[actix_web::test]
async fn a_session_token_exchanged_at_the_refresh_endpoint_no_longer_opens_pages() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let token = taskforge_domain::ports::RefreshToken::new(alice.session.clone().unwrap());
    // A stolen cookie traded for API tokens: the exchange marks it used, which ends the page
    // session — the theft shows.
    app.state.services.auth.refresh(&token).await.unwrap();
    app.get(&alice, "/").await.expect_redirect("/login");
    app.get(&alice, "/projects").await.expect_redirect("/login");
}

#[actix_web::test]
async fn registering_shows_field_errors_then_creates_the_account() {
    let app = web_app().await;
    let form = app.get(&Browser::default(), "/register").await;
    form.expect(200);
    let token = form.csrf_field().unwrap();
    let cookie = format!("taskforge_csrf={token}");
    let bad = app
        .post_raw(
            &Browser::default(),
            "/register",
            &[
                ("csrf_token", &token),
                ("username", "A B"),
                ("password", "short"),
                ("email", "nope"),
            ],
            &[("cookie", &cookie)],
        )
        .await;
    bad.expect(422);
    for id in ["username-error", "password-error", "email-error"] {
        assert!(bad.body.contains(&format!("id=\"{id}\"")), "{id} in {}", bad.body);
    }
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let good = app
        .post_raw(
            &Browser::default(),
            "/register",
            &[("csrf_token", &token), ("username", "carol"), ("password", PASSWORD), ("email", "")],
            &[("cookie", &cookie)],
        )
        .await;
    good.expect_redirect("/login?registered=1");
    app.login("carol").await;
    let taken = app
        .post_raw(
            &Browser::default(),
            "/register",
            &[("csrf_token", &token), ("username", "carol"), ("password", PASSWORD)],
            &[("cookie", &cookie)],
        )
        .await;
    taken.expect(422);
    assert!(taken.body.contains("This username is taken."));
}

#[actix_web::test]
async fn registration_pages_are_absent_when_registration_is_closed() {
    let app = web_app_with(WebSettings { secure_cookies: false, registration_open: false }).await;
    let page = app.get(&Browser::default(), "/register").await;
    page.expect(404);
    assert!(page.body.contains("<h1>Page not found</h1>"));
    assert_eq!(page.header("content-security-policy"), Some(PAGE_CSP));
    assert!(!app.get(&Browser::default(), "/login").await.body.contains("/register"));
}

#[actix_web::test]
async fn an_unrouted_method_on_a_page_is_405_with_allow() {
    let app = web_app().await;
    let reply = app.send(TestRequest::delete().uri("/login")).await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, POST"));
}

/// Believes a test header, as the app crate's resolver believes a trusted proxy's
/// `X-Forwarded-For`: every request below comes from the same (unknown) peer.
#[derive(Debug)]
struct FromTestHeader;

impl ClientAddresses for FromTestHeader {
    fn client_address(&self, _peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        headers.get("x-test-client")?.to_str().ok()?.parse().ok()
    }
}

#[actix_web::test]
async fn logins_are_throttled_per_client_as_the_injected_resolver_names_it() {
    // Arrange
    let app = web_app_resolving(Arc::new(FromTestHeader)).await;
    app.account("alice", Role::Editor).await;
    let token = "d".repeat(64);
    let cookie = format!("taskforge_csrf={token}");
    let login_from = |client: &'static str, password: &'static str| {
        let (app, token, cookie) = (&app, token.clone(), cookie.clone());
        async move {
            let fields =
                [("csrf_token", token.as_str()), ("username", "alice"), ("password", password)];
            let headers = [("cookie", cookie.as_str()), ("x-test-client", client)];
            app.post_raw(&Browser::default(), "/login", &fields, &headers).await
        }
    };
    // Act: client A guesses until it is throttled.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(login_from("198.51.100.1", "wrong password").await.status.as_u16());
    }
    // Assert: A is refused, even with the right password; B, another client, is not.
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    login_from("198.51.100.1", PASSWORD).await.expect(429);
    login_from("198.51.100.2", "wrong password").await.expect(401);
    login_from("198.51.100.2", PASSWORD).await.expect_redirect("/projects");
}

#[actix_web::test]
async fn registrations_draw_on_the_budget_of_the_client_the_resolver_names() {
    // Arrange: client A uses up the registration budget of one address (20).
    let app = web_app_resolving(Arc::new(FromTestHeader)).await;
    let token = "e".repeat(64);
    let cookie = format!("taskforge_csrf={token}");
    let register_from = |client: &'static str, name: String| {
        let (app, token, cookie) = (&app, token.clone(), cookie.clone());
        async move {
            let fields = [
                ("csrf_token", token.as_str()),
                ("username", name.as_str()),
                ("password", PASSWORD),
            ];
            let headers = [("cookie", cookie.as_str()), ("x-test-client", client)];
            app.post_raw(&Browser::default(), "/register", &fields, &headers).await
        }
    };
    let mut statuses = Vec::new();
    for i in 0..22 {
        statuses.push(register_from("198.51.100.1", format!("a-person-{i}")).await.status.as_u16());
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // Act / Assert: client B still registers.
    register_from("198.51.100.2", String::from("b-person"))
        .await
        .expect_redirect("/login?registered=1");
}
