//! The cursor decoder on arbitrary input, two ways: the bytes as the wire text given to
//! `CursorCodec::decode` with the real sealer, and the bytes as the plain content of a cursor
//! the sealer really sealed (so the fuzzer reaches `Cursor::from_bytes`'s sort, id and value
//! parsers without having to forge the encryption, which it cannot).
//!
//! Every refusal must be [`CursorError::Malformed`]; every accepted cursor must come back
//! from its own encoding as the same cursor, hold exactly the bytes it was read from, and
//! belong to its own sort order only.

use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use taskforge_crypto::AeadCursorSealer;
use taskforge_domain::ports::CursorSealer as _;
use taskforge_domain::query::{Cursor, CursorCodec, CursorError, TaskSort};

/// The sealer of the fuzzed codec, under a fixed secret.
static SEALER: LazyLock<AeadCursorSealer> =
    LazyLock::new(|| AeadCursorSealer::from_secrets(b"fuzzing cursor secret, 32+ bytes", None));
static CODEC: LazyLock<CursorCodec> = LazyLock::new(|| CursorCodec::new(Arc::new(SEALER.clone())));

/// The fuzz target's body.
pub fn check(data: &[u8]) {
    check_wire(&String::from_utf8_lossy(data));
    let sealed = format!("v2.{}", B64URL.encode(SEALER.seal(data)));
    match check_wire(&sealed) {
        Some(cursor) => assert_eq!(cursor.to_bytes(), data, "{data:?} read as {cursor:?}"),
        None => assert!(Cursor::from_bytes(data).is_err(), "{data:?}"),
    }
}

/// Decodes `wire`, checks the result and returns the cursor it held, if any.
pub fn check_wire(wire: &str) -> Option<Cursor> {
    match CODEC.decode(wire) {
        Err(e) => {
            assert_eq!(e, CursorError::Malformed, "unexpected refusal of {wire:?}");
            None
        }
        Ok(cursor) => {
            let again = CODEC.encode(&cursor);
            assert_eq!(
                CODEC.decode(&again).as_ref(),
                Ok(&cursor),
                "{wire:?} decoded, but its encoding {again:?} does not decode to the same cursor"
            );
            assert_eq!(Cursor::from_bytes(&cursor.to_bytes()).as_ref(), Ok(&cursor));
            for sort in TaskSort::ALL {
                assert_eq!(
                    cursor.check_sort(sort).is_ok(),
                    sort == cursor.sort(),
                    "check_sort({sort}) of a cursor for {}",
                    cursor.sort()
                );
            }
            Some(cursor)
        }
    }
}
