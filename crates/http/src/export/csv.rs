//! CSV (RFC 4180): UTF-8, CRLF line ends, fields quoted when they hold a comma, a quote or a
//! line break (quotes doubled) — all by the `csv` crate — and the spreadsheet formula guard.

use std::borrow::Cow;
use std::io;

use csv::{Terminator, WriterBuilder};

use super::columns::{COLUMNS, cells};
use super::{ExportRow, Exporter};

/// The first characters that make a spreadsheet treat a cell as a formula (or, for tab and
/// carriage return, help smuggle one): a cell starting with one is written with a `'` before
/// it, which spreadsheets show as text (OWASP, "CSV injection").
const FORMULA_STARTERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell`, prefixed with `'` when it starts like a formula.
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTERS) { Cow::Owned(format!("'{cell}")) } else { cell.into() }
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

/// The CSV format: the header of design §5, then one line per task.
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
        for cell in ["a=1", "", "1-2", "'=x", " =x"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }
}
