//! Test support: the web interface over the memory adapters, a few accounts, and a browser
//! stand-in that keeps cookies and the CSRF token.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use taskforge_crypto::{
    AeadCursorSealer, HmacKey, JwtConfig, JwtIssuer, Pbkdf2Config, Pbkdf2Hasher,
    RandomRefreshTokens,
};
use taskforge_domain::commands::Register;
use taskforge_domain::events::NoEvents;
use taskforge_domain::ports::{Repositories, TokenIssuer};
use taskforge_domain::services::{ServicePorts, ServiceSettings, Services};
use taskforge_domain::values::{Password, Role, Username};
use taskforge_domain::{Clock, SystemClock, UserId};
use taskforge_memory::MemoryDatabase;
use taskforge_web::session::{SESSION_COOKIE, session_csrf_token};
use taskforge_web::{WebSettings, WebState};

pub const PASSWORD: &str = "correct horse battery";

pub fn state(repos: &Repositories, settings: WebSettings) -> WebState {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let key = HmacKey::new("test", b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
    let tokens: Arc<dyn TokenIssuer> = Arc::new(
        JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), clock.clone()).unwrap(),
    );
    let ports = ServicePorts {
        repositories: repos.clone(),
        hasher: Arc::new(Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(1_000)).unwrap()),
        tokens,
        minter: Arc::new(RandomRefreshTokens::new()),
        cursor_sealer: Arc::new(AeadCursorSealer::from_secrets(
            b"cursor test secret, 32 bytes or more",
            None,
        )),
        clock,
        events: Arc::new(NoEvents),
    };
    WebState::new(Services::new(ports, ServiceSettings::default()), settings)
}

/// A response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The value a `Set-Cookie` of this reply gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    /// The value of the first hidden `csrf_token` field of the page.
    pub fn csrf_field(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf_token\" value=\"")?;
        let rest = &self.body[at + "name=\"csrf_token\" value=\"".len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn expect_redirect(&self, location: &str) -> &Self {
        assert_eq!(self.status.as_u16(), 303, "not a redirect; body: {}", self.body);
        assert_eq!(self.header("location"), Some(location));
        self
    }
}

pub struct Web<S> {
    pub service: S,
    pub repos: Repositories,
    pub state: WebState,
}

pub async fn web_app_with(
    settings: WebSettings,
) -> Web<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let state = state(&repos, settings);
    let service = test::init_service(
        App::new().app_data(web::Data::new(state.clone())).configure(taskforge_web::configure),
    )
    .await;
    Web { service, repos, state }
}

pub async fn web_app_exporting(
    exports: std::sync::Arc<dyn taskforge_web::export::ExportFormats>,
) -> Web<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let settings = WebSettings { secure_cookies: false, registration_open: true };
    let state = state(&repos, settings).with_exports(exports);
    let service = test::init_service(
        App::new().app_data(web::Data::new(state.clone())).configure(taskforge_web::configure),
    )
    .await;
    Web { service, repos, state }
}

pub async fn web_app_resolving(
    addresses: std::sync::Arc<dyn taskforge_web::ClientAddresses>,
) -> Web<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let settings = WebSettings { secure_cookies: false, registration_open: true };
    let state = state(&repos, settings).with_client_addresses(addresses);
    let service = test::init_service(
        App::new().app_data(web::Data::new(state.clone())).configure(taskforge_web::configure),
    )
    .await;
    Web { service, repos, state }
}

pub async fn web_app() -> Web<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    web_app_with(WebSettings { secure_cookies: false, registration_open: true }).await
}

/// A browser: its cookies (the session one is enough here) and the session's CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub session: Option<String>,
    pub csrf: String,
    pub user_id: Option<UserId>,
}

impl Browser {
    pub fn cookie_header(&self) -> Option<String> {
        self.session.as_ref().map(|s| format!("{SESSION_COOKIE}={s}"))
    }
}

impl<S, B> Web<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub async fn send(&self, req: TestRequest) -> Reply {
        let res = test::call_service(&self.service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    pub async fn get(&self, browser: &Browser, path: &str) -> Reply {
        let mut req = TestRequest::get().uri(path);
        if let Some(c) = browser.cookie_header() {
            req = req.insert_header(("cookie", c));
        }
        self.send(req).await
    }

    /// A same-origin form post with the browser's cookie and CSRF token.
    pub async fn post(&self, browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", browser.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(browser, path, &all, &[("origin", "http://localhost:8080")]).await
    }

    /// A form post with exactly these fields and extra headers.
    pub async fn post_raw(
        &self,
        browser: &Browser,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = TestRequest::post()
            .uri(path)
            .insert_header(("host", "localhost:8080"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(serde_urlencoded::to_string(fields).unwrap());
        if let Some(c) = browser.cookie_header() {
            req = req.insert_header(("cookie", c));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        self.send(req).await
    }

    /// Creates an account with `role` (as the operator would).
    pub async fn account(&self, name: &str, role: Role) -> UserId {
        let cmd = Register {
            username: Username::parse(name).unwrap(),
            password: Password::parse(PASSWORD).unwrap(),
            email: None,
        };
        self.state.services.auth.create_account(cmd, role).await.unwrap().id
    }

    /// Logs `name` in through the login form, as a browser would.
    pub async fn login(&self, name: &str) -> Browser {
        let form = self.get(&Browser::default(), "/login").await;
        form.expect(200);
        let anonymous = form.cookie("taskforge_csrf").expect("the login page sets a CSRF cookie");
        assert_eq!(form.csrf_field().as_deref(), Some(anonymous.as_str()));
        let mut req = TestRequest::post()
            .uri("/login")
            .insert_header(("host", "localhost:8080"))
            .insert_header(("origin", "http://localhost:8080"))
            .insert_header(("sec-fetch-site", "same-origin"))
            .insert_header(("cookie", format!("taskforge_csrf={anonymous}")))
            .insert_header(("content-type", "application/x-www-form-urlencoded"));
        req = req.set_payload(
            serde_urlencoded::to_string([
                ("csrf_token", anonymous.as_str()),
                ("username", name),
                ("password", PASSWORD),
            ])
            .unwrap(),
        );
        let reply = self.send(req).await;
        reply.expect_redirect("/projects");
        let session = reply.cookie(SESSION_COOKIE).expect("login sets the session cookie");
        let user_id = self
            .state
            .services
            .auth
            .session_actor(&taskforge_domain::ports::RefreshToken::new(session.clone()))
            .await
            .unwrap()
            .map(|a| a.user_id);
        Browser { csrf: session_csrf_token(&session), session: Some(session), user_id }
    }
}
