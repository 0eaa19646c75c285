//! The authentication use cases end to end over real adapters: the in-memory store and the
//! crypto crate (PBKDF2 at 1,000 iterations so tests are quick; the default stays 600,000).
//! Time is a test clock that the tests move forward; nothing sleeps.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use taskforge_crypto::{
    HmacKey, JwtConfig, JwtIssuer, Pbkdf2Config, Pbkdf2Hasher, RandomRefreshTokens,
};
use taskforge_domain::commands::{ChangePassword, Login, Register};
use taskforge_domain::events::EventKind;
use taskforge_domain::ports::{
    HashError, PasswordHasher, RefreshToken, RefreshTokenRepository, TokenIssuer, UserRepository,
};
use taskforge_domain::services::{
    AuthError, AuthPorts, AuthService, AuthSettings, BucketSettings, Registration, Session,
    ThrottleSettings, UserService, check_new_password,
};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Password, PasswordError, PasswordHash, Role, Username};
use taskforge_domain::{Actor, User};
use taskforge_memory::MemoryDatabase;
use taskforge_testkit::{FixedClock, RecordingPublisher};

const FAST_ITERATIONS: u32 = 1_000;
const SECRET: &[u8] = b"test-only secret key of at least 32 bytes";
const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a different long passphrase";
const MINUTE: i64 = 60_000_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// A [`PasswordHasher`] that counts what it is asked to do.
#[derive(Debug)]
struct CountingHasher {
    inner: Pbkdf2Hasher,
    hashes: AtomicUsize,
    verifies: AtomicUsize,
}

impl CountingHasher {
    fn new(iterations: u32) -> Self {
        Self {
            inner: Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(iterations)).unwrap(),
            hashes: AtomicUsize::new(0),
            verifies: AtomicUsize::new(0),
        }
    }

    /// (hashes, verifications) since the last call.
    fn take_counts(&self) -> (usize, usize) {
        (self.hashes.swap(0, Ordering::SeqCst), self.verifies.swap(0, Ordering::SeqCst))
    }
}

#[async_trait]
impl PasswordHasher for CountingHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        self.hashes.fetch_add(1, Ordering::SeqCst);
        self.inner.hash(password).await
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HashError> {
        self.verifies.fetch_add(1, Ordering::SeqCst);
        self.inner.verify(password, hash).await
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        self.inner.needs_rehash(hash)
    }
}

/// One store, the auth and user services over it, a test clock and an event recorder.
struct World {
    db: MemoryDatabase,
    clock: Arc<FixedClock>,
    events: Arc<RecordingPublisher>,
    hasher: Arc<CountingHasher>,
    issuer: Arc<JwtIssuer>,
    auth: AuthService,
    users: UserService,
}

impl World {
    fn new() -> Self {
        Self::with_settings(AuthSettings::default())
    }

    fn with_settings(settings: AuthSettings) -> Self {
        Self::over(
            MemoryDatabase::new(),
            Arc::new(FixedClock::default_instant()),
            FAST_ITERATIONS,
            settings,
        )
    }

