//! A secret on the wire (a password, a refresh token): a JSON string that is never printed,
//! logged or echoed back.
//!
//! Two leaks are closed here. `Debug` prints `<redacted>`, so a body logged by mistake shows
//! no secret. And a value of the wrong JSON type is refused *without* quoting it: serde's own
//! message would read ``invalid type: integer `12345678`, expected a string``, and that text
//! goes into the 400 problem's `detail`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A secret string from a request body. Read it with [`SecretString::expose_secret`], only to
/// hand it to the use case.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// The secret itself. Do not log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The secret itself, by value. Do not log it.
    #[must_use]
    pub fn into_secret(self) -> String {
        self.0
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`, not `deserialize_string`: for a string hint serde_json refuses a
        // number itself, quoting it, without asking the visitor.
        deserializer.deserialize_any(SecretVisitor)
    }
}

struct SecretVisitor;

/// Refuses a non-string scalar without quoting it. (Maps, arrays and `null` are refused by
/// serde's defaults, which name only the kind of value.)
fn not_a_string<E: de::Error>() -> E {
    E::custom("invalid type: expected a string")
}

impl Visitor<'_> for SecretVisitor {
    type Value = SecretString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretString, E> {
        Ok(SecretString(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<SecretString, E> {
        Ok(SecretString(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretString, E> {
        Err(not_a_string())
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<SecretString, E> {
        Ok(SecretString(v.to_string()))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<SecretString, E> {
        Err(not_a_string())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_string_is_read_and_never_printed() {
        let s: SecretString = serde_json::from_value(json!("hunter2 hunter2")).unwrap();
        assert_eq!(s.expose_secret(), "hunter2 hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
    }

    #[test]
    fn a_value_of_another_type_is_refused_without_being_quoted() {
        for value in [json!(12_345_678), json!(-12_345_678), json!(1234.5678), json!(true)] {
            let e = serde_json::from_value::<SecretString>(value.clone()).unwrap_err();
            let message = e.to_string();
            assert!(!message.contains("1234") && !message.contains("true"), "{message}");
        }
        for value in [json!(null), json!(["x"]), json!({"a": "b"})] {
            assert!(serde_json::from_value::<SecretString>(value).is_err());
        }
    }
}
