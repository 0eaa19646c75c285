//! The category cursor's parser, property-tested: every cursor the service can issue
//! round-trips through its wire form, and arbitrary text — random, or a real cursor tampered
//! with — is refused or decodes to a valid position, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use taskforge_domain::query::CategoryCursor;
use taskforge_domain::values::CategoryName;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Category, CategoryId};

/// Any valid category name: 1–50 characters of any printable kind, trimmed.
fn any_name() -> impl Strategy<Value = CategoryName> {
    "[\\PC]{1,50}".prop_filter_map("a valid name", |raw| CategoryName::parse(&raw).ok())
}

fn category(name: CategoryName) -> Category {
    Category { id: CategoryId::new(), name, created_at: Timestamp::from_unix_micros(0).unwrap() }
}

proptest! {
    #[test]
    fn every_issued_cursor_round_trips(name in any_name()) {
        let cursor = CategoryCursor::after(&category(name.clone()));
        let wire = cursor.encode();
        prop_assert!(wire.len() <= 300, "{} bytes", wire.len());
        prop_assert!(wire.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
        let decoded = CategoryCursor::decode(&wire);
        prop_assert_eq!(decoded.as_ref().map(CategoryCursor::name), Ok(&name));
    }

    #[test]
    fn decoding_arbitrary_text_never_panics_and_only_yields_valid_names(raw in "\\PC{0,400}") {
        if let Ok(cursor) = CategoryCursor::decode(&raw) {
            prop_assert!(CategoryName::parse(cursor.name().as_str()).is_ok());
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_behind_the_prefix_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..240)) {
        let raw = format!("c1.{}", URL_SAFE_NO_PAD.encode(&bytes));
        if let Ok(cursor) = CategoryCursor::decode(&raw) {
            prop_assert_eq!(cursor.name().as_str().as_bytes(), bytes.as_slice());
        }
    }

    #[test]
    fn a_tampered_cursor_is_refused_or_still_a_valid_position(
        name in any_name(),
        at in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9_.=+/-]",
    ) {
        let wire = CategoryCursor::after(&category(name)).encode();
        let mut chars: Vec<char> = wire.chars().collect();
        let i = at.index(chars.len());
        chars[i] = replacement.chars().next().unwrap();
        let tampered: String = chars.into_iter().collect();
        if let Ok(cursor) = CategoryCursor::decode(&tampered) {
            prop_assert!(CategoryName::parse(cursor.name().as_str()).is_ok());
            prop_assert_eq!(cursor.encode(), tampered);
        }
    }
}