    /// A world over an existing store and clock (e.g. to restart with other settings).
    fn over(
        db: MemoryDatabase,
        clock: Arc<FixedClock>,
        iterations: u32,
        settings: AuthSettings,
    ) -> Self {
        let repos = db.repositories();
        let events = Arc::new(RecordingPublisher::new());
        let hasher = Arc::new(CountingHasher::new(iterations));
        let key = HmacKey::new("test", SECRET.to_vec()).unwrap();
        let issuer = Arc::new(
            JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), clock.clone())
                .unwrap(),
        );
        let auth = AuthService::new(
            AuthPorts {
                users: repos.users.clone(),
                refresh_tokens: repos.refresh_tokens.clone(),
                hasher: hasher.clone(),
                tokens: issuer.clone(),
                minter: Arc::new(RandomRefreshTokens),
                clock: clock.clone(),
                events: events.clone(),
            },
            settings,
        );
        let users = UserService::new(
            repos.users.clone(),
            repos.refresh_tokens.clone(),
            clock.clone(),
            events.clone(),
        );
        Self { db, clock, events, hasher, issuer, auth, users }
    }

    fn users_repo(&self) -> Arc<dyn UserRepository> {
        self.db.repositories().users
    }

    fn tokens_repo(&self) -> Arc<dyn RefreshTokenRepository> {
        self.db.repositories().refresh_tokens
    }

    async fn register(&self, username: &str) -> User {
        self.auth.register(register_cmd(username, PASSWORD), None).await.unwrap()
    }

    async fn admin(&self) -> Actor {
        let admin =
            self.auth.create_account(register_cmd("root", PASSWORD), Role::Admin).await.unwrap();
        Actor::new(admin.id, admin.role)
    }

    async fn login(&self, username: &str, password: &str) -> Result<Session, AuthError> {
        self.auth.login(login_cmd(username, password, None)).await
    }

    async fn login_from(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<Session, AuthError> {
        self.auth.login(login_cmd(username, password, Some(client.parse().unwrap()))).await
    }

    async fn stored(&self, username: &str) -> User {
        self.users_repo()
            .find_by_username(&Username::parse(username).unwrap())
            .await
            .unwrap()
            .unwrap()
    }

    fn event_names(&self) -> Vec<&'static str> {
        self.events.names()
    }
}

fn register_cmd(username: &str, password: &str) -> Register {
    Register {
        username: Username::parse(username).unwrap(),
        password: Password::parse(password).unwrap(),
        email: None,
    }
}

fn login_cmd(username: &str, password: &str, client: Option<IpAddr>) -> Login {
    Login { username: username.to_owned(), password: password.to_owned(), client }
}

fn actor(user: &User) -> Actor {
    Actor::new(user.id, user.role)
}

fn change(current: &str, new: &str) -> ChangePassword {
    ChangePassword {
        current_password: current.to_owned(),
        new_password: Password::parse(new).unwrap(),
        client: None,
    }
}

fn throttled(settings: ThrottleSettings) -> AuthSettings {
    AuthSettings { throttle: settings, ..AuthSettings::default() }
}

// ---- registration ----------------------------------------------------------------------

#[tokio::test]
async fn registering_creates_an_editor_with_a_pbkdf2_hash_and_publishes_user_registered() {
    let w = World::new();
    let user = w.register("Alice").await;
    assert_eq!(user.username.as_str(), "alice");
    assert_eq!(user.role, Role::Editor);
    assert!(user.password_hash.as_str().starts_with("$pbkdf2-sha256$i=1000,l=32$"));
    assert_eq!(w.stored("alice").await, user);
    assert_eq!(w.event_names(), ["user_registered"]);
}

