//! One field of a JSON merge-patch (RFC 7396): absent, `null`, or a value.

use serde::{Deserialize, Deserializer};

/// A merge-patch field. Use with `#[serde(default)]` so an absent field is [`Field::Absent`];
/// `null` is [`Field::Null`]. (`Option<T>` alone cannot tell the two apart.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// Not in the body: leave the value as it is.
    #[default]
    Absent,
    /// `null`: clear the value.
    Null,
    /// A new value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| v.map_or(Self::Null, Self::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        a: Field<String>,
    }

    #[test]
    fn absent_null_and_value_are_three_different_things() {
        let parse = |s: &str| serde_json::from_str::<Body>(s).unwrap().a;
        assert_eq!(parse("{}"), Field::Absent);
        assert_eq!(parse(r#"{"a":null}"#), Field::Null);
        assert_eq!(parse(r#"{"a":"x"}"#), Field::Value(String::from("x")));
    }
}
