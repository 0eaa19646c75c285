//! [`JwtIssuer`](crate::JwtIssuer): the [`TokenIssuer`](taskforge_domain::ports::TokenIssuer) port with HS256 JSON Web Tokens (RFC 7519, RFC 7515).
//!
//! The verifier follows RFC 8725 (JWT best current practices): it accepts exactly one algorithm
//! whatever the header says, picks the key from its own configuration (by `kid`), checks the
//! signature before reading a single claim, and then checks every claim it issues.
//!
//! Token shape:
//! - header `{"alg":"HS256","kid":"<key id>","typ":"JWT"}`;
//! - payload `{"aud","exp","iat","iss","jti","nbf","role","sub"}`, times in whole seconds since
//!   the epoch (`nbf` = `iat`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use taskforge_domain::UserId;
use taskforge_domain::ports::{AccessToken, Claims, TokenError, TokenIssuer};
use taskforge_domain::values::Role;
use taskforge_domain::{ports::Clock, values::Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// The one algorithm accepted.
const ALGORITHM: &str = "HS256";
/// Longer input is refused before any decoding: our tokens are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 8 * 1024;
const MICROS_PER_SECOND: i64 = 1_000_000;

/// An HS256 key with its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct HmacKey {
    id: String,
    /// HMAC state with the key already absorbed; cloned per token.
    mac: HmacSha256,
}

impl HmacKey {
    /// The shortest secret accepted: HS256 needs a key at least as long as its 256-bit output
    /// (RFC 7518 §3.2).
    pub const MIN_LEN: usize = 32;
    /// The longest key id accepted.
    pub const MAX_ID_LEN: usize = 64;

    /// A key named `id` (the `kid` header of the tokens it signs).
    ///
    /// # Errors
    /// [`KeyError::TooShort`] for a secret under [`HmacKey::MIN_LEN`] bytes, and
    /// [`KeyError::InvalidId`] for an empty id, one over [`HmacKey::MAX_ID_LEN`] characters, or
    /// one with characters other than ASCII letters, digits, `-`, `_` and `.`.
    pub fn new(id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let id = id.into();
        let secret = secret.into();
        let id_ok = !id.is_empty()
            && id.len() <= Self::MAX_ID_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !id_ok {
            return Err(KeyError::InvalidId { id });
        }
        let actual = secret.len();
        if actual < Self::MIN_LEN {
            return Err(KeyError::TooShort { id, actual });
        }
        // HMAC accepts keys of any length, so this error cannot happen; it is mapped anyway.
        let mac = HmacSha256::new_from_slice(&secret)
            .map_err(|_| KeyError::TooShort { id: id.clone(), actual })?;
        Ok(Self { id, mac })
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey").field("id", &self.id).field("secret", &"<redacted>").finish()
    }
}

/// A key or key set that [`HmacKey::new`] or [`JwtIssuer::new`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The secret is shorter than 32 bytes.
    #[error("jwt key {id:?} is {actual} bytes; HS256 keys must be at least 32 bytes")]
    TooShort {
        /// The key id.
        id: String,
        /// Its length in bytes.
        actual: usize,
    },
    /// The key id is empty, too long or holds other characters than `A-Z a-z 0-9 - _ .`.
    #[error("jwt key id {id:?} must be 1 to 64 characters of A-Z a-z 0-9 - _ .")]
    InvalidId {
        /// The id given.
        id: String,
    },
    /// Two keys share an id, so `kid` could not tell them apart.
    #[error("jwt key id {id:?} is used by more than one key")]
    DuplicateId {
        /// The id given twice.
        id: String,
    },
    /// The issuer or audience is empty.
    #[error("jwt issuer and audience must not be empty")]
    EmptyIssuerOrAudience,
}

