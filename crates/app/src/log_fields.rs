//! Field formatting for the `pretty` log format that no value can forge.
//!
//! The pretty format writes `name=value` pairs separated by spaces. Written as they come, a
//! value holding a space and an `=` — a username such as `mallory event="login_succeeded"` —
//! reads as extra fields, and a line feed as a whole extra line. [`EscapedFields`](crate::log_fields::EscapedFields) writes every
//! value that is not a plain token as a quoted string with `"` and `\` escaped and every
//! control or invisible character spelled out (`\n`, `\u{202e}`), and escapes those characters
//! in the message too. It does so for every field, not a list of known ones: whichever field a
//! future log line adds is covered. The `json` format needs none of this — JSON strings are
//! escaped by construction.

use std::fmt::{self, Write as _};

use taskforge_domain::values::is_invisible;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;

/// The field formatter of the pretty format (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct EscapedFields;

impl<'a> MakeVisitor<Writer<'a>> for EscapedFields {
    type Visitor = EscapingVisitor<'a>;

    fn make_visitor(&self, target: Writer<'a>) -> Self::Visitor {
        EscapingVisitor { writer: target, first: true, result: Ok(()) }
    }
}

/// Writes one event's or span's fields (made by [`EscapedFields`]).
#[derive(Debug)]
pub struct EscapingVisitor<'a> {
    writer: Writer<'a>,
    first: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_> {
    fn write(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        self.result = if field.name() == "message" {
            write!(self.writer, "{separator}{}", Escaped(value))
        } else if is_token(value) {
            write!(self.writer, "{separator}{}={value}", field.name())
        } else {
            write!(self.writer, "{separator}{}=\"{}\"", field.name(), Quoted(value))
        };
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.write(field, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` arrives here too, as its `Display` text.
        let text = format!("{value:?}");
        self.write(field, &text);
    }
}

impl VisitOutput<fmt::Result> for EscapingVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for EscapingVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

/// True when `value` can stand unquoted: not empty, and nothing that could end it or start
/// another field (white space, `=`, quotes, backslashes, control or invisible characters).
fn is_token(value: &str) -> bool {
    !value.is_empty() && !value.chars().any(|c| matches!(c, '=' | '"' | '\\') || is_invisible(c))
}

/// A value inside double quotes: `"` and `\` escaped, control and invisible characters
/// spelled out; plain spaces stay.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c => write_char(f, c)?,
            }
        }
        Ok(())
    }
}

/// Free text (a message): control and invisible characters spelled out, nothing else.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| write_char(f, c))
    }
}

fn write_char(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        ' ' => f.write_char(' '),
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c if is_invisible(c) => write!(f, "{}", c.escape_unicode()),
        c => f.write_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tokens_stay_bare_and_everything_else_is_quoted() {
        assert!(is_token("alice") && is_token("/api/v1/tasks/{id}") && is_token("GET"));
        for value in ["", "a b", "a=b", "a\"b", "a\\b", "a\nb", "a\u{202e}b", "a\u{a0}b"] {
            assert!(!is_token(value), "{value:?}");
        }
        let quoted = Quoted("mallory event=\"login_succeeded\"\n\u{202e}\\").to_string();
        assert_eq!(quoted, "mallory event=\\\"login_succeeded\\\"\\n\\u{202e}\\\\");
        assert_eq!(Escaped("two\nlines\u{200b}").to_string(), "two\\nlines\\u{200b}");
    }
}
