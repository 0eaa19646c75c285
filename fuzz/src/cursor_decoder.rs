//! `Cursor::decode` on arbitrary input, two ways: the bytes as the wire text, and the bytes as
//! the plain text inside a well-formed `v1.` envelope (so the fuzzer reaches the sort, id and
//! value parsers without having to learn base64).
//!
//! Every refusal must be [`CursorError::Malformed`]; every accepted cursor must decode again
//! from its own encoding to the same cursor, and belong to its own sort order only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use taskforge_domain::query::{Cursor, CursorError, SortDirection, SortField, TaskSort};

/// Every sort order a cursor can be issued for.
const SORTS: [TaskSort; 8] = {
    use SortDirection::{Ascending, Descending};
    use SortField::{CreatedAt, DueDate, Priority, Title};
    [
        TaskSort { field: CreatedAt, direction: Ascending },
        TaskSort { field: CreatedAt, direction: Descending },
        TaskSort { field: Priority, direction: Ascending },
        TaskSort { field: Priority, direction: Descending },
        TaskSort { field: DueDate, direction: Ascending },
        TaskSort { field: DueDate, direction: Descending },
        TaskSort { field: Title, direction: Ascending },
        TaskSort { field: Title, direction: Descending },
    ]
};

/// The fuzz target's body.
pub fn check(data: &[u8]) {
    check_wire(&String::from_utf8_lossy(data));
    check_wire(&format!("v1.{}", B64URL.encode(data)));
}

/// Decodes `wire` and checks the result.
pub fn check_wire(wire: &str) {
    match Cursor::decode(wire) {
        Err(e) => assert_eq!(e, CursorError::Malformed, "unexpected refusal of {wire:?}"),
        Ok(cursor) => {
            let again = cursor.encode();
            assert_eq!(
                Cursor::decode(&again).as_ref(),
                Ok(&cursor),
                "{wire:?} decoded, but its encoding {again:?} does not decode to the same cursor"
            );
            for sort in SORTS {
                assert_eq!(
                    cursor.check_sort(sort).is_ok(),
                    sort == cursor.sort(),
                    "check_sort({sort}) of a cursor for {}",
                    cursor.sort()
                );
            }
        }
    }
}