/// Settings for [`JwtIssuer`].
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `iss`: who issues the tokens (this service).
    pub issuer: String,
    /// `aud`: who they are for (this service's API).
    pub audience: String,
    /// Signs new tokens and verifies them.
    pub current: HmacKey,
    /// Verify tokens signed before a key rotation, until they expire; never sign.
    pub previous: Vec<HmacKey>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`. Default 30 seconds.
    pub leeway: Duration,
}

impl JwtConfig {
    /// The default leeway.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// Settings with one key, no previous keys and the default leeway.
    #[must_use]
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, current: HmacKey) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            current,
            previous: Vec::new(),
            leeway: Self::DEFAULT_LEEWAY,
        }
    }

    /// Adds a previous key, still accepted for verification.
    #[must_use]
    pub fn with_previous(mut self, key: HmacKey) -> Self {
        self.previous.push(key);
        self
    }

    /// Sets the leeway.
    #[must_use]
    pub const fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
}

/// Issues and verifies HS256 access tokens.
///
/// ```
/// use std::sync::Arc;
/// use taskforge_crypto::{HmacKey, JwtConfig, JwtIssuer};
/// use taskforge_domain::ports::{Claims, TokenIssuer};
/// use taskforge_domain::values::Role;
/// use taskforge_domain::{Clock, SystemClock, UserId};
///
/// let key = HmacKey::new("2026-01", b"an example secret of at least 32 bytes!!".to_vec()).unwrap();
/// let issuer = JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), Arc::new(SystemClock)).unwrap();
/// let now = SystemClock.now();
/// let claims = Claims {
///     subject: UserId::new(),
///     role: Role::Editor,
///     issued_at: now,
///     expires_at: now.plus_micros(15 * 60 * 1_000_000),
///     token_id: uuid::Uuid::now_v7(),
/// };
/// let token = issuer.issue(&claims).unwrap();
/// let verified = issuer.verify(token.expose_secret()).unwrap();
/// assert_eq!((verified.subject, verified.role), (claims.subject, claims.role));
/// ```
#[derive(Debug)]
pub struct JwtIssuer {
    issuer: String,
    audience: String,
    current: HmacKey,
    previous: Vec<HmacKey>,
    leeway_seconds: i64,
    clock: Arc<dyn Clock>,
}

