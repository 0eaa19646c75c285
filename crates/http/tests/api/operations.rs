use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::{HttpResponse, web};
use async_trait::async_trait;
use serde_json::Value;
use taskforge_domain::ports::{RepositoryError, UserRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Role, Username};
use taskforge_domain::{SystemClock, User, UserId};
use taskforge_http::{AppState, HttpSettings, NotReady, ReadinessCheck, build_app, build_app_with};
use taskforge_memory::MemoryDatabase;

use crate::support::{
    FakeTokens, Reply, assert_common_headers, seed_people, services, spawn, state,
};

/// Every route of this crate (`docs/api.md`), plus `GET /api/v1/categories/{id}`.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("put", "/api/v1/users/me/password"),
    ("get", "/api/v1/users/me"),
    ("get", "/api/v1/users"),
    ("patch", "/api/v1/users/{id}"),
    ("delete", "/api/v1/users/{id}"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects"),
    ("get", "/api/v1/projects/{id}"),
    ("patch", "/api/v1/projects/{id}"),
    ("delete", "/api/v1/projects/{id}"),
    ("get", "/api/v1/projects/{id}/members"),
    ("put", "/api/v1/projects/{id}/members/{user_id}"),
    ("put", "/api/v1/projects/{id}/members/by-username/{username}"),
    ("delete", "/api/v1/projects/{id}/members/{user_id}"),
    ("get", "/api/v1/categories"),
    ("post", "/api/v1/categories"),
    ("get", "/api/v1/categories/{id}"),
    ("patch", "/api/v1/categories/{id}"),
    ("delete", "/api/v1/categories/{id}"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{id}"),
    ("patch", "/api/v1/tasks/{id}"),
    ("delete", "/api/v1/tasks/{id}"),
    ("post", "/api/v1/tasks/{id}/move"),
    ("get", "/api/v1/tasks/{id}/history"),
    ("post", "/api/v1/tasks/{id}/history/{entry_id}/revert"),
    ("get", "/api/v1/projects/{id}/activity"),
    ("get", "/api/v1/tasks/export"),
    ("get", "/api/v1/reports/summary"),
    ("get", "/api/v1/reports/top"),
    ("get", "/api/v1/tasks/{id}/history"),
    ("get", "/api/v1/projects/{id}/activity"),
    ("post", "/api/v1/tasks/{id}/history/{entry_id}/revert"),
    ("get", "/api/v1/trash"),
    ("post", "/api/v1/tasks/{id}/restore"),
    ("delete", "/api/v1/trash/{id}"),
    ("get", "/api/v1/events"),
];

async fn openapi() -> Value {
    let app = spawn().await;
    let reply = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.expect(200)
}

#[actix_web::test]
async fn the_openapi_document_is_3_1_and_lists_exactly_the_routes_served() {
    let doc = openapi().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.insert((method.clone(), path.clone()));
            let id = operation["operationId"].as_str().unwrap();
            assert!(operation_ids.insert(id.to_owned()), "operationId {id} is not unique");
        }
    }
    let expected: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(documented, expected);
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for schema in [
        "CreateTaskBody",
        "UpdateTaskBody",
        "MoveTaskBody",
        "TaskResponse",
        "TaskPage",
        "CreateProjectBody",
        "UpdateProjectBody",
        "ProjectPage",
        "MemberList",
        "CategoryBody",
        "CategoryPage",
        "SetRoleBody",
        "UserResponse",
        "UserPage",
        "FieldError",
        "RegisterBody",
        "LoginBody",
        "RefreshBody",
        "ChangePasswordBody",
        "TokenResponse",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
    let patch = &doc["paths"]["/api/v1/tasks/{id}"]["patch"]["responses"];
    for status in ["200", "400", "401", "403", "404", "409", "412", "413", "415", "422"] {
        assert!(patch[status].is_object(), "PATCH task lacks {status}");
    }
    assert!(patch["404"]["content"]["application/problem+json"].is_object());
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
    for status in ["200", "400", "401", "413", "415", "429", "500", "503"] {
        assert!(login[status].is_object(), "login lacks {status}");
    }
    assert!(login["429"]["headers"]["Retry-After"].is_object());
    assert!(login["422"].is_null(), "a login is compared, never validated");
    let register = &doc["paths"]["/api/v1/auth/register"]["post"]["responses"];
    for status in ["201", "400", "403", "409", "413", "415", "422"] {
        assert!(register[status].is_object(), "register lacks {status}");
    }
    let password = &doc["paths"]["/api/v1/users/me/password"]["put"];
    assert!(password["security"].is_array());
    for status in ["204", "401", "403", "422", "429"] {
        assert!(password["responses"][status].is_object(), "password change lacks {status}");
    }
    let token = &doc["components"]["schemas"]["TokenResponse"]["properties"];
    for field in ["access_token", "token_type", "expires_in", "refresh_token"] {
        assert!(token[field].is_object(), "TokenResponse lacks {field}");
    }
}

