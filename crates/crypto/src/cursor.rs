//! Sealed listing cursors: XChaCha20-Poly1305 under a key derived from the token signing
//! secret (ADR 0011).
//!
//! - **Confidential and authenticated.** An AEAD both hides a cursor's content (the last title
//!   of a title-sorted page) and refuses any cursor it did not seal; an HMAC alone would only
//!   do the second. XChaCha20's 192-bit nonce is drawn at random for every cursor: at that
//!   size random nonces never collide in practice, so no counter has to be shared between
//!   instances or kept across restarts.
//! - **One secret to run, not two.** The key is HKDF-SHA256 of the JWT signing secret with its
//!   own label, so it is as stable as the tokens: every instance that accepts the same tokens
//!   accepts the same cursors, across restarts, with no new setting to distribute. The label
//!   separates the two uses: a cursor key reveals nothing of the signing key, nor the reverse.
//! - **Rotation.** Like tokens, cursors sealed under the previous signing secret are still
//!   opened while it is configured (`TASKFORGE_JWT_PREVIOUS_SECRET`), and new ones are sealed
//!   under the current one.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use taskforge_domain::ports::CursorSealer;

/// The HKDF salt and label: a key derived for cursors is never the one for anything else.
const SALT: &[u8] = b"taskforge";
const LABEL: &[u8] = b"taskforge listing cursor sealing key v1";
/// XChaCha20's nonce length.
const NONCE_LEN: usize = 24;

/// The [`CursorSealer`] adapter. `Debug` shows no key.
#[derive(Clone)]
pub struct AeadCursorSealer {
    current: XChaCha20Poly1305,
    previous: Option<XChaCha20Poly1305>,
}

impl AeadCursorSealer {
    /// A sealer whose key is derived from `secret` (the token signing secret), also opening
    /// what was sealed under `previous` (the previous signing secret) when given.
    #[must_use]
    pub fn from_secrets(secret: &[u8], previous: Option<&[u8]>) -> Self {
        Self { current: cipher(secret), previous: previous.map(cipher) }
    }
}

fn cipher(secret: &[u8]) -> XChaCha20Poly1305 {
    let mut key = [0_u8; 32];
    // Expanding 32 bytes stays far under HKDF's limit of 255 hash lengths: it cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(SALT), secret).expand(LABEL, &mut key);
    XChaCha20Poly1305::new(&key.into())
}

impl CursorSealer for AeadCursorSealer {
    fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0_u8; NONCE_LEN];
        // The operating system's generator does not fail on the platforms we build for; were
        // it to, a zero nonce would still seal correctly, only repeatably.
        let _ = getrandom::fill(&mut nonce);
        let sealed = self.current.encrypt(XNonce::from_slice(&nonce), plain).unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN)?;
        let nonce = XNonce::from_slice(nonce);
        self.current.decrypt(nonce, ciphertext).ok().or_else(|| {
            self.previous.as_ref().and_then(|previous| previous.decrypt(nonce, ciphertext).ok())
        })
    }
}

impl fmt::Debug for AeadCursorSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AeadCursorSealer")
            .field("previous", &self.previous.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a signing secret of at least thirty-two bytes";
    const OTHER: &[u8] = b"another signing secret of thirty-two bytes or more";

    #[test]
    fn what_is_sealed_opens_and_hides_its_content() {
        let sealer = AeadCursorSealer::from_secrets(SECRET, None);
        let plain = b"title sort: Quarterly salary review for Dana".to_vec();
        let (a, b) = (sealer.seal(&plain), sealer.seal(&plain));
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(sealer.open(&a), Some(plain.clone()));
        assert_eq!(sealer.open(&b), Some(plain.clone()));
        let text = String::from_utf8_lossy(&a);
        assert!(!text.contains("salary") && !a.windows(6).any(|w| w == b"salary"));
    }

    #[test]
    fn every_altered_byte_truncation_or_foreign_key_is_refused() {
        let sealer = AeadCursorSealer::from_secrets(SECRET, None);
        let sealed = sealer.seal(b"0123456789abcdef0123456789");
        for i in 0..sealed.len() {
            for bit in [0x01, 0x80] {
                let mut altered = sealed.clone();
                altered[i] ^= bit;
                assert_eq!(sealer.open(&altered), None, "byte {i}");
            }
        }
        for len in 0..sealed.len() {
            assert_eq!(sealer.open(&sealed[..len]), None, "{len} bytes");
        }
        let other = AeadCursorSealer::from_secrets(OTHER, None);
        assert_eq!(other.open(&sealed), None);
    }

    #[test]
    fn the_previous_secret_still_opens_its_cursors_and_new_ones_use_the_current() {
        let old = AeadCursorSealer::from_secrets(OTHER, None);
        let rotated = AeadCursorSealer::from_secrets(SECRET, Some(OTHER));
        let from_before = old.seal(b"position");
        assert_eq!(rotated.open(&from_before), Some(b"position".to_vec()));
        let fresh = rotated.seal(b"position");
        assert_eq!(
            AeadCursorSealer::from_secrets(SECRET, None).open(&fresh),
            Some(b"position".to_vec())
        );
        assert_eq!(old.open(&fresh), None);
    }

    #[test]
    fn debug_shows_no_key() {
        let text = format!("{:?}", AeadCursorSealer::from_secrets(SECRET, Some(OTHER)));
        assert_eq!(text, "AeadCursorSealer { previous: true, .. }");
    }
}
