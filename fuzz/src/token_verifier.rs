//! `JwtIssuer::verify` (`TokenIssuer::verify`) on arbitrary input.
//!
//! The first byte picks how the rest is used:
//! - even: the rest is the token text itself (seeds are real tokens signed with [`CURRENT_SECRET`]);
//! - odd: the rest is `<header JSON>\n<payload JSON>`, which the harness encodes and signs with
//!   the current key (or, when bit 1 is set, the previous one). A fuzzer cannot forge an HMAC,
//!   so without this mode it would never get past the signature check to the claim checks.
//!
//! Every accepted token must describe a token valid at the fixed clock's instant, and its
//! claims must survive `issue` → `verify` unchanged.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use taskforge_crypto::{HmacKey, JwtConfig, JwtIssuer};
use taskforge_domain::ports::Clock;
use taskforge_domain::ports::{Claims, TokenIssuer};
use taskforge_testkit::FixedClock;

/// The `iss` the verifier expects.
pub const ISSUER: &str = "taskforge";
/// The `aud` the verifier expects.
pub const AUDIENCE: &str = "taskforge-api";
/// The id of the key that signs (the `kid` of new tokens).
pub const CURRENT_KID: &str = "fuzz-current";
/// The id of a key from before a rotation: still verifies, never signs.
pub const PREVIOUS_KID: &str = "fuzz-previous";
/// A public test secret: these tokens are worthless outside the fuzzer.
pub const CURRENT_SECRET: &[u8] = b"taskforge fuzzing key: public, test only!";
/// The previous key's public test secret.
pub const PREVIOUS_SECRET: &[u8] = b"taskforge fuzzing previous key: public too";
/// The clock skew the verifier tolerates, in seconds.
pub const LEEWAY_SECONDS: i64 = 30;

/// The verifier under test and its clock (2026-01-01T00:00:00Z, fixed), built once.
fn verifier() -> &'static (JwtIssuer, Arc<FixedClock>) {
    static VERIFIER: OnceLock<(JwtIssuer, Arc<FixedClock>)> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let key = |id, secret: &[u8]| HmacKey::new(id, secret.to_vec()).expect("valid test key");
        let config = JwtConfig::new(ISSUER, AUDIENCE, key(CURRENT_KID, CURRENT_SECRET))
            .with_previous(key(PREVIOUS_KID, PREVIOUS_SECRET))
            .with_leeway(Duration::from_secs(LEEWAY_SECONDS.unsigned_abs()));
        let clock = Arc::new(FixedClock::default_instant());
        let issuer = JwtIssuer::new(config, clock.clone()).expect("valid test configuration");
        (issuer, clock)
    })
}

/// `header.payload.signature`, base64url-encoded, signed with HMAC-SHA256 under `secret`.
#[must_use]
pub fn sign(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", B64URL.encode(header), B64URL.encode(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", B64URL.encode(mac.finalize().into_bytes()))
}

/// The fuzz target's body.
pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let token = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let secret = if mode & 2 == 0 { CURRENT_SECRET } else { PREVIOUS_SECRET };
        let (header, payload) = match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (&br#"{"alg":"HS256","typ":"JWT"}"#[..], rest),
        };
        sign(secret, header, payload)
    };
    let (issuer, clock) = verifier();
    if let Ok(claims) = issuer.verify(&token) {
        check_accepted(issuer, clock.as_ref(), &claims);
    }
}

/// What every accepted token must satisfy.
fn check_accepted(issuer: &JwtIssuer, clock: &dyn Clock, claims: &Claims) {
    let now = clock.now().unix_micros();
    let leeway = LEEWAY_SECONDS * 1_000_000;
    assert!(
        claims.expires_at.unix_micros().saturating_add(leeway) > now,
        "an expired token was accepted: {claims:?}"
    );
    assert!(
        claims.issued_at.unix_micros().saturating_sub(leeway) <= now,
        "a token issued in the future was accepted: {claims:?}"
    );
    let reissued = issuer.issue(claims).expect("accepted claims can be signed again");
    assert_eq!(
        issuer.verify(reissued.expose_secret()).as_ref(),
        Ok(claims),
        "accepted claims do not survive issue → verify"
    );
}
