use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;

const FAST: u32 = 1_000;

fn hasher(iterations: u32) -> Pbkdf2Hasher {
    Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(iterations)).unwrap()
}

fn password(s: &str) -> Password {
    Password::parse(s).unwrap()
}

fn phc(s: &str) -> PasswordHash {
    PasswordHash::parse(s).unwrap()
}

/// PHC strings computed outside Rust, with Python's `hashlib.pbkdf2_hmac` (OpenSSL):
///
/// ```python
/// dk = hashlib.pbkdf2_hmac('sha256', pw, salt, iterations, 32)
/// b = lambda x: base64.b64encode(x).decode().rstrip('=')
/// '$pbkdf2-sha256$i=%d,l=32$%s$%s' % (iterations, b(salt), b(dk))
/// ```
const PYTHON_1000: &str =
    "$pbkdf2-sha256$i=1000,l=32$VGFza0ZvcmdlIHNhbHQhIQ$iLgDqwWsIsQkkjND88J8fLbpw/OBfQW1H7LTfNnODkY";
/// `pw = 'Ünïcödé pässwörd ✓'.encode()`, `salt = bytes(range(16))`, 600,000 iterations.
const PYTHON_600000: &str = "$pbkdf2-sha256$i=600000,l=32$AAECAwQFBgcICQoLDA0ODw$klgRWog4uek0VRpEh6q6TLjI1mALDjThcX47lEA2tiE";

#[test]
fn the_adapter_writes_exactly_what_an_independent_implementation_computes() {
    let ours = Pbkdf2Phc::derive(b"correct horse battery staple", b"TaskForge salt!!", 1_000, 32);
    assert_eq!(ours.to_string(), PYTHON_1000);
}

#[tokio::test]
async fn hashes_made_by_an_independent_implementation_verify() {
    let h = hasher(FAST);
    assert!(h.verify(&password("correct horse battery staple"), &phc(PYTHON_1000)).await.unwrap());
    assert!(!h.verify(&password("correct horse battery stapl3"), &phc(PYTHON_1000)).await.unwrap());
    // The default cost, with non-ASCII text (hashed as its UTF-8 bytes).
    assert!(h.verify(&password("Ünïcödé pässwörd ✓"), &phc(PYTHON_600000)).await.unwrap());
}

/// RFC 8018 §5.2 written out on `hmac` directly — not the `pbkdf2` crate the adapter uses —
/// for one 32-byte block.
fn independent_pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let prf = Hmac::<Sha256>::new_from_slice(password).unwrap();
    let mut u = prf.clone().chain_update(salt).chain_update(1_u32.to_be_bytes()).finalize();
    let mut t: [u8; 32] = u.clone().into_bytes().into();
    for _ in 1..iterations {
        u = prf.clone().chain_update(u.into_bytes()).finalize();
        for (t, u) in t.iter_mut().zip(u.clone().into_bytes()) {
            *t ^= u;
        }
    }
    t
}

#[tokio::test]
async fn a_stored_hash_produced_by_the_adapter_verifies_with_an_independent_implementation() {
    let stored = hasher(FAST).hash(&password("correct horse battery staple")).await.unwrap();
    let fields: Vec<&str> = stored.as_str().split('$').collect();
    assert_eq!(fields[..3], ["", "pbkdf2-sha256", "i=1000,l=32"]);
    let salt = B64.decode(fields[3]).unwrap();
    let hash = B64.decode(fields[4]).unwrap();
    assert_eq!(salt.len(), 16);
    assert_eq!(hash, independent_pbkdf2_sha256(b"correct horse battery staple", &salt, 1_000));
}

#[tokio::test]
async fn a_hash_round_trips_and_only_the_right_password_matches() {
    let h = hasher(FAST);
    let stored = h.hash(&password("correct horse battery staple")).await.unwrap();
    assert!(h.verify(&password("correct horse battery staple"), &stored).await.unwrap());
    assert!(!h.verify(&password("Correct horse battery staple"), &stored).await.unwrap());
    assert!(!h.needs_rehash(&stored));
}

#[tokio::test]
async fn the_default_hash_is_600000_iterations_16_bytes_of_salt_and_32_of_output() {
    let h = Pbkdf2Hasher::new(Pbkdf2Config::default()).unwrap();
    assert_eq!(h.iterations(), 600_000);
    let stored = h.hash(&password("correct horse battery staple")).await.unwrap();
    let parsed = Pbkdf2Phc::parse(stored.as_str()).unwrap();
    assert!(stored.as_str().starts_with("$pbkdf2-sha256$i=600000,l=32$"));
    assert_eq!((parsed.iterations, parsed.salt.len(), parsed.hash.len()), (600_000, 16, 32));
}

