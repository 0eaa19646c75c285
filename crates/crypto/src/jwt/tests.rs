use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};
use taskforge_testkit::FixedClock;

use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-key";
const OTHER_SECRET: &[u8] = b"a completely different 32+ byte secret!!";
const ISS: &str = "taskforge";
const AUD: &str = "taskforge-api";
/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const MINUTE: i64 = 60;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at(NOW)))
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros(seconds * 1_000_000).unwrap()
}

fn key(id: &str, secret: &[u8]) -> HmacKey {
    HmacKey::new(id, secret.to_vec()).unwrap()
}

fn issuer_with(config: JwtConfig, clock: Arc<FixedClock>) -> JwtIssuer {
    JwtIssuer::new(config, clock).unwrap()
}

fn issuer(clock: Arc<FixedClock>) -> JwtIssuer {
    issuer_with(JwtConfig::new(ISS, AUD, key("k1", SECRET)), clock)
}

fn claims(issued: i64, expires: i64) -> Claims {
    Claims {
        subject: UserId::from_uuid(uuid::Uuid::from_u128(
            0x0190_0000_0000_7000_8000_0000_0000_0001,
        )),
        role: Role::Editor,
        issued_at: at(issued),
        expires_at: at(expires),
        token_id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002),
    }
}

fn valid_claims() -> Claims {
    claims(NOW, NOW + 15 * MINUTE)
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    B64URL.encode(bytes)
}

fn b64_json(value: &Value) -> String {
    b64(serde_json::to_vec(value).unwrap())
}

/// The payload our issuer would write for [`valid_claims`].
fn valid_payload() -> Value {
    json!({
        "aud": AUD, "exp": NOW + 15 * MINUTE, "iat": NOW, "iss": ISS, "nbf": NOW,
        "jti": "01900000-0000-7000-8000-000000000002", "role": "editor",
        "sub": "01900000-0000-7000-8000-000000000001",
    })
}

/// A token with any header and payload, HS256-signed with `secret` (as an attacker who knows
/// or guesses a key, or a buggy issuer, would make it).
fn forge_hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64_json(header), b64_json(payload));
    let tag = Hmac::<Sha256>::new_from_slice(secret).unwrap().chain_update(&input).finalize();
    format!("{input}.{}", b64(tag.into_bytes()))
}

fn hs256_header() -> Value {
    json!({ "alg": "HS256", "kid": "k1", "typ": "JWT" })
}

// ---- known answer ----------------------------------------------------------------------

/// RFC 7515 Appendix A.1: the example token, byte for byte as printed (its header holds
/// `\r\n`, so a verifier that re-serialised the JSON would compute another MAC).
const RFC7515_A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
    .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
    .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The JWK `k` of Appendix A.1 (64 bytes).
const RFC7515_A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

fn rfc7515_key() -> HmacKey {
    HmacKey::new("rfc7515", B64URL.decode(RFC7515_A1_KEY).unwrap()).unwrap()
}

