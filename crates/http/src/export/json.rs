//! JSON: one array of the task objects `GET /api/v1/tasks` returns, streamed element by element.

use std::io;

use super::{ExportRow, Exporter};
use crate::dto::TaskResponse;

/// The JSON format: `[`, the tasks separated by commas (one per line), `]`.
#[derive(Debug, Default)]
pub struct JsonExporter {
    rows: u64,
}

impl Exporter for JsonExporter {
    fn begin(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.push(b'[');
        Ok(())
    }

    fn row(&mut self, row: &ExportRow, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(if self.rows == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut *out, &TaskResponse::from(&row.task))?;
        self.rows += 1;
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(b"\n]\n");
        Ok(())
    }
}
