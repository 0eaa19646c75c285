//! Test support: the app over the memory adapters, a fake token issuer (or, for the
//! authentication tests, the real crypto adapters), a seeded world of users, and one helper
//! per HTTP verb.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::web::Bytes;
use serde_json::Value;
use taskforge_crypto::{
    AeadCursorSealer, HmacKey, JwtConfig, JwtIssuer, Pbkdf2Config, Pbkdf2Hasher,
    RandomRefreshTokens,
};
use taskforge_domain::events::NoEvents;
use taskforge_domain::ports::{AccessToken, Claims, Repositories, TokenError, TokenIssuer};
use taskforge_domain::services::{
    AuthPorts, AuthService, AuthSettings, ServicePorts, ServiceSettings, Services,
};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{EmailAddress, PasswordHash, Role, Username};
use taskforge_domain::{Clock, SystemClock, User, UserId};
use taskforge_http::{AppState, HttpSettings, build_app};
use taskforge_memory::MemoryDatabase;

/// Tokens are `user:<uuid>`; anything else is refused. The role claim is deliberately wrong
/// (always viewer) to prove the extractor uses the stored role.
#[derive(Debug)]
pub struct FakeTokens;

impl TokenIssuer for FakeTokens {
    fn issue(&self, claims: &Claims) -> Result<AccessToken, TokenError> {
        Ok(AccessToken::new(format!("user:{}", claims.subject)))
    }

    fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let id: UserId = token
            .strip_prefix("user:")
            .ok_or(TokenError::BadSignature)?
            .parse()
            .map_err(|_| TokenError::Malformed)?;
        let now = SystemClock.now();
        Ok(Claims {
            subject: id,
            role: Role::Viewer,
            issued_at: now,
            expires_at: now.plus_micros(900_000_000),
            token_id: uuid::Uuid::now_v7(),
        })
    }
}

/// The people of every test: an admin, two editors (one in the project, one not), a viewer in
/// the project, and a viewer outside it.
#[derive(Debug, Clone, Copy)]
pub struct People {
    pub admin: UserId,
    pub editor: UserId,
    pub outsider: UserId,
    pub viewer: UserId,
    pub stranger: UserId,
}

pub fn user(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        username: Username::parse(name).unwrap(),
        email: Some(EmailAddress::parse(&format!("{name}@example.org")).unwrap()),
        password_hash: PasswordHash::parse("$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA").unwrap(),
        role,
        created_at: Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap(),
    }
}

pub fn bearer(id: UserId) -> (&'static str, String) {
    ("Authorization", format!("Bearer user:{id}"))
}

/// A response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and, for errors, the problem+json shape; returns the body as JSON
    /// (or `Null` when empty).
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if status >= 400 {
            assert_problem(self);
        }
        let is_json = self.header("content-type").is_some_and(|c| c.contains("json"));
        if is_json { self.json() } else { Value::Null }
    }
}

/// Every error is RFC 9457 problem+json with the four members, and every response carries
/// the request id and the security headers.
#[track_caller]
pub fn assert_problem(reply: &Reply) {
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    let p = reply.json();
    assert!(p["type"].as_str().unwrap().starts_with("urn:taskforge:problem:"), "{p}");
    assert!(p["title"].is_string(), "{p}");
    assert_eq!(p["status"].as_u64(), Some(u64::from(reply.status.as_u16())), "{p}");
    assert!(p["detail"].is_string(), "{p}");
    if reply.status == StatusCode::UNAUTHORIZED {
        assert!(reply.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
}

#[track_caller]
pub fn assert_common_headers(reply: &Reply) {
    assert!(reply.header("x-request-id").is_some_and(|v| !v.is_empty()), "no request id");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    assert!(reply.header("content-security-policy").unwrap().contains("default-src 'none'"));
}

pub struct TestApp<S> {
    pub service: S,
    pub repos: Repositories,
    pub people: People,
}

pub fn services(repos: &Repositories, clock: Arc<dyn Clock>) -> Services {
    let auth = auth_service(repos, clock.clone(), Arc::new(FakeTokens), AuthSettings::default());
    services_with(repos, clock, auth)
}

/// The authentication use cases over the real PBKDF2 hasher (at the lowest cost it accepts),
/// the real refresh-token minter and `tokens`.
pub fn auth_service(
    repos: &Repositories,
    clock: Arc<dyn Clock>,
    tokens: Arc<dyn TokenIssuer>,
    settings: AuthSettings,
) -> AuthService {
    let hasher = Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(1_000)).unwrap();
    let ports = AuthPorts {
        users: repos.users.clone(),
        refresh_tokens: repos.refresh_tokens.clone(),
        hasher: Arc::new(hasher),
        tokens,
        minter: Arc::new(RandomRefreshTokens::new()),
        clock,
        events: Arc::new(NoEvents),
    };
    AuthService::new(ports, settings)
}

/// The real HS256 issuer, with a fixed test key.
pub fn jwt(clock: Arc<dyn Clock>) -> Arc<dyn TokenIssuer> {
    let key = HmacKey::new("test", b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
    Arc::new(JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), clock).unwrap())
}