impl JwtIssuer {
    /// An issuer with these settings, reading the time from `clock`.
    ///
    /// # Errors
    /// [`KeyError::DuplicateId`] when two keys share an id, and
    /// [`KeyError::EmptyIssuerOrAudience`].
    pub fn new(config: JwtConfig, clock: Arc<dyn Clock>) -> Result<Self, KeyError> {
        if config.issuer.is_empty() || config.audience.is_empty() {
            return Err(KeyError::EmptyIssuerOrAudience);
        }
        let mut previous: Vec<HmacKey> = Vec::with_capacity(config.previous.len());
        for key in config.previous {
            if key.id == config.current.id || previous.iter().any(|k| k.id == key.id) {
                return Err(KeyError::DuplicateId { id: key.id });
            }
            previous.push(key);
        }
        Ok(Self {
            issuer: config.issuer,
            audience: config.audience,
            current: config.current,
            previous,
            leeway_seconds: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX),
            clock,
        })
    }

    /// The key a token's header asks for: by `kid`, or the current key when it names none.
    fn key_for(&self, header: &Map<String, Value>) -> Result<&HmacKey, TokenError> {
        match header.get("kid") {
            None => Ok(&self.current),
            Some(Value::String(kid)) => std::iter::once(&self.current)
                .chain(&self.previous)
                .find(|k| k.id == *kid)
                .ok_or(TokenError::UnknownKey),
            Some(_) => Err(TokenError::Malformed),
        }
    }

    fn check_claims(&self, claims: &Map<String, Value>) -> Result<Claims, TokenError> {
        let string = |name: &str| claims.get(name).and_then(Value::as_str);
        let seconds = |name: &str| claims.get(name).and_then(Value::as_i64);
        let (Some(iss), Some(aud), Some(sub), Some(role), Some(jti)) =
            (string("iss"), claims.get("aud"), string("sub"), string("role"), string("jti"))
        else {
            return Err(TokenError::InvalidClaims);
        };
        let (Some(iat), Some(nbf), Some(exp)) = (seconds("iat"), seconds("nbf"), seconds("exp"))
        else {
            return Err(TokenError::InvalidClaims);
        };
        let subject = sub.parse::<UserId>().map_err(|_| TokenError::InvalidClaims)?;
        let role = Role::parse(role).map_err(|_| TokenError::InvalidClaims)?;
        let token_id = uuid::Uuid::parse_str(jti).map_err(|_| TokenError::InvalidClaims)?;
        let issued_at = timestamp(iat)?;
        let expires_at = timestamp(exp)?;

        if iss != self.issuer {
            return Err(TokenError::WrongIssuer);
        }
        // RFC 7519 §4.1.3: one string, or an array of strings that must include ours.
        let audience_ok = match aud {
            Value::String(a) => *a == self.audience,
            Value::Array(all) => all.iter().any(|a| a.as_str() == Some(self.audience.as_str())),
            _ => return Err(TokenError::InvalidClaims),
        };
        if !audience_ok {
            return Err(TokenError::WrongAudience);
        }
        let now = self.clock.now().unix_micros().div_euclid(MICROS_PER_SECOND);
        if now >= exp.saturating_add(self.leeway_seconds) {
            return Err(TokenError::Expired);
        }
        let earliest = nbf.max(iat);
        if now.saturating_add(self.leeway_seconds) < earliest {
            return Err(TokenError::NotYetValid);
        }
        Ok(Claims { subject, role, issued_at, expires_at, token_id })
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue(&self, claims: &Claims) -> Result<AccessToken, TokenError> {
        let key = &self.current;
        let iat = claims.issued_at.unix_micros().div_euclid(MICROS_PER_SECOND);
        let exp = claims.expires_at.unix_micros().div_euclid(MICROS_PER_SECOND);
        let header = json!({ "alg": ALGORITHM, "kid": key.id, "typ": "JWT" });
        let payload = json!({
            "aud": self.audience,
            "exp": exp,
            "iat": iat,
            "iss": self.issuer,
            "jti": claims.token_id.to_string(),
            "nbf": iat,
            "role": claims.role.as_str(),
            "sub": claims.subject.to_string(),
        });
        let header = serde_json::to_vec(&header).map_err(|_| TokenError::Signing)?;
        let payload = serde_json::to_vec(&payload).map_err(|_| TokenError::Signing)?;
        let signing_input = format!("{}.{}", B64URL.encode(header), B64URL.encode(payload));
        let tag = key.mac().chain_update(signing_input.as_bytes()).finalize().into_bytes();
        Ok(AccessToken::new(format!("{signing_input}.{}", B64URL.encode(tag))))
    }

    /// Checks, in this order, each failure with its own error: shape ([`TokenError::Malformed`]),
    /// `alg` ([`TokenError::UnsupportedAlgorithm`]), `kid` ([`TokenError::UnknownKey`]),
    /// signature ([`TokenError::BadSignature`]), claim presence and types
    /// ([`TokenError::InvalidClaims`]), `iss`, `aud`, `exp`, then `nbf`/`iat`.
    fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let header = decode_json_object(header_b64)?;
        // The allow-list: the header may name any algorithm, only HS256 passes. Whatever it
        // says, the verification below is HMAC-SHA256 with our key (no algorithm confusion).
        if header.get("alg").and_then(Value::as_str) != Some(ALGORITHM) {
            return Err(TokenError::UnsupportedAlgorithm);
        }
        // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
        if header.contains_key("crit") {
            return Err(TokenError::Malformed);
        }
        let key = self.key_for(&header)?;
        let signature = B64URL.decode(signature_b64).map_err(|_| TokenError::Malformed)?;
        // The signature covers the bytes as received, not a re-encoding of the parsed JSON.
        key.mac()
            .chain_update(header_b64.as_bytes())
            .chain_update(b".")
            .chain_update(payload_b64.as_bytes())
            .verify_slice(&signature) // constant-time comparison
            .map_err(|_| TokenError::BadSignature)?;
        let claims = decode_json_object(payload_b64)?;
        self.check_claims(&claims)
    }
}

/// Unpadded base64url of a JSON object, or [`TokenError::Malformed`].
fn decode_json_object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = B64URL.decode(part).map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed),
    }
}

/// A NumericDate (whole seconds) as a [`Timestamp`], or [`TokenError::InvalidClaims`].
fn timestamp(seconds: i64) -> Result<Timestamp, TokenError> {
    seconds
        .checked_mul(MICROS_PER_SECOND)
        .and_then(Timestamp::from_unix_micros)
        .ok_or(TokenError::InvalidClaims)
}

#[cfg(test)]
mod tests;
