//! Support for the authentication tests: one helper per authentication endpoint, speaking
//! with real tokens (see `support::spawn_with_auth`).

use std::net::SocketAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Reply, TestApp};

/// A password no list holds.
pub const PASSWORD: &str = "correct horse battery staple";

/// The tokens of a login or refresh.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Tokens {
    #[track_caller]
    pub fn from_reply(reply: &Reply) -> Self {
        let body = reply.expect(200);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_u64().unwrap() > 0);
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{body}");
        Self {
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

pub fn peer(address: &str) -> SocketAddr {
    SocketAddr::new(address.parse().unwrap(), 40_000)
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub async fn register(&self, username: &str, password: &str) -> Reply {
        let body = json!({"username": username, "password": password});
        self.post("/api/v1/auth/register", None, body).await
    }

    /// Registers `username` with [`PASSWORD`] and logs in.
    pub async fn signed_up(&self, username: &str) -> Tokens {
        self.register(username, PASSWORD).await.expect(201);
        Tokens::from_reply(&self.login(username, PASSWORD).await)
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.login_from(username, password, None, None).await
    }

    /// A login from the TCP peer `from`, optionally with an `X-Forwarded-For` header.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        from: Option<&str>,
        forwarded_for: Option<&str>,
    ) -> Reply {
        let mut req = TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": username, "password": password}));
        if let Some(from) = from {
            req = req.peer_addr(peer(from));
        }
        if let Some(forwarded) = forwarded_for {
            req = req.insert_header(("X-Forwarded-For", forwarded));
        }
        self.send(req).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh_token})).await
    }

    pub async fn me(&self, access_token: &str) -> Reply {
        self.send(with_token(TestRequest::get().uri("/api/v1/users/me"), access_token)).await
    }

    pub async fn logout(&self, access_token: &str, refresh_token: &str) -> Reply {
        let req = TestRequest::post()
            .uri("/api/v1/auth/logout")
            .set_json(json!({"refresh_token": refresh_token}));
        self.send(with_token(req, access_token)).await
    }

    pub async fn change_password(&self, access_token: &str, current: &str, new: &str) -> Reply {
        let req = TestRequest::put()
            .uri("/api/v1/users/me/password")
            .set_json(json!({"current_password": current, "new_password": new}));
        self.send(with_token(req, access_token)).await
    }
}

pub fn with_token(req: TestRequest, access_token: &str) -> TestRequest {
    req.insert_header(("Authorization", format!("Bearer {access_token}")))
}

/// The `Retry-After` of a 429, in seconds.
#[track_caller]
pub fn retry_after(reply: &Reply) -> u64 {
    let problem: Value = reply.expect(429);
    assert_eq!(problem["type"], "urn:taskforge:problem:too-many-requests");
    reply.header("retry-after").expect("429 without Retry-After").parse().unwrap()
}
