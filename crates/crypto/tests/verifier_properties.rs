//! Property tests for the HS256 verifier (`TokenIssuer::verify` of [`JwtIssuer`]): the
//! proptest equivalent of the `token_verifier` fuzz target (fuzz/src/token_verifier.rs).
//!
//! Arbitrary text, and arbitrary headers and payloads signed with the verifier's own key (a
//! random token never gets past the signature, so the claim checks need signed input), must
//! never panic; whatever is accepted must be valid at the clock's instant, carry exactly the
//! claims that were signed, and survive `issue` → `verify` unchanged.
#![allow(clippy::expect_used, missing_docs)]

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};
use sha2::Sha256;
use taskforge_crypto::{HmacKey, JwtConfig, JwtIssuer};
use taskforge_domain::Timestamp;
use taskforge_domain::ports::{Claims, TokenIssuer};
use taskforge_testkit::FixedClock;

const SECRET: &[u8] = b"verifier properties: a public 32+ byte test key";
const PREVIOUS_SECRET: &[u8] = b"verifier properties: the previous public key!!";
const ISS: &str = "taskforge";
const AUD: &str = "taskforge-api";
/// 2026-01-01T00:00:00Z, the fixed clock's instant.
const NOW: i64 = 1_767_225_600;
/// The default leeway of [`JwtConfig`], in seconds.
const LEEWAY: i64 = 30;
const MICROS: i64 = 1_000_000;

fn verifier() -> JwtIssuer {
    let key = |id, secret: &[u8]| HmacKey::new(id, secret.to_vec()).expect("valid test key");
    let config =
        JwtConfig::new(ISS, AUD, key("current", SECRET)).with_previous(key("old", PREVIOUS_SECRET));
    let clock = FixedClock::new(Timestamp::from_unix_micros(NOW * MICROS).expect("in range"));
    JwtIssuer::new(config, Arc::new(clock)).expect("valid test configuration")
}

fn sign(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", B64URL.encode(header), B64URL.encode(payload));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", B64URL.encode(mac.finalize().into_bytes()))
}

fn to_json(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value serialises")
}

/// What every accepted token must satisfy (the fuzz target's `check_accepted`).
fn assert_accepted(verifier: &JwtIssuer, claims: &Claims) -> Result<(), TestCaseError> {
    let (now, leeway) = (NOW * MICROS, LEEWAY * MICROS);
    prop_assert!(claims.expires_at.unix_micros().saturating_add(leeway) > now, "{claims:?}");
    prop_assert!(claims.issued_at.unix_micros().saturating_sub(leeway) <= now, "{claims:?}");
    let reissued = verifier.issue(claims).expect("accepted claims can be signed again");
    let verified = verifier.verify(reissued.expose_secret());
    prop_assert_eq!(verified.as_ref(), Ok(claims));
    Ok(())
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A claim value: mostly plausible, sometimes of any type, sometimes absent (`None`).
fn claim(plausible: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        // Mostly plausible, so that a fair share of the tokens is accepted and the invariants
        // of accepted tokens are really exercised.
        20 => plausible.prop_map(Some),
        1 => any_json().prop_map(Some),
        1 => Just(None),
    ]
    .boxed()
}

/// A time in seconds `from`..`to` seconds away from now, or (rarely) any number.
fn seconds_around_now(from: i64, to: i64) -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => (from..to).prop_map(|d| Value::from(NOW + d)),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(json!(1_767_225_600.5_f64)),
    ]
}

fn uuid_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any::<u128>().prop_map(|n| Value::from(uuid::Uuid::from_u128(n).to_string())),
        1 => any::<u128>().prop_map(|n| Value::from(uuid::Uuid::from_u128(n).simple().to_string())),
        1 => "[0-9a-fA-F-]{0,40}".prop_map(Value::from),
    ]
}

