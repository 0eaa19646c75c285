//! # taskforge-crypto
//!
//! The cryptography adapters of TaskForge (`docs/security.md`, "Passwords" and "Tokens"):
//!
//! - [`Pbkdf2Hasher`] implements [`taskforge_domain::ports::PasswordHasher`] with
//!   PBKDF2-HMAC-SHA256 (600,000 iterations by default, 16-byte salt, 32-byte output) stored as
//!   a PHC string, verified in constant time, run on a bounded blocking pool.
//! - [`JwtIssuer`] implements [`taskforge_domain::ports::TokenIssuer`]: HS256 JSON Web Tokens
//!   with `kid`-based key rotation.
//! - [`RandomRefreshTokens`] implements [`taskforge_domain::ports::RefreshTokenMinter`]:
//!   256-bit random refresh tokens and their SHA-256 digests.
//! - [`AeadCursorSealer`] implements [`taskforge_domain::ports::CursorSealer`]: listing
//!   cursors sealed with XChaCha20-Poly1305 under a key derived from the signing secret.
//!
//! **What it may depend on:** `taskforge-domain` (for the ports) and the RustCrypto primitives
//! (`pbkdf2`, `hmac`, `sha2`, `subtle`, `hkdf`, `chacha20poly1305`), `getrandom` for the operating system's generator,
//! `serde_json` and `base64` for the token encoding, and `tokio` only for its blocking pool and
//! semaphore. Never the HTTP or storage crates.
//!
//! **Where to start reading:** [`password`] for hashing, [`jwt`] for tokens. Configuration is
//! passed in by the app crate through constructors; nothing here reads the environment.
//!
//! ## Why JWT is hand-rolled on `hmac` + `sha2`
//!
//! The JWT crates (`jwt`, `jsonwebtoken`) would work, but the security of a JWT verifier lies
//! almost entirely in what it *refuses*: the `alg` allow-list (RFC 8725 §3.1), the `kid`
//! lookup, and the claim checks. With a general-purpose crate those rules are configuration
//! spread over its options and defaults, which change between major versions; here they are
//! forty lines in one function ([`jwt`]'s `verify`) that a reviewer can read top to bottom, and
//! whose every refusal has its own test. Only one algorithm is ever needed (HS256), so the
//! cryptographic part is one HMAC whose tag is compared with `hmac`'s constant-time
//! `verify_slice`. The encoding (base64url + JSON) is the only other moving part.
#![forbid(unsafe_code)]

/// Sealed listing cursors.
pub mod cursor;
/// HS256 access tokens with key rotation.
pub mod jwt;
/// PBKDF2-HMAC-SHA256 password hashing in PHC strings.
pub mod password;
/// PHC string parsing and formatting for `pbkdf2-sha256`.
mod phc;
/// The bounded pool that runs slow hashing off the async reactor.
mod pool;
/// Refresh tokens: random bytes in, opaque text and SHA-256 digest out.
pub mod refresh;

pub use cursor::AeadCursorSealer;
pub use jwt::{HmacKey, JwtConfig, JwtIssuer, KeyError};
pub use password::{Pbkdf2Config, Pbkdf2ConfigError, Pbkdf2Hasher};
pub use refresh::RandomRefreshTokens;