#[tokio::test]
async fn the_default_role_and_closed_registration_are_settings() {
    let viewers = World::with_settings(AuthSettings {
        default_role: Role::Viewer,
        ..AuthSettings::default()
    });
    assert_eq!(viewers.register("alice").await.role, Role::Viewer);

    let closed = World::with_settings(AuthSettings {
        registration: Registration::Closed,
        ..AuthSettings::default()
    });
    let refused = closed.auth.register(register_cmd("alice", PASSWORD), None).await;
    assert!(matches!(refused, Err(AuthError::RegistrationClosed)));
    // The operator still creates accounts, with any role.
    let admin =
        closed.auth.create_account(register_cmd("root", PASSWORD), Role::Admin).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case() {
    let w = World::new();
    w.register("alice").await;
    let again = w.auth.register(register_cmd("ALICE", NEW_PASSWORD), None).await;
    assert!(matches!(again, Err(AuthError::UsernameTaken)));
    assert_eq!(again.unwrap_err().to_string(), "username is already taken");
}

#[tokio::test]
async fn an_address_that_used_its_registration_budget_is_throttled_before_any_hashing() {
    let w = World::with_settings(throttled(ThrottleSettings {
        registrations_per_address: BucketSettings::new(2, Duration::from_secs(180)),
        ..ThrottleSettings::default()
    }));
    let from = |ip: &str| Some(ip.parse().unwrap());
    w.auth.register(register_cmd("alice", PASSWORD), from("203.0.113.5")).await.unwrap();
    // A refused attempt (a taken name) spends budget too: probing for usernames is an attempt.
    let taken = w.auth.register(register_cmd("alice", PASSWORD), from("203.0.113.5")).await;
    assert!(matches!(taken, Err(AuthError::UsernameTaken)));
    w.hasher.take_counts();

    let refused = w.auth.register(register_cmd("bob", PASSWORD), from("203.0.113.5")).await;
    let Err(AuthError::RegistrationThrottled { retry_after }) = refused else {
        panic!("expected a throttled registration, got {refused:?}");
    };
    assert_eq!(retry_after, Duration::from_secs(180));
    assert_eq!(w.hasher.take_counts(), (0, 0), "a throttled registration hashes nothing");
    assert!(
        w.users_repo().find_by_username(&Username::parse("bob").unwrap()).await.unwrap().is_none()
    );

    // Other addresses, and the operator's own account creation, are not affected.
    w.auth.register(register_cmd("bob", PASSWORD), from("203.0.113.6")).await.unwrap();
    w.auth.create_account(register_cmd("carol", PASSWORD), Role::Editor).await.unwrap();
    // The budget comes back with time.
    w.clock.advance(180 * 1_000_000);
    w.auth.register(register_cmd("dave", PASSWORD), from("203.0.113.5")).await.unwrap();
}

#[tokio::test]
async fn registration_refuses_common_short_and_long_passwords_naming_the_rule() {
    let w = World::new();
    // A common password passes the length rule but not registration.
    let common = w.auth.register(register_cmd("alice", "baseball1"), None).await.unwrap_err();
    assert!(matches!(common, AuthError::InvalidPassword(PasswordError::TooCommon)));
    assert_eq!(common.to_string(), "password is too common");
    // Case does not disguise it.
    let shouted = w.auth.register(register_cmd("alice", "PASSWORD123"), None).await.unwrap_err();
    assert!(matches!(shouted, AuthError::InvalidPassword(PasswordError::TooCommon)));

    // Length is checked where the password is parsed, and the policy names the rule.
    assert_eq!(
        check_new_password("1234567").unwrap_err().to_string(),
        "password must be at least 8 characters"
    );
    assert_eq!(
        check_new_password(&"x".repeat(129)).unwrap_err().to_string(),
        "password must be at most 128 characters"
    );
    assert_eq!(check_new_password("iloveyou").unwrap_err().to_string(), "password is too common");

    // A 64-character passphrase is fine.
    let passphrase = "we all live in a yellow submarine, a yellow submarine, you know!";
    assert_eq!(passphrase.chars().count(), 64);
    let password = check_new_password(passphrase).unwrap();
    let user = w
        .auth
        .register(
            Register { username: Username::parse("alice").unwrap(), password, email: None },
            None,
        )
        .await
        .unwrap();
    assert!(w.login("alice", passphrase).await.is_ok(), "{user:?}");
    assert!(w.users_repo().get(user.id).await.unwrap().is_some());
}

// ---- login -----------------------------------------------------------------------------

#[tokio::test]
async fn login_returns_a_session_whose_access_token_carries_the_user_and_role() {
    let w = World::new();
    let user = w.register("alice").await;
    let session = w.login("Alice", PASSWORD).await.unwrap();
    assert_eq!((session.user_id, session.role), (user.id, Role::Editor));
    assert_eq!(session.expires_in, Duration::from_secs(15 * 60));
    let claims = w.issuer.verify(session.access_token.expose_secret()).unwrap();
    assert_eq!((claims.subject, claims.role), (user.id, Role::Editor));
    assert_eq!(claims.expires_at.unix_micros() - claims.issued_at.unix_micros(), 15 * MINUTE);
    assert_eq!(session.refresh_expires_at, w.clock_now().plus_micros(30 * DAY));
    assert_eq!(w.event_names(), ["user_registered", "login_succeeded"]);
}

impl World {
    fn clock_now(&self) -> Timestamp {
        use taskforge_domain::Clock as _;
        self.clock.now()
    }
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_error() {
    let w = World::new();
    w.register("alice").await;
    let unknown = w.login("mallory", PASSWORD).await.unwrap_err();
    let wrong = w.login("alice", "not the password").await.unwrap_err();
    assert!(matches!(unknown, AuthError::InvalidCredentials));
    assert!(matches!(wrong, AuthError::InvalidCredentials));
    assert_eq!(unknown.to_string(), wrong.to_string());
    let failures: Vec<_> = w
        .events
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::LoginFailed { username } => Some((e.actor, username)),
            _ => None,
        })
        .collect();
    assert_eq!(failures, [(None, "mallory".to_owned()), (None, "alice".to_owned())]);
    // No event carries a password.
    assert!(!format!("{:?}", w.events.events()).contains("not the password"));
}