/// A payload of the shape the issuer writes, with every claim perturbed.
fn payload() -> impl Strategy<Value = Value> {
    (
        claim(
            prop_oneof![4 => Just(json!(AUD)), 1 => Just(json!(["x", AUD])), 1 => Just(json!("x"))],
        ),
        claim(seconds_around_now(-600, 3 * 3600)),
        claim(seconds_around_now(-3 * 3600, 600)),
        claim(prop_oneof![4 => Just(json!(ISS)), 1 => Just(json!("other"))]),
        claim(uuid_text()),
        claim(seconds_around_now(-3 * 3600, 600)),
        claim(
            select(vec!["admin", "editor", "viewer", "viewer", "editor", "Admin", "root", ""])
                .prop_map(Value::from),
        ),
        claim(uuid_text()),
    )
        .prop_map(|(aud, exp, iat, iss, jti, nbf, role, sub)| {
            let names = ["aud", "exp", "iat", "iss", "jti", "nbf", "role", "sub"];
            let values = [aud, exp, iat, iss, jti, nbf, role, sub];
            let map: Map<String, Value> = names
                .into_iter()
                .zip(values)
                .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v)))
                .collect();
            Value::Object(map)
        })
}

fn header() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(json!({"alg": "HS256", "kid": "current", "typ": "JWT"})),
        1 => Just(json!({"alg": "HS256"})),
        1 => Just(json!({"alg": "none"})),
        1 => Just(json!({"alg": "HS256", "kid": "unknown"})),
        1 => Just(json!({"alg": "HS256", "kid": 7})),
        1 => Just(json!({"alg": "HS256", "crit": ["exp"]})),
        1 => any_json(),
    ]
}

proptest! {
    #[test]
    fn verify_of_arbitrary_text_never_panics(
        token in prop_oneof![
            any::<String>(),
            "[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}",
            "[A-Za-z0-9_.=+/-]{0,120}",
        ],
    ) {
        let verifier = verifier();
        if let Ok(claims) = verifier.verify(&token) {
            assert_accepted(&verifier, &claims)?;
        }
    }

    #[test]
    fn verify_of_signed_arbitrary_claims_never_panics(
        header in header(),
        payload in prop_oneof![3 => payload(), 1 => any_json()],
    ) {
        let verifier = verifier();
        let token = sign(SECRET, &to_json(&header), &to_json(&payload));
        if let Ok(claims) = verifier.verify(&token) {
            // Exactly the claims that were signed.
            let uuid = |name: &str| payload[name].as_str().and_then(|s| uuid::Uuid::parse_str(s).ok());
            prop_assert_eq!(uuid("sub"), Some(*claims.subject.as_uuid()));
            prop_assert_eq!(uuid("jti"), Some(claims.token_id));
            prop_assert_eq!(payload["role"].as_str(), Some(claims.role.as_str()));
            prop_assert_eq!(payload["exp"].as_i64(), Some(claims.expires_at.unix_micros() / MICROS));
            prop_assert_eq!(payload["iat"].as_i64(), Some(claims.issued_at.unix_micros() / MICROS));
            assert_accepted(&verifier, &claims)?;
        }
    }

    #[test]
    fn verify_of_arbitrary_bytes_signed_as_header_and_payload_never_panics(
        header in prop::collection::vec(any::<u8>(), 0..64),
        payload in prop::collection::vec(any::<u8>(), 0..128),
        previous_key in any::<bool>(),
    ) {
        let verifier = verifier();
        let secret = if previous_key { PREVIOUS_SECRET } else { SECRET };
        if let Ok(claims) = verifier.verify(&sign(secret, &header, &payload)) {
            assert_accepted(&verifier, &claims)?;
        }
    }
}

#[test]
fn a_token_from_the_previous_key_is_accepted_and_reissued_with_the_current_one() {
    let verifier = verifier();
    let header = json!({"alg": "HS256", "kid": "old", "typ": "JWT"});
    let payload = json!({
        "aud": AUD, "exp": NOW + 900, "iat": NOW, "iss": ISS, "nbf": NOW, "role": "viewer",
        "jti": "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6e", "sub": "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6b",
    });
    let token = sign(PREVIOUS_SECRET, &to_json(&header), &to_json(&payload));
    let claims = verifier.verify(&token).expect("a previous key still verifies");
    assert_eq!(claims.subject.to_string(), "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6b");
    assert_accepted(&verifier, &claims).expect("accepted claims round-trip");
}