#[test]
fn the_hs256_mac_of_rfc_7515_appendix_a1_is_reproduced_over_the_bytes_as_given() {
    let (signing_input, signature) = RFC7515_A1_TOKEN.rsplit_once('.').unwrap();
    let header = B64URL.decode(signing_input.split('.').next().unwrap()).unwrap();
    assert_eq!(header, b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
    let tag = rfc7515_key().mac().chain_update(signing_input.as_bytes()).finalize().into_bytes();
    assert_eq!(b64(tag), signature);
    assert_eq!(b64(tag), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

#[test]
fn the_verifier_accepts_the_rfc_7515_appendix_a1_signature_and_then_judges_its_claims() {
    let verifier = issuer_with(JwtConfig::new("joe", AUD, rfc7515_key()), clock());
    // No `kid`: the current key. The signature passes; the example's claims lack `sub`,
    // `role`, … — so the first failing check is the claims check, *after* the signature.
    assert_eq!(verifier.verify(RFC7515_A1_TOKEN), Err(TokenError::InvalidClaims));
    // One character of the signature changed: now the signature check fails.
    let flipped = RFC7515_A1_TOKEN.replace("dBjft", "dBjfu");
    assert_eq!(verifier.verify(&flipped), Err(TokenError::BadSignature));
}

// ---- happy paths -----------------------------------------------------------------------

#[test]
fn an_issued_token_verifies_to_the_same_claims() {
    let issuer = issuer(clock());
    let token = issuer.issue(&valid_claims()).unwrap();
    assert_eq!(issuer.verify(token.expose_secret()), Ok(valid_claims()));
}

#[test]
fn the_token_carries_every_claim_and_names_its_key() {
    let token = issuer(clock()).issue(&valid_claims()).unwrap();
    let parts: Vec<&str> = token.expose_secret().split('.').collect();
    let header: Value = serde_json::from_slice(&B64URL.decode(parts[0]).unwrap()).unwrap();
    let payload: Value = serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header, hs256_header());
    assert_eq!(payload, valid_payload());
    assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
}

#[test]
fn the_audience_may_be_a_list_that_includes_ours() {
    let mut payload = valid_payload();
    payload["aud"] = json!(["another-service", AUD]);
    let token = forge_hs256(&hs256_header(), &payload, SECRET);
    assert_eq!(issuer(clock()).verify(&token), Ok(valid_claims()));
}

#[test]
fn a_token_signed_with_a_previous_key_verifies_after_rotation() {
    let clock = clock();
    let old = issuer(Arc::clone(&clock)).issue(&valid_claims()).unwrap();
    let rotated = issuer_with(
        JwtConfig::new(ISS, AUD, key("k2", OTHER_SECRET)).with_previous(key("k1", SECRET)),
        Arc::clone(&clock),
    );
    assert_eq!(rotated.verify(old.expose_secret()), Ok(valid_claims()));
    // New tokens are signed with the new key…
    let new = rotated.issue(&valid_claims()).unwrap();
    assert!(
        new.expose_secret().starts_with(&b64_json(&json!({"alg":"HS256","kid":"k2","typ":"JWT"})))
    );
    // …and once the old key is dropped, its tokens stop working.
    let dropped = issuer_with(JwtConfig::new(ISS, AUD, key("k2", OTHER_SECRET)), clock);
    assert_eq!(dropped.verify(old.expose_secret()), Err(TokenError::UnknownKey));
    assert_eq!(dropped.verify(new.expose_secret()), Ok(valid_claims()));
}

#[test]
fn clock_skew_within_the_leeway_is_tolerated() {
    let clock = clock();
    let issuer = issuer(Arc::clone(&clock));
    let token = issuer.issue(&valid_claims()).unwrap();
    clock.set(at(NOW + 15 * MINUTE + 29)); // 29 s past exp, leeway 30 s
    assert!(issuer.verify(token.expose_secret()).is_ok());
    clock.set(at(NOW - 29)); // 29 s before nbf
    assert!(issuer.verify(token.expose_secret()).is_ok());
}

// ---- every refusal, each with its own error ---------------------------------------------

#[test]
fn alg_none_is_refused() {
    let unsigned =
        format!("{}.{}.", b64_json(&json!({"alg":"none","typ":"JWT"})), b64_json(&valid_payload()));
    assert_eq!(issuer(clock()).verify(&unsigned), Err(TokenError::UnsupportedAlgorithm));
    // Spelling games and a missing alg do not help either.
    for header in [
        json!({"alg":"None"}),
        json!({"alg":"hs256","kid":"k1"}),
        json!({"kid":"k1"}),
        json!({"alg":null}),
    ] {
        let token = forge_hs256(&header, &valid_payload(), SECRET);
        assert_eq!(
            issuer(clock()).verify(&token),
            Err(TokenError::UnsupportedAlgorithm),
            "{header}"
        );
    }
}

#[test]
fn hs512_is_refused_even_with_the_right_key() {
    let header = json!({"alg":"HS512","kid":"k1","typ":"JWT"});
    let input = format!("{}.{}", b64_json(&header), b64_json(&valid_payload()));
    let tag = Hmac::<Sha512>::new_from_slice(SECRET).unwrap().chain_update(&input).finalize();
    let token = format!("{input}.{}", b64(tag.into_bytes()));
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::UnsupportedAlgorithm));
}

#[test]
fn rs256_is_refused_including_the_hmac_with_a_public_key_confusion() {
    // An RS256 header with an HS256 MAC made with our secret (the classic algorithm-confusion
    // attack uses the RSA public key as the HMAC secret): refused on `alg` alone.
    let header = json!({"alg":"RS256","kid":"k1","typ":"JWT"});
    let token = forge_hs256(&header, &valid_payload(), SECRET);
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::UnsupportedAlgorithm));
}

#[test]
fn a_token_signed_with_another_key_is_refused() {
    let token = forge_hs256(&hs256_header(), &valid_payload(), OTHER_SECRET);
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::BadSignature));
}

#[test]
fn a_token_naming_an_unknown_key_is_refused() {
    let header = json!({"alg":"HS256","kid":"k9","typ":"JWT"});
    let token = forge_hs256(&header, &valid_payload(), SECRET);
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::UnknownKey));
}

