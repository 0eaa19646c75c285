//! [`RandomRefreshTokens`](crate::RandomRefreshTokens): the [`RefreshTokenMinter`](taskforge_domain::ports::RefreshTokenMinter) port.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use sha2::{Digest as _, Sha256};
use taskforge_domain::ports::{MintError, RefreshToken, RefreshTokenMinter, TokenDigest};

/// Bytes of randomness per token: 256 bits, beyond guessing and beyond birthday collisions.
const TOKEN_BYTES: usize = 32;

/// Refresh tokens of 256 random bits from the operating system's generator, written as 43
/// characters of unpadded base64url; stored as the SHA-256 of that text.
///
/// A plain hash (not a slow one, not an HMAC) is enough here: the input is 256 random bits, so
/// a leaked digest cannot be reversed by guessing, unlike a password.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomRefreshTokens;

impl RandomRefreshTokens {
    /// The minter.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

impl RefreshTokenMinter for RandomRefreshTokens {
    fn mint(&self) -> Result<(RefreshToken, TokenDigest), MintError> {
        let mut bytes = [0_u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| MintError(Box::new(e)))?;
        let token = B64URL.encode(bytes);
        let digest = self.digest(&token);
        Ok((RefreshToken::new(token), digest))
    }

    fn digest(&self, token: &str) -> TokenDigest {
        TokenDigest(Sha256::digest(token.as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_token_is_256_random_bits_in_unpadded_base64url() {
        let (token, _) = RandomRefreshTokens.mint().unwrap();
        let text = token.expose_secret();
        assert_eq!(text.len(), 43);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(B64URL.decode(text).unwrap().len(), 32);
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_token_text() {
        let (token, digest) = RandomRefreshTokens.mint().unwrap();
        assert_eq!(RandomRefreshTokens.digest(token.expose_secret()), digest);
        // FIPS 180-2 test vector: SHA-256("abc").
        let abc = RandomRefreshTokens.digest("abc");
        let hex: String = abc.0.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn tokens_do_not_repeat() {
        let tokens: HashSet<String> = (0..1_000)
            .map(|_| RandomRefreshTokens.mint().unwrap().0.expose_secret().to_owned())
            .collect();
        assert_eq!(tokens.len(), 1_000);
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let (token, _) = RandomRefreshTokens.mint().unwrap();
        assert_eq!(format!("{token:?}"), "RefreshToken(<redacted>)");
    }
}
