//! CSV (RFC 4180): UTF-8, CRLF line ends, fields quoted when they hold a comma, a quote or a
//! line break (quotes doubled) — all by the `csv` crate — and the spreadsheet formula guard.

use std::borrow::Cow;
use std::io;

use csv::{Terminator, WriterBuilder};
use taskforge_domain::values::is_invisible;

use super::columns::{COLUMNS, cells};
use super::{ExportRow, Exporter};

/// Tab and carriage return as a cell's very first character help smuggle a formula past
/// spreadsheets that strip them on import.
const SMUGGLERS: [char; 2] = ['\t', '\r'];

/// The characters that make a spreadsheet treat a cell as a formula, with their full-width and
/// small forms, which some spreadsheets fold to the ASCII ones on import.
const FORMULA_STARTERS: [char; 12] = [
    '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}', '\u{fe66}', '\u{fe62}',
    '\u{fe63}', '\u{fe6b}',
];

/// `cell`, prefixed with `'` (which spreadsheets show as text; OWASP, "CSV injection") when it
/// starts like a formula: with a tab or carriage return, or when its first visible character
/// is a formula starter. Spreadsheets skip leading spaces, no-break spaces, zero-width
/// characters and a byte-order mark before they look for `=`, so the guard skips them too
/// ([`is_invisible`]).
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    let formula = cell.starts_with(SMUGGLERS)
        || cell.chars().find(|c| !is_invisible(*c)).is_some_and(|c| FORMULA_STARTERS.contains(&c));
    if formula { Cow::Owned(format!("'{cell}")) } else { cell.into() }
}

/// Writes `record` as one CSV line to `out`.
fn write_record<I, T>(out: &mut Vec<u8>, record: I) -> io::Result<()>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    // A writer per line, over the chunk: cheap, and it leaves nothing buffered between rows.
    let mut writer = WriterBuilder::new().terminator(Terminator::CRLF).from_writer(out);
    writer.write_record(record)?;
    writer.flush()
}

/// The CSV format: the header of `columns::COLUMNS`, then one line per task.
#[derive(Debug, Default)]
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn begin(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        write_record(out, COLUMNS)
    }

    fn row(&mut self, row: &ExportRow, out: &mut Vec<u8>) -> io::Result<()> {
        let cells = cells(row);
        write_record(out, cells.iter().map(|c| guard(c).into_owned()))
    }

    fn end(&mut self, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_guarded_and_nothing_else() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["a=1", "", "1-2", "'=x", "   ", "\u{a0}x=1", "x\u{ff1d}1"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn a_formula_behind_blank_characters_or_in_full_width_is_guarded() {
        for cell in [
            " =x",
            "   +1",
            "\u{a0}=HYPERLINK(\"http://x\")",
            "\u{200b}=1",
            "\u{feff}@SUM(A1)",
            "\u{2060}\u{200d} -1",
            "\u{3000}=1",
            "\n=1",
            "\u{ff1d}1+1",
            "\u{ff0b}1",
            "\u{ff0d}1",
            "\u{ff20}SUM(A1)",
            " \u{feff}\u{fe66}1",
            "\u{fe62}1",
            "\u{fe63}1",
            "\u{fe6b}x",
        ] {
            assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
        }
    }
}