#[tokio::test]
async fn an_unknown_user_costs_exactly_one_hash_like_a_known_one() {
    let w = World::new();
    w.register("alice").await;
    w.auth.warm_up().await.unwrap();
    w.hasher.take_counts();

    for (username, password) in [
        ("alice", "wrong password"), // known user, wrong password
        ("mallory", PASSWORD),       // unknown user
        ("x", PASSWORD),             // not even a valid username
        ("alice", "short"),          // a password no account can have
        ("alice", PASSWORD),         // success
    ] {
        let _ = w.login(username, password).await;
        assert_eq!(w.hasher.take_counts(), (0, 1), "{username} / {password}");
    }
}

#[tokio::test]
async fn without_warm_up_the_first_unknown_user_pays_for_the_dummy_hash_once() {
    let w = World::new();
    let _ = w.login("mallory", PASSWORD).await;
    assert_eq!(w.hasher.take_counts(), (1, 1));
    let _ = w.login("mallory", PASSWORD).await;
    assert_eq!(w.hasher.take_counts(), (0, 1));
}

#[tokio::test]
async fn login_upgrades_a_hash_made_with_fewer_iterations() {
    let old = World::new();
    old.register("alice").await;
    assert!(old.stored("alice").await.password_hash.as_str().starts_with("$pbkdf2-sha256$i=1000,"));

    // The operator raises the cost; the store and its users stay.
    let new = World::over(old.db.clone(), old.clock.clone(), 2_000, AuthSettings::default());
    new.login("alice", PASSWORD).await.unwrap();
    assert_eq!(new.hasher.take_counts(), (1, 1), "one verification, one re-hash");
    let upgraded = new.stored("alice").await.password_hash;
    assert!(upgraded.as_str().starts_with("$pbkdf2-sha256$i=2000,l=32$"));

    // The new hash works, and is not upgraded again.
    new.login("alice", PASSWORD).await.unwrap();
    assert_eq!(new.hasher.take_counts(), (0, 1));
    assert_eq!(new.stored("alice").await.password_hash, upgraded);
}

// ---- throttling ------------------------------------------------------------------------

#[tokio::test]
async fn the_failed_login_after_the_allowance_is_refused_with_a_retry_after() {
    let w = World::with_settings(throttled(ThrottleSettings {
        per_username: BucketSettings::new(3, Duration::from_secs(60)),
        per_address: BucketSettings::new(100, Duration::from_secs(1)),
        max_tracked: 1_000,
        ..ThrottleSettings::default()
    }));
    w.register("alice").await;
    w.register("bob").await;
    w.auth.warm_up().await.unwrap();
    w.hasher.take_counts();

    for _ in 0..3 {
        let failed = w.login_from("alice", "wrong password", "203.0.113.9").await;
        assert!(matches!(failed, Err(AuthError::InvalidCredentials)));
    }
    w.clock.advance(10 * 1_000_000);
    let refused = w.login_from("alice", "wrong password", "203.0.113.9").await.unwrap_err();
    let AuthError::Throttled { retry_after } = refused else { panic!("{refused:?}") };
    assert_eq!(retry_after, Duration::from_secs(50));
    assert!(refused.to_string().ends_with("try again in 50 s"), "{refused}");
    assert_eq!(w.hasher.take_counts(), (0, 3), "a throttled attempt costs no hash");

    // The right password does not get through either from the address that failed …
    assert!(matches!(
        w.login_from("alice", PASSWORD, "203.0.113.9").await,
        Err(AuthError::Throttled { .. })
    ));
    // … but it does from an address that has not failed: the failures lock out their client,
    // not the account. Someone else logging in elsewhere is unaffected too.
    assert!(w.login_from("alice", PASSWORD, "198.51.100.1").await.is_ok());
    assert!(w.login_from("bob", PASSWORD, "198.51.100.2").await.is_ok());

    // Once a token is back, alice may try again from the first address, and succeeds.
    w.clock.advance(50 * 1_000_000);
    assert!(w.login_from("alice", PASSWORD, "203.0.113.9").await.is_ok());
}