/// Every use case over `repos`, built by the domain's facade, with `auth` in place of the
/// facade's own authentication service (tests choose its tokens and settings).
pub fn services_with(repos: &Repositories, clock: Arc<dyn Clock>, auth: AuthService) -> Services {
    let ports = ServicePorts {
        repositories: repos.clone(),
        hasher: Arc::new(Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(1_000)).unwrap()),
        tokens: Arc::new(FakeTokens),
        minter: Arc::new(RandomRefreshTokens::new()),
        cursor_sealer: Arc::new(AeadCursorSealer::from_secrets(
            b"cursor test secret, 32 bytes or more",
            None,
        )),
        clock,
        events: Arc::new(NoEvents),
    };
    Services { auth, ..Services::new(ports, ServiceSettings::default()) }
}

pub async fn seed_people(repos: &Repositories) -> People {
    let mut ids = Vec::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("editor", Role::Editor),
        ("outsider", Role::Editor),
        ("viewer", Role::Viewer),
        ("stranger", Role::Viewer),
    ] {
        let u = user(name, role);
        repos.users.insert(&u).await.unwrap();
        ids.push(u.id);
    }
    People { admin: ids[0], editor: ids[1], outsider: ids[2], viewer: ids[3], stranger: ids[4] }
}

pub fn state(repos: &Repositories) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    AppState::new(services(repos, clock.clone()), Arc::new(FakeTokens), clock)
}

pub async fn spawn() -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let people = seed_people(&repos).await;
    let service = test::init_service(build_app(state(&repos), HttpSettings::default())).await;
    TestApp { service, repos, people }
}

/// The app with the real crypto adapters: registration, login and refresh work end to end,
/// and the tokens they hand out authenticate requests.
pub async fn spawn_with_auth(
    settings: AuthSettings,
    http: HttpSettings,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let people = seed_people(&repos).await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let tokens = jwt(clock.clone());
    let auth = auth_service(&repos, clock.clone(), tokens.clone(), settings);
    let state = AppState::new(services_with(&repos, clock.clone(), auth), tokens, clock);
    let service = test::init_service(build_app(state, http)).await;
    TestApp { service, repos, people }
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub async fn send(&self, req: TestRequest) -> Reply {
        let response = test::call_service(&self.service, req.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await;
        let reply = Reply { status, headers, body };
        assert_common_headers(&reply);
        if status.is_client_error() || status.is_server_error() {
            assert_problem(&reply);
        }
        reply
    }

    pub async fn get(&self, path: &str, who: Option<UserId>) -> Reply {
        self.send(with_auth(TestRequest::get().uri(path), who)).await
    }

    pub async fn delete(&self, path: &str, who: Option<UserId>) -> Reply {
        self.send(with_auth(TestRequest::delete().uri(path), who)).await
    }

    pub async fn post(&self, path: &str, who: Option<UserId>, body: Value) -> Reply {
        self.send(with_auth(TestRequest::post().uri(path).set_json(body), who)).await
    }

    pub async fn patch(&self, path: &str, who: Option<UserId>, body: Value) -> Reply {
        self.send(with_auth(TestRequest::patch().uri(path).set_json(body), who)).await
    }

    pub async fn put(&self, path: &str, who: Option<UserId>) -> Reply {
        self.send(with_auth(TestRequest::put().uri(path), who)).await
    }

    /// A project owned by the editor with the viewer as member; returns its id.
    pub async fn project(&self) -> String {
        let p = self
            .post(
                "/api/v1/projects",
                Some(self.people.editor),
                serde_json::json!({"name": "Alpha"}),
            )
            .await;
        let id = p.expect(201)["id"].as_str().unwrap().to_owned();
        self.put(
            &format!("/api/v1/projects/{id}/members/{}", self.people.viewer),
            Some(self.people.editor),
        )
        .await
        .expect(204);
        id
    }

    /// A task in `project`, created by the editor.
    pub async fn task(&self, project: &str, extra: Value) -> Value {
        let mut body = serde_json::json!({"project_id": project, "title": "Write tests"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.post("/api/v1/tasks", Some(self.people.editor), body).await.expect(201)
    }
}

pub fn with_auth(req: TestRequest, who: Option<UserId>) -> TestRequest {
    match who {
        Some(id) => req.insert_header(bearer(id)),
        None => req,
    }
}
