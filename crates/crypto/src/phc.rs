//! The one PHC string shape this crate writes and reads:
//! `$pbkdf2-sha256$i=<iterations>,l=<output length>$<salt>$<hash>`, salt and hash in the PHC
//! "B64" encoding (standard base64 alphabet, no padding), with the parameter names (`i`, `l`)
//! of the `pbkdf2` crate's `simple` API. Written by hand because the format is this small and
//! the refusals (unknown parameters, absurd iteration counts) are ours to decide.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use sha2::Sha256;

/// The PHC identifier of the one scheme.
pub(crate) const SCHEME: &str = "pbkdf2-sha256";

/// Stored hashes above this many iterations are refused rather than verified: a tampered or
/// corrupt row must not be able to buy minutes of CPU per login attempt.
pub(crate) const MAX_ITERATIONS: u32 = 10_000_000;

/// Salt lengths accepted when reading (we write 16 bytes).
const SALT_BYTES: std::ops::RangeInclusive<usize> = 8..=64;
/// Output lengths accepted when reading (we write 32 bytes).
const HASH_BYTES: std::ops::RangeInclusive<usize> = 16..=64;

/// A parsed `pbkdf2-sha256` PHC string.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pbkdf2Phc {
    pub(crate) iterations: u32,
    pub(crate) salt: Vec<u8>,
    pub(crate) hash: Vec<u8>,
}

impl fmt::Debug for Pbkdf2Phc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pbkdf2Phc")
            .field("iterations", &self.iterations)
            .field("salt_len", &self.salt.len())
            .field("hash_len", &self.hash.len())
            .finish()
    }
}

impl Pbkdf2Phc {
    /// Derives the hash of `password` with `salt` and `iterations`, `len` bytes long.
    pub(crate) fn derive(password: &[u8], salt: &[u8], iterations: u32, len: usize) -> Self {
        let mut hash = vec![0_u8; len];
        pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut hash);
        Self { iterations, salt: salt.to_vec(), hash }
    }

    /// Parses a PHC string; `None` for anything that is not exactly our scheme with sane
    /// parameters (parameters `i` and `l` in any order, `l` optional and then the hash's
    /// length; canonical unpadded base64; no unknown parameters).
    pub(crate) fn parse(phc: &str) -> Option<Self> {
        let mut fields = phc.split('$');
        let (Some(""), Some(SCHEME), Some(params), Some(salt), Some(hash), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        let mut iterations = None;
        let mut length = None;
        for param in params.split(',') {
            let (name, value) = param.split_once('=')?;
            let slot = match name {
                "i" => &mut iterations,
                "l" => &mut length,
                _ => return None,
            };
            if slot.is_some() {
                return None;
            }
            *slot = Some(parse_decimal(value)?);
        }
        let iterations = iterations?;
        let salt = B64.decode(salt).ok()?;
        let hash = B64.decode(hash).ok()?;
        let sane = (1..=MAX_ITERATIONS).contains(&iterations)
            && SALT_BYTES.contains(&salt.len())
            && HASH_BYTES.contains(&hash.len())
            && length.is_none_or(|l| usize::try_from(l).ok() == Some(hash.len()));
        sane.then_some(Self { iterations, salt, hash })
    }
}

impl fmt::Display for Pbkdf2Phc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "${SCHEME}$i={},l={}${}${}",
            self.iterations,
            self.hash.len(),
            B64.encode(&self.salt),
            B64.encode(&self.hash)
        )
    }
}

/// A plain decimal `u32`: digits only, no sign, no leading zero (PHC §decimal encoding).
fn parse_decimal(s: &str) -> Option<u32> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 7914 §11, the PBKDF2-HMAC-SHA256 test vector (c = 1, dkLen = 64).
    #[test]
    fn pbkdf2_hmac_sha256_matches_rfc_7914_section_11() {
        let dk = Pbkdf2Phc::derive(b"passwd", b"salt", 1, 64);
        assert_eq!(
            hex(&dk.hash),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }

    /// RFC 7914 §11's second PBKDF2 vector (c = 80,000), the one that exercises iteration.
    #[test]
    fn pbkdf2_hmac_sha256_matches_rfc_7914_with_80000_iterations() {
        let dk = Pbkdf2Phc::derive(b"Password", b"NaCl", 80_000, 64);
        assert_eq!(
            hex(&dk.hash),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
             a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        );
    }

    #[test]
    fn a_phc_string_round_trips() {
        let phc = Pbkdf2Phc::derive(b"correct horse", &[7; 16], 1_000, 32);
        let text = phc.to_string();
        assert!(text.starts_with("$pbkdf2-sha256$i=1000,l=32$"), "{text}");
        assert_eq!(Pbkdf2Phc::parse(&text), Some(phc));
    }

    #[test]
    fn parameters_may_come_in_any_order_and_the_length_may_be_left_out() {
        let phc = Pbkdf2Phc::derive(b"pw", &[1; 16], 5, 32);
        let salt = B64.encode(&phc.salt);
        let hash = B64.encode(&phc.hash);
        for params in ["l=32,i=5", "i=5"] {
            let text = format!("$pbkdf2-sha256${params}${salt}${hash}");
            assert_eq!(Pbkdf2Phc::parse(&text), Some(phc.clone()), "{text}");
        }
    }

    #[test]
    fn anything_else_is_not_parsed() {
        let good = Pbkdf2Phc::derive(b"pw", &[1; 16], 5, 32).to_string();
        let salt = B64.encode([1_u8; 16]);
        let hash = B64.encode([2_u8; 32]);
        let bad = [
            String::new(),
            "$pbkdf2-sha256".to_owned(),
            good.replace("pbkdf2-sha256", "pbkdf2-sha512"),
            good.replace("pbkdf2-sha256", "argon2id"),
            format!("{good}$extra"),
            format!("$pbkdf2-sha256$i=0,l=32${salt}${hash}"),
            format!("$pbkdf2-sha256$i=010,l=32${salt}${hash}"),
            format!("$pbkdf2-sha256$i=+10,l=32${salt}${hash}"),
            format!("$pbkdf2-sha256$i=20000000,l=32${salt}${hash}"),
            format!("$pbkdf2-sha256$i=10,l=31${salt}${hash}"),
            format!("$pbkdf2-sha256$i=10,i=10${salt}${hash}"),
            format!("$pbkdf2-sha256$i=10,v=1${salt}${hash}"),
            format!("$pbkdf2-sha256$l=32${salt}${hash}"),
            format!("$pbkdf2-sha256$i=10${salt}=${hash}"),
            format!("$pbkdf2-sha256$i=10${}${hash}", B64.encode([1_u8; 4])),
            format!("$pbkdf2-sha256$i=10${salt}${}", B64.encode([2_u8; 8])),
            format!("$pbkdf2-sha256$i=10${salt}$not base64!"),
        ];
        for text in bad {
            assert_eq!(Pbkdf2Phc::parse(&text), None, "{text}");
        }
    }
}