#[tokio::test]
async fn an_address_that_fails_across_many_usernames_is_throttled() {
    let w = World::with_settings(throttled(ThrottleSettings {
        per_username: BucketSettings::new(100, Duration::from_secs(60)),
        per_address: BucketSettings::new(5, Duration::from_secs(12)),
        max_tracked: 1_000,
        ..ThrottleSettings::default()
    }));
    w.register("alice").await;
    for i in 0..5 {
        let failed = w.login_from(&format!("guess{i}"), PASSWORD, "2001:db8::1").await;
        assert!(matches!(failed, Err(AuthError::InvalidCredentials)));
    }
    // Another address in the same /64 is the same client for the throttle.
    let refused = w.login_from("guess5", PASSWORD, "2001:db8::2").await;
    assert!(
        matches!(refused, Err(AuthError::Throttled { retry_after }) if retry_after == Duration::from_secs(12))
    );
    assert!(w.login_from("alice", PASSWORD, "2001:db8:0:1::1").await.is_ok());
}

#[tokio::test]
async fn successful_logins_do_not_use_up_the_allowance() {
    let w = World::with_settings(throttled(ThrottleSettings {
        per_username: BucketSettings::new(2, Duration::from_secs(60)),
        per_address: BucketSettings::new(2, Duration::from_secs(60)),
        max_tracked: 1_000,
        ..ThrottleSettings::default()
    }));
    w.register("alice").await;
    for _ in 0..10 {
        w.login_from("alice", PASSWORD, "192.0.2.1").await.unwrap();
    }
}

// ---- refresh ---------------------------------------------------------------------------

#[tokio::test]
async fn a_refresh_token_is_exchanged_once_for_a_new_pair() {
    let w = World::new();
    let user = w.register("alice").await;
    let first = w.login("alice", PASSWORD).await.unwrap();
    w.clock.advance(10 * MINUTE);
    let second = w.auth.refresh(&first.refresh_token).await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(w.issuer.verify(second.access_token.expose_secret()).unwrap().subject, user.id);
    // Rotation renews the lifetime.
    assert_eq!(second.refresh_expires_at, first.refresh_expires_at.plus_micros(10 * MINUTE));
    w.clock.advance(10 * MINUTE);
    let third = w.auth.refresh(&second.refresh_token).await.unwrap();
    assert_eq!(third.user_id, user.id);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_its_whole_family() {
    let w = World::new();
    let user = w.register("alice").await;
    let stolen = w.login("alice", PASSWORD).await.unwrap();
    let other_device = w.login("alice", PASSWORD).await.unwrap();
    let legit = w.auth.refresh(&stolen.refresh_token).await.unwrap();

    // The thief replays the token the victim already exchanged.
    let replay = w.auth.refresh(&stolen.refresh_token).await;
    assert!(matches!(replay, Err(AuthError::RefreshTokenReused)));
    assert!(w.events.events().iter().any(|e| e.kind == EventKind::RefreshTokenReused(user.id)));
    // Every token of that login is dead now, including the newest one …
    assert!(matches!(
        w.auth.refresh(&legit.refresh_token).await,
        Err(AuthError::InvalidRefreshToken)
    ));
    // … while the other login's family lives on.
    assert!(w.auth.refresh(&other_device.refresh_token).await.is_ok());
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let w = World::new();
    w.register("alice").await;
    let a = w.login("alice", PASSWORD).await.unwrap();
    let b = w.login("alice", PASSWORD).await.unwrap();
    w.clock.advance(30 * DAY - 1);
    assert!(w.auth.refresh(&a.refresh_token).await.is_ok(), "still inside its 30 days");
    w.clock.advance(1);
    assert!(matches!(w.auth.refresh(&b.refresh_token).await, Err(AuthError::RefreshTokenExpired)));
}

#[tokio::test]
async fn an_unknown_refresh_token_is_refused() {
    let w = World::new();
    let made_up = RefreshToken::new("not-a-real-token".to_owned());
    assert!(matches!(w.auth.refresh(&made_up).await, Err(AuthError::InvalidRefreshToken)));
}

#[tokio::test]
async fn a_demoted_users_refresh_token_stops_working_and_a_new_login_carries_the_new_role() {
    let w = World::new();
    let admin = w.admin().await;
    let alice = w.register("alice").await;
    let session = w.login("alice", PASSWORD).await.unwrap();
    assert_eq!(session.role, Role::Editor);

    w.users.set_role(&admin, alice.id, Role::Viewer).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&session.refresh_token).await,
        Err(AuthError::InvalidRefreshToken)
    ));
    let again = w.login("alice", PASSWORD).await.unwrap();
    assert_eq!(again.role, Role::Viewer);
    assert_eq!(w.issuer.verify(again.access_token.expose_secret()).unwrap().role, Role::Viewer);
}

