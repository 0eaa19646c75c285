//! XML: `<tasks><task id="…">…</task></tasks>`, one child element per CSV column, labels as
//! `<labels><label>…</label></labels>`; well-formed whatever the text holds.
//!
//! **Characters XML 1.0 cannot carry.** XML 1.0 allows tab, line feed, carriage return and
//! U+0020 onwards except the surrogates and U+FFFE / U+FFFF — not even as character references.
//! The domain's value objects rule out most of the rest (titles and names refuse every control
//! character, descriptions every one but tab and line breaks; usernames and labels are letters,
//! digits and a little punctuation), but they accept the noncharacters U+FFFE and U+FFFF, so
//! the claim "impossible by construction" does not hold in full: this writer replaces any
//! character XML 1.0 forbids by U+FFFD (the replacement character) rather than produce a
//! document no parser accepts. A carriage return is written as `&#13;`, because a parser turns
//! a literal one into a line feed (XML 1.0 §2.11) and the text would not read back the same.

use std::borrow::Cow;
use std::io;

use quick_xml::escape::{escape, partial_escape};

use super::columns::{COLUMNS, LABELS, cells};
use super::{ExportRow, Exporter};

/// True for the characters XML 1.0 documents may contain (production `Char`).
const fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// `text` as element content: forbidden characters replaced, markup escaped by quick-xml
/// (`&`, `<`, `>` — so `]]>` cannot close anything), carriage returns as references.
pub(crate) fn text(text: &str) -> Cow<'_, str> {
    let clean: Cow<'_, str> = if text.chars().all(is_xml_char) {
        text.into()
    } else {
        text.chars().map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' }).collect::<String>().into()
    };
    let escaped = match partial_escape(clean.as_ref()) {
        Cow::Borrowed(_) => clean,
        Cow::Owned(s) => Cow::Owned(s),
    };
    if escaped.contains('\r') { escaped.replace('\r', "&#13;").into() } else { escaped }
}

/// The XML format.
#[derive(Debug, Default)]
pub struct XmlExporter;

impl Exporter for XmlExporter {
    fn begin(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tasks>\n");
        Ok(())
    }

    fn row(&mut self, row: &ExportRow, out: &mut Vec<u8>) -> io::Result<()> {
        let cells = cells(row);
        out.extend_from_slice(b"<task id=\"");
        out.extend_from_slice(escape(cells[0].as_str()).as_bytes());
        out.extend_from_slice(b"\">");
        for (index, (name, cell)) in COLUMNS.iter().zip(&cells).enumerate() {
            open(out, name);
            if index == LABELS {
                for label in &row.task.labels {
                    open(out, "label");
                    out.extend_from_slice(text(label.as_str()).as_bytes());
                    close(out, "label");
                }
            } else {
                out.extend_from_slice(text(cell).as_bytes());
            }
            close(out, name);
        }
        out.extend_from_slice(b"</task>\n");
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"</tasks>\n");
        Ok(())
    }
}

fn open(out: &mut Vec<u8>, name: &str) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

fn close(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_carriage_returns_are_escaped() {
        assert_eq!(text("a < b && c ]]> d"), "a &lt; b &amp;&amp; c ]]&gt; d");
        assert_eq!(text("line\r\nnext\ttab"), "line&#13;\nnext\ttab");
        assert_eq!(text("plain 🦀"), "plain 🦀");
    }

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(text("a\u{1}b\u{FFFE}c\u{FFFF}d\u{B}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}");
    }

    #[test]
    fn the_domain_refuses_control_characters_but_not_noncharacters() {
        use taskforge_domain::values::{Description, TaskTitle};
        // Verifies the module docs' claim about the value objects.
        assert!(TaskTitle::parse("a\u{1}b").is_err());
        assert!(TaskTitle::parse("a\tb").is_err());
        assert!(Description::parse("a\u{1}b").is_err());
        assert!(Description::parse("a\u{7F}b").is_err());
        assert!(Description::parse("tab\tcr\rlf\n").is_ok());
        assert!(TaskTitle::parse("x\u{FFFE}").is_ok(), "noncharacters pass the domain");
        assert!(Description::parse("x\u{FFFF}").is_ok(), "noncharacters pass the domain");
    }
}