#[actix_web::test]
async fn each_documented_path_answers_405_with_allow_naming_exactly_its_documented_methods() {
    let doc = openapi().await;
    let app = spawn().await;
    let mut by_path: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (method, path) in ROUTES {
        by_path.entry((*path).to_owned()).or_default().insert(method.to_uppercase());
    }
    for (path, methods) in &by_path {
        let documented: BTreeSet<String> =
            doc["paths"][path].as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        assert_eq!(&documented, methods);
        let concrete =
            path.replace("{id}", &uuid::Uuid::now_v7().to_string()).replace("{user_id}", "x");
        let req = TestRequest::default()
            .method(actix_web::http::Method::from_bytes(b"TRACE").unwrap())
            .uri(&concrete);
        let reply = app.send(req).await;
        reply.expect(405);
        let allow: BTreeSet<String> =
            reply.header("allow").unwrap().split(", ").map(str::to_owned).collect();
        assert_eq!(&allow, methods, "{path}");
    }
}

#[actix_web::test]
async fn health_and_readiness_answer_without_a_token() {
    let app = spawn().await;
    assert_eq!(app.get("/health", None).await.expect(200)["status"], "ok");
    assert_eq!(app.get("/ready", None).await.expect(200)["status"], "ready");
}

#[derive(Debug)]
struct NeverReady;

#[async_trait]
impl ReadinessCheck for NeverReady {
    async fn check(&self) -> Result<(), NotReady> {
        Err(NotReady(String::from("migrations pending")))
    }
}