#[tokio::test]
async fn a_deleted_users_refresh_token_stops_working() {
    let w = World::new();
    let admin = w.admin().await;
    let alice = w.register("alice").await;
    let session = w.login("alice", PASSWORD).await.unwrap();

    w.users.delete(&admin, alice.id).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&session.refresh_token).await,
        Err(AuthError::InvalidRefreshToken)
    ));
    assert!(matches!(w.login("alice", PASSWORD).await, Err(AuthError::InvalidCredentials)));
}

// ---- logout and password change --------------------------------------------------------

#[tokio::test]
async fn logout_revokes_the_session_and_only_that_one() {
    let w = World::new();
    let alice = w.register("alice").await;
    let bob = w.register("bob").await;
    let laptop = w.login("alice", PASSWORD).await.unwrap();
    let phone = w.login("alice", PASSWORD).await.unwrap();
    let laptop = w.auth.refresh(&laptop.refresh_token).await.unwrap();
    let bobs = w.login("bob", PASSWORD).await.unwrap();

    // Someone else's token is not ours to revoke: silently nothing.
    w.auth.logout(&actor(&alice), &bobs.refresh_token).await.unwrap();
    assert!(w.auth.refresh(&bobs.refresh_token).await.is_ok());

    w.auth.logout(&actor(&alice), &laptop.refresh_token).await.unwrap();
    assert!(matches!(
        w.auth.refresh(&laptop.refresh_token).await,
        Err(AuthError::InvalidRefreshToken)
    ));
    assert!(w.auth.refresh(&phone.refresh_token).await.is_ok());
    // Logging out twice is fine.
    w.auth.logout(&actor(&alice), &laptop.refresh_token).await.unwrap();
    let _ = bob;
}