#[tokio::test]
async fn every_hash_gets_its_own_salt() {
    let h = hasher(FAST);
    let pw = password("correct horse battery staple");
    let a = Pbkdf2Phc::parse(h.hash(&pw).await.unwrap().as_str()).unwrap();
    let b = Pbkdf2Phc::parse(h.hash(&pw).await.unwrap().as_str()).unwrap();
    assert_ne!(a.salt, b.salt);
    assert_ne!(a.hash, b.hash);
}

#[test]
fn weaker_or_foreign_hashes_need_a_rehash() {
    let h = hasher(2_000);
    let pw = b"correct horse battery staple";
    let with = |iterations, salt: &[u8], len| {
        phc(&Pbkdf2Phc::derive(pw, salt, iterations, len).to_string())
    };
    assert!(!h.needs_rehash(&with(2_000, &[1; 16], 32)), "current parameters");
    assert!(!h.needs_rehash(&with(3_000, &[1; 16], 32)), "stronger than current");
    assert!(h.needs_rehash(&with(1_999, &[1; 16], 32)), "fewer iterations");
    assert!(h.needs_rehash(&with(2_000, &[1; 16], 16)), "shorter output");
    assert!(h.needs_rehash(&with(2_000, &[1; 8], 32)), "shorter salt");
    assert!(h.needs_rehash(&phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")));
    assert!(h.needs_rehash(&phc("$pbkdf2-sha512$i=2000,l=64$c2FsdHNhbHQ$aGFzaGhhc2g")));
}

#[tokio::test]
async fn a_hash_of_another_scheme_is_an_unsupported_format_not_a_mismatch() {
    let h = hasher(FAST);
    let foreign = phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g");
    let result = h.verify(&password("correct horse battery staple"), &foreign).await;
    assert!(matches!(result, Err(HashError::UnsupportedFormat)));
}

#[tokio::test]
async fn a_weaker_stored_hash_still_verifies_so_login_can_upgrade_it() {
    let old =
        phc(&Pbkdf2Phc::derive(b"correct horse battery staple", &[3; 16], 1_000, 32).to_string());
    let h = hasher(5_000);
    assert!(h.verify(&password("correct horse battery staple"), &old).await.unwrap());
    assert!(h.needs_rehash(&old));
}

#[test]
fn the_configuration_is_checked() {
    let config =
        |iterations, max_concurrent| Pbkdf2Config { iterations, max_concurrent, max_queued: 4 };
    assert_eq!(
        Pbkdf2Hasher::new(config(999, 1)).unwrap_err(),
        Pbkdf2ConfigError::TooFewIterations { given: 999 }
    );
    assert_eq!(
        Pbkdf2Hasher::new(config(10_000_001, 1)).unwrap_err(),
        Pbkdf2ConfigError::TooManyIterations { given: 10_000_001 }
    );
    assert_eq!(Pbkdf2Hasher::new(config(1_000, 0)).unwrap_err(), Pbkdf2ConfigError::NoWorkers);
    assert_eq!(
        Pbkdf2ConfigError::TooFewIterations { given: 10 }.to_string(),
        "pbkdf2 iterations must be at least 1000, got 10"
    );
    assert_eq!(Pbkdf2Config::default().iterations, 600_000);
    assert!(Pbkdf2Config::default().max_concurrent >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_beyond_the_pool_and_its_queue_is_refused_as_overloaded() {
    // One worker, no queue, and a slow-ish hash: of many simultaneous requests, some must be
    // refused rather than all piling onto the blocking pool.
    let h = std::sync::Arc::new(
        Pbkdf2Hasher::new(Pbkdf2Config { iterations: 200_000, max_concurrent: 1, max_queued: 0 })
            .unwrap(),
    );
    let pw = password("correct horse battery staple");
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let h = std::sync::Arc::clone(&h);
            let pw = pw.clone();
            tokio::spawn(async move { h.hash(&pw).await })
        })
        .collect();
    let mut ok = 0;
    let mut overloaded = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => ok += 1,
            Err(HashError::Overloaded) => overloaded += 1,
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(ok >= 1, "the first request is served");
    assert!(overloaded >= 1, "the rest are not all queued");
}