#[actix_web::test]
async fn readiness_is_503_while_the_store_is_not_ready() {
    let repos = MemoryDatabase::new().repositories();
    let state = state(&repos).with_readiness(Arc::new(NeverReady));
    let service = test::init_service(build_app(state, HttpSettings::default())).await;
    let response =
        test::call_service(&service, TestRequest::get().uri("/ready").to_request()).await;
    assert_eq!(response.status(), 503);
    let health = test::call_service(&service, TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(health.status(), 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status_with_a_latency_histogram() {
    let app = spawn().await;
    app.get("/api/v1/users/me", Some(app.people.admin)).await.expect(200);
    app.get(&format!("/api/v1/tasks/{}", uuid::Uuid::now_v7()), Some(app.people.admin))
        .await
        .expect(404);
    app.get("/nowhere", None).await.expect(404);
    let reply = app.get("/metrics", None).await;
    reply.expect(200);
    assert!(reply.header("content-type").unwrap().starts_with("text/plain"));
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    assert!(text.contains(r#"route="/api/v1/users/me""#), "{text}");
    assert!(text.contains(r#"route="/api/v1/tasks/{id}""#), "{text}");
    assert!(text.contains(r#"status="4xx""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
}

/// The `http_*` series of a `/metrics` text: one per distinct label set.
fn http_series(text: &str) -> std::collections::BTreeSet<&str> {
    text.lines()
        .filter(|l| l.starts_with("http_"))
        .filter_map(|l| l.rsplit_once(' ').map(|(series, _)| series))
        .collect()
}

#[actix_web::test]
async fn odd_methods_and_paths_cannot_grow_the_metrics() {
    let app = spawn().await;
    let odd_method = |i: usize| {
        Method::from_bytes(format!("FOO{i}{}", "A".repeat(i % 7 * 300)).as_bytes()).unwrap()
    };
    let odd_path = |i: usize| format!("/odd/{i}/{}", "p".repeat(i % 5 * 200));
    let round = |range: std::ops::Range<usize>| {
        let app = &app;
        async move {
            for i in range {
                app.send(TestRequest::default().method(odd_method(i)).uri(&odd_path(i))).await;
                app.send(TestRequest::default().method(odd_method(i)).uri("/health")).await;
                app.get(&odd_path(i), None).await;
            }
            let text = app.get("/metrics", None).await.body;
            String::from_utf8_lossy(&text).into_owned()
        }
    };
    // A first round reaches every label set such requests (and the scrape itself) can reach.
    round(0..5).await;
    let first = round(5..10).await;
    let last = round(10..400).await;
    assert_eq!(http_series(&first), http_series(&last), "390 more methods and paths:\n{last}");
    assert!(last.len() < 64 * 1024, "{} bytes", last.len());
    assert!(!last.contains("FOO") && !last.contains("/odd/"), "{last}");
    assert!(last.contains(r#"method="OTHER""#), "{last}");
}

#[actix_web::test]
async fn unknown_paths_are_404_problems() {
    let app = spawn().await;
    let problem = app.get("/api/v2/whatever", None).await.expect(404);
    assert_eq!(problem["type"], "urn:taskforge:problem:not-found");
    assert_eq!(problem["title"], "Not found");
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed_and_a_missing_one_generated() {
    let app = spawn().await;
    let reply = app
        .send(TestRequest::get().uri("/health").insert_header(("X-Request-Id", "abc-123")))
        .await;
    assert_eq!(reply.header("x-request-id"), Some("abc-123"));
    let reply = app
        .send(TestRequest::get().uri("/health").insert_header(("X-Request-Id", "bad id!")))
        .await;
    assert!(uuid::Uuid::parse_str(reply.header("x-request-id").unwrap()).is_ok());
    let a = app.get("/health", None).await;
    let b = app.get("/health", None).await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

async fn read(
    service: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
    req: TestRequest,
) -> Reply {
    // A panic surfaces as an error of the service; the server renders it exactly like this.
    let (status, headers, body) = match test::try_call_service(service, req.to_request()).await {
        Ok(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            (status, headers, test::read_body(response).await)
        }
        Err(error) => {
            let response = error.error_response();
            let (status, headers) = (response.status(), response.headers().clone());
            let body = actix_web::body::to_bytes(response.into_body()).await.unwrap();
            (status, headers, body)
        }
    };
    let reply = Reply { status, headers, body };
    assert_common_headers(&reply);
    reply
}

#[actix_web::test]
async fn a_panicking_handler_is_an_opaque_500_with_the_request_id() {
    let repos = MemoryDatabase::new().repositories();
    let app = build_app_with(state(&repos), HttpSettings::default(), |cfg| {
        cfg.route(
            "/boom",
            web::get().to(|| async {
                if std::hint::black_box(true) {
                    panic!("secret detail");
                }
                HttpResponse::Ok().finish()
            }),
        );
    });
    let service = test::init_service(app).await;
    let reply =
        read(&service, TestRequest::get().uri("/boom").insert_header(("X-Request-Id", "req-42")))
            .await;
    let problem = reply.expect(500);
    assert_eq!(problem["request_id"], "req-42");
    assert!(problem["detail"].as_str().unwrap().contains("req-42"));
    assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    // The worker survives.
    read(&service, TestRequest::get().uri("/health")).await.expect(200);
}

/// A user store that fails every call: as an outage (503) or as a bug (500).
#[derive(Debug)]
struct BrokenUsers {
    outage: bool,
}

impl BrokenUsers {
    fn fail(&self) -> RepositoryError {
        let cause = std::io::Error::other("disk is on fire");
        if self.outage {
            RepositoryError::unavailable(cause)
        } else {
            RepositoryError::other(cause)
        }
    }
}

#[async_trait]
impl UserRepository for BrokenUsers {
    async fn insert(&self, _: &User) -> Result<(), RepositoryError> {
        Err(self.fail())
    }
    async fn get(&self, _: UserId) -> Result<Option<User>, RepositoryError> {
        Err(self.fail())
    }
    async fn find_by_username(&self, _: &Username) -> Result<Option<User>, RepositoryError> {
        Err(self.fail())
    }
    async fn usernames(
        &self,
        _: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, Username>, RepositoryError> {
        Err(self.fail())
    }
    async fn list(&self, _: Option<&Username>, _: usize) -> Result<Vec<User>, RepositoryError> {
        Err(self.fail())
    }
    async fn count_with_role(&self, _: Role) -> Result<u64, RepositoryError> {
        Err(self.fail())
    }
    async fn update(&self, _: &User) -> Result<(), RepositoryError> {
        Err(self.fail())
    }
    async fn delete(&self, _: UserId, _: Timestamp) -> Result<(), RepositoryError> {
        Err(self.fail())
    }
    async fn update_keeping_another_admin(&self, _: &User) -> Result<(), RepositoryError> {
        Err(self.fail())
    }
    async fn delete_keeping_another_admin(
        &self,
        _: UserId,
        _: Timestamp,
    ) -> Result<(), RepositoryError> {
        Err(self.fail())
    }
}

#[actix_web::test]
async fn a_store_outage_is_503_and_a_store_bug_an_opaque_500() {
    for (outage, status) in [(true, 503), (false, 500)] {
        let mut repos = MemoryDatabase::new().repositories();
        let people = seed_people(&repos).await;
        repos.users = Arc::new(BrokenUsers { outage });
        let clock: Arc<dyn taskforge_domain::Clock> = Arc::new(SystemClock);
        let state = AppState::new(services(&repos, clock.clone()), Arc::new(FakeTokens), clock);
        let service = test::init_service(build_app(state, HttpSettings::default())).await;
        let req = crate::support::with_auth(
            TestRequest::get().uri("/api/v1/users/me"),
            Some(people.admin),
        );
        let reply = read(&service, req).await;
        reply.expect(status);
        assert!(!String::from_utf8_lossy(&reply.body).contains("fire"));
    }
}

#[actix_web::test]
async fn cors_allows_only_the_configured_origins() {
    let repos = MemoryDatabase::new().repositories();
    let settings = HttpSettings::new(vec![String::from("https://app.example.org")]).unwrap();
    let service = test::init_service(build_app(state(&repos), settings)).await;
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/v1/tasks")
            .insert_header(("Origin", origin.to_owned()))
            .insert_header(("Access-Control-Request-Method", "POST"))
    };
    let ok = read(&service, preflight("https://app.example.org")).await;
    assert!(ok.status.is_success(), "{:?}", ok.status);
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://app.example.org"));
    let other = read(&service, preflight("https://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    // A refusal is a problem document like every other error.
    assert_eq!(other.status, 403);
    assert_eq!(other.header("content-type"), Some("application/problem+json"));
    let problem: Value = serde_json::from_slice(&other.body).unwrap();
    assert_eq!(
        (problem["status"].as_u64(), problem["title"].as_str()),
        (Some(403), Some("Forbidden"))
    );
    assert!(problem["detail"].as_str().unwrap().contains("origin"), "{problem}");
    let method = preflight("https://app.example.org")
        .insert_header(("Access-Control-Request-Method", "TRACE"));
    let method = read(&service, method).await;
    assert_eq!(method.header("content-type"), Some("application/problem+json"));
    let simple =
        TestRequest::get().uri("/health").insert_header(("Origin", "https://app.example.org"));
    let reply = read(&service, simple).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("https://app.example.org"));
}

#[actix_web::test]
async fn without_an_allow_list_there_are_no_cors_headers_and_options_is_405() {
    let app = spawn().await;
    let req = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/v1/tasks")
        .insert_header(("Origin", "https://app.example.org"))
        .insert_header(("Access-Control-Request-Method", "POST"));
    let reply = app.send(req).await;
    reply.expect(405);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let req =
        TestRequest::get().uri("/health").insert_header(("Origin", "https://app.example.org"));
    let reply = app.send(req).await;
    reply.expect(200);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

/// Every keyset-paged listing takes the API's one page size (`PageLimit`: 1–200); the
/// document must say exactly that, or clients and the fuzzer would send what is refused or be
/// refused what is accepted (the history routes once documented 1–100 while accepting 200).
#[actix_web::test]
async fn every_paged_listing_documents_the_page_size_the_server_accepts() {
    let doc = openapi().await;
    let max = u64::from(taskforge_domain::values::PageLimit::MAX);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let paged = get["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "cursor" && p["in"] == "query"));
        if !paged {
            continue;
        }
        let limit = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap_or_else(|| panic!("{path} pages with a cursor but documents no limit"));
        assert_eq!(limit["schema"]["minimum"].as_u64(), Some(1), "{path}");
        assert_eq!(limit["schema"]["maximum"].as_u64(), Some(max), "{path}");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} paged listings found");
}