#[tokio::test]
async fn logout_everywhere_revokes_every_session_of_the_user() {
    let w = World::new();
    let alice = w.register("alice").await;
    let a = w.login("alice", PASSWORD).await.unwrap();
    let b = w.login("alice", PASSWORD).await.unwrap();
    assert_eq!(w.auth.logout_everywhere(&actor(&alice)).await.unwrap(), 2);
    for s in [a, b] {
        assert!(matches!(
            w.auth.refresh(&s.refresh_token).await,
            Err(AuthError::InvalidRefreshToken)
        ));
    }
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_revokes_every_refresh_token() {
    let w = World::new();
    let alice = w.register("alice").await;
    let laptop = w.login("alice", PASSWORD).await.unwrap();
    let phone = w.login("alice", PASSWORD).await.unwrap();

    let wrong =
        w.auth.change_password(&actor(&alice), change("not my password", NEW_PASSWORD)).await;
    assert!(matches!(wrong, Err(AuthError::WrongCurrentPassword)));
    let common = w.auth.change_password(&actor(&alice), change(PASSWORD, "password123")).await;
    assert!(matches!(common, Err(AuthError::InvalidPassword(PasswordError::TooCommon))));
    assert!(w.auth.refresh(&phone.refresh_token).await.is_ok(), "failed attempts change nothing");
    let phone = w.login("alice", PASSWORD).await.unwrap();

    w.auth.change_password(&actor(&alice), change(PASSWORD, NEW_PASSWORD)).await.unwrap();
    assert_eq!(w.event_names().last(), Some(&"password_changed"));
    for session in [laptop, phone] {
        assert!(matches!(
            w.auth.refresh(&session.refresh_token).await,
            Err(AuthError::InvalidRefreshToken)
        ));
    }
    assert!(matches!(w.login("alice", PASSWORD).await, Err(AuthError::InvalidCredentials)));
    assert!(w.login("alice", NEW_PASSWORD).await.is_ok());
    let records_revoked =
        w.tokens_repo().revoke_all_for_user(alice.id, w.clock_now()).await.unwrap();
    assert_eq!(records_revoked, 1, "only the session after the change was still live");
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_a_login() {
    let w = World::with_settings(throttled(ThrottleSettings {
        per_username: BucketSettings::new(2, Duration::from_secs(60)),
        ..ThrottleSettings::default()
    }));
    let alice = w.register("alice").await;
    for _ in 0..2 {
        let wrong =
            w.auth.change_password(&actor(&alice), change("guess guess", NEW_PASSWORD)).await;
        assert!(matches!(wrong, Err(AuthError::WrongCurrentPassword)));
    }
    let refused = w.auth.change_password(&actor(&alice), change(PASSWORD, NEW_PASSWORD)).await;
    assert!(matches!(refused, Err(AuthError::Throttled { .. })));
}

#[tokio::test]
async fn a_deleted_account_cannot_change_its_password() {
    let w = World::new();
    let admin = w.admin().await;
    let alice = w.register("alice").await;
    w.users.delete(&admin, alice.id).await.unwrap();
    let result = w.auth.change_password(&actor(&alice), change(PASSWORD, NEW_PASSWORD)).await;
    assert!(matches!(result, Err(AuthError::AccountNotFound)));
}

#[tokio::test]
async fn an_operator_reset_sets_the_password_without_the_old_one_and_revokes_every_session() {
    let w = World::new();
    let alice = w.register("alice").await;
    let laptop = w.login("alice", PASSWORD).await.unwrap();
    let name = Username::parse("alice").unwrap();

    let reset = w.auth.reset_password(&name, &Password::parse(NEW_PASSWORD).unwrap()).await;

    assert_eq!(reset.unwrap().id, alice.id);
    assert_eq!(w.event_names().last(), Some(&"password_changed"));
    assert!(matches!(
        w.auth.refresh(&laptop.refresh_token).await,
        Err(AuthError::InvalidRefreshToken)
    ));
    assert!(matches!(w.login("alice", PASSWORD).await, Err(AuthError::InvalidCredentials)));
    assert!(w.login("alice", NEW_PASSWORD).await.is_ok());
}

#[tokio::test]
async fn an_operator_reset_refuses_a_common_password_and_an_unknown_user_changing_nothing() {
    let w = World::new();
    w.register("alice").await;
    let session = w.login("alice", PASSWORD).await.unwrap();
    let events = w.event_names().len();

    let common = w
        .auth
        .reset_password(
            &Username::parse("alice").unwrap(),
            &Password::parse("password123").unwrap(),
        )
        .await;
    let unknown = w
        .auth
        .reset_password(
            &Username::parse("nobody").unwrap(),
            &Password::parse(NEW_PASSWORD).unwrap(),
        )
        .await;

    assert!(matches!(common, Err(AuthError::InvalidPassword(PasswordError::TooCommon))));
    assert!(matches!(unknown, Err(AuthError::AccountNotFound)));
    assert_eq!(w.event_names().len(), events, "nothing published");
    assert!(w.auth.refresh(&session.refresh_token).await.is_ok(), "the session lives on");
    assert!(w.login("alice", PASSWORD).await.is_ok());
}

#[test]
fn commands_and_sessions_never_print_secrets() {
    let login = login_cmd("alice", "hunter2hunter2", None);
    assert!(!format!("{login:?}").contains("hunter2"));
    let cmd = change("hunter2hunter2", "another secret!");
    assert!(!format!("{cmd:?}").contains("hunter2") && !format!("{cmd:?}").contains("another"));
}