#[test]
fn a_tampered_payload_is_refused() {
    let issuer = issuer(clock());
    let token = issuer.issue(&valid_claims()).unwrap();
    let parts: Vec<&str> = token.expose_secret().split('.').collect();
    let mut payload = valid_payload();
    payload["role"] = json!("admin");
    let tampered = format!("{}.{}.{}", parts[0], b64_json(&payload), parts[2]);
    assert_eq!(issuer.verify(&tampered), Err(TokenError::BadSignature));
}

#[test]
fn an_expired_token_is_refused() {
    let clock = clock();
    let issuer = issuer(Arc::clone(&clock));
    let token = issuer.issue(&valid_claims()).unwrap();
    clock.set(at(NOW + 15 * MINUTE + 30)); // exp + leeway
    assert_eq!(issuer.verify(token.expose_secret()), Err(TokenError::Expired));
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let issuer = issuer(clock());
    let token = issuer.issue(&claims(NOW + 5 * MINUTE, NOW + 20 * MINUTE)).unwrap();
    assert_eq!(issuer.verify(token.expose_secret()), Err(TokenError::NotYetValid));
    // `iat` in the future with an old `nbf` is as suspicious.
    let mut payload = valid_payload();
    payload["iat"] = json!(NOW + 5 * MINUTE);
    let token = forge_hs256(&hs256_header(), &payload, SECRET);
    assert_eq!(issuer.verify(&token), Err(TokenError::NotYetValid));
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    let clock = clock();
    let theirs =
        issuer_with(JwtConfig::new("someone-else", AUD, key("k1", SECRET)), Arc::clone(&clock));
    let token = theirs.issue(&valid_claims()).unwrap();
    assert_eq!(issuer(clock).verify(token.expose_secret()), Err(TokenError::WrongIssuer));
}

#[test]
fn a_token_for_another_audience_is_refused() {
    let clock = clock();
    let theirs =
        issuer_with(JwtConfig::new(ISS, "another-api", key("k1", SECRET)), Arc::clone(&clock));
    let token = theirs.issue(&valid_claims()).unwrap();
    assert_eq!(issuer(clock).verify(token.expose_secret()), Err(TokenError::WrongAudience));
}

#[test]
fn a_truncated_token_is_refused() {
    let issuer = issuer(clock());
    let token = issuer.issue(&valid_claims()).unwrap();
    let token = token.expose_secret();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    // The signature part cut off: not three parts.
    assert_eq!(issuer.verify(signing_input), Err(TokenError::Malformed));
    // The signature cut short (40 characters decode cleanly to 30 bytes): a wrong MAC.
    let short = format!("{signing_input}.{}", &signature[..40]);
    assert_eq!(issuer.verify(&short), Err(TokenError::BadSignature));
    // Cut inside the header.
    assert_eq!(issuer.verify(&token[..10]), Err(TokenError::Malformed));
}

#[test]
fn garbage_is_refused_as_malformed() {
    let issuer = issuer(clock());
    let not_json = format!("{}.{}.{}", b64("not json"), b64_json(&valid_payload()), b64("x"));
    let array_header = format!("{}.{}.{}", b64("[1,2]"), b64_json(&valid_payload()), b64("x"));
    let padded =
        format!("{}=.{}.{}", b64_json(&hs256_header()), b64_json(&valid_payload()), b64("x"));
    let huge = "a".repeat(10_000);
    for garbage in [
        "",
        "garbage",
        "a.b.c",
        "....",
        "Bearer x.y.z",
        "%%%.%%%.%%%",
        not_json.as_str(),
        array_header.as_str(),
        padded.as_str(),
        huge.as_str(),
    ] {
        assert_eq!(issuer.verify(garbage), Err(TokenError::Malformed), "{garbage:.40}");
    }
}

#[test]
fn a_signed_payload_that_is_not_json_is_malformed() {
    let input = format!("{}.{}", b64_json(&hs256_header()), b64("not json"));
    let tag = Hmac::<Sha256>::new_from_slice(SECRET).unwrap().chain_update(&input).finalize();
    let token = format!("{input}.{}", b64(tag.into_bytes()));
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::Malformed));
}

#[test]
fn missing_or_ill_typed_claims_are_refused() {
    let issuer = issuer(clock());
    let cases: [(&str, Value); 9] = [
        ("sub", Value::Null),
        ("sub", json!("not-a-uuid")),
        ("role", json!("root")),
        ("jti", json!(42)),
        ("exp", json!("soon")),
        ("exp", json!(1.5e9)),
        ("iat", Value::Null),
        ("aud", json!(7)),
        ("iss", Value::Null),
    ];
    for (claim, value) in cases {
        let mut payload = valid_payload();
        if value.is_null() {
            payload.as_object_mut().unwrap().remove(claim);
        } else {
            payload[claim] = value.clone();
        }
        let token = forge_hs256(&hs256_header(), &payload, SECRET);
        assert_eq!(issuer.verify(&token), Err(TokenError::InvalidClaims), "{claim}: {value}");
    }
}

#[test]
fn critical_header_extensions_are_refused() {
    let header = json!({"alg":"HS256","kid":"k1","crit":["exp"],"exp":0});
    let token = forge_hs256(&header, &valid_payload(), SECRET);
    assert_eq!(issuer(clock()).verify(&token), Err(TokenError::Malformed));
}

/// The summary table: each kind of bad token, the error it gets.
#[test]
fn each_kind_of_bad_token_is_refused_with_its_own_error() {
    let clock = clock();
    let issuer = issuer(Arc::clone(&clock));
    let good = issuer.issue(&valid_claims()).unwrap().expose_secret().to_owned();
    let (good_input, good_sig) = good.rsplit_once('.').unwrap();
    let with_payload = |payload: &Value| forge_hs256(&hs256_header(), payload, SECRET);
    let mut wrong_iss = valid_payload();
    wrong_iss["iss"] = json!("evil");
    let mut wrong_aud = valid_payload();
    wrong_aud["aud"] = json!("evil");
    let mut expired = valid_payload();
    expired["exp"] = json!(NOW - MINUTE);
    let mut future = valid_payload();
    future["nbf"] = json!(NOW + MINUTE);
    let mut tampered = valid_payload();
    tampered["sub"] = json!("01900000-0000-7000-8000-0000000000ff");

    let cases = [
        (
            "alg none",
            format!("{}.{}.", b64_json(&json!({"alg":"none"})), b64_json(&valid_payload())),
            TokenError::UnsupportedAlgorithm,
        ),
        (
            "alg HS512",
            forge_hs256(&json!({"alg":"HS512","kid":"k1"}), &valid_payload(), SECRET),
            TokenError::UnsupportedAlgorithm,
        ),
        (
            "alg RS256",
            forge_hs256(&json!({"alg":"RS256","kid":"k1"}), &valid_payload(), SECRET),
            TokenError::UnsupportedAlgorithm,
        ),
        (
            "unknown kid",
            forge_hs256(&json!({"alg":"HS256","kid":"nope"}), &valid_payload(), SECRET),
            TokenError::UnknownKey,
        ),
        (
            "wrong key",
            forge_hs256(&hs256_header(), &valid_payload(), OTHER_SECRET),
            TokenError::BadSignature,
        ),
        (
            "tampered payload",
            format!("{}.{}.{good_sig}", good_input.split('.').next().unwrap(), b64_json(&tampered)),
            TokenError::BadSignature,
        ),
        ("expired", with_payload(&expired), TokenError::Expired),
        ("not yet valid", with_payload(&future), TokenError::NotYetValid),
        ("wrong iss", with_payload(&wrong_iss), TokenError::WrongIssuer),
        ("wrong aud", with_payload(&wrong_aud), TokenError::WrongAudience),
        ("truncated", good_input.to_owned(), TokenError::Malformed),
        ("garbage", "🗑️ not a token".to_owned(), TokenError::Malformed),
    ];
    for (name, token, expected) in cases {
        assert_eq!(issuer.verify(&token), Err(expected), "{name}");
    }
}

// ---- keys ------------------------------------------------------------------------------

#[test]
fn keys_shorter_than_32_bytes_are_refused_at_construction() {
    let err = HmacKey::new("k1", vec![7_u8; 31]).unwrap_err();
    assert_eq!(err, KeyError::TooShort { id: "k1".into(), actual: 31 });
    assert_eq!(err.to_string(), "jwt key \"k1\" is 31 bytes; HS256 keys must be at least 32 bytes");
    assert!(HmacKey::new("k1", vec![7_u8; 32]).is_ok());
}

#[test]
fn key_ids_must_be_short_plain_and_unique() {
    for id in ["", "has space", "ünï", &"k".repeat(65)] {
        assert!(
            matches!(HmacKey::new(id, SECRET.to_vec()), Err(KeyError::InvalidId { .. })),
            "{id}"
        );
    }
    let config = JwtConfig::new(ISS, AUD, key("k1", SECRET)).with_previous(key("k1", OTHER_SECRET));
    assert_eq!(
        JwtIssuer::new(config, clock()).unwrap_err(),
        KeyError::DuplicateId { id: "k1".into() }
    );
    let config = JwtConfig::new("", AUD, key("k1", SECRET));
    assert_eq!(JwtIssuer::new(config, clock()).unwrap_err(), KeyError::EmptyIssuerOrAudience);
}

#[test]
fn debug_never_shows_a_secret() {
    let shown = format!("{:?}", issuer(clock()));
    assert!(shown.contains("k1"));
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
}
