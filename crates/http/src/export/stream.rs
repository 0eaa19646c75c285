//! Drives an export: pages from the domain's [`TaskExport`] through an [`Exporter`] into
//! chunks, one chunk per page, read only when the previous chunk was taken — so the first
//! bytes go out after the first page and memory holds one page at a time.

use std::fmt;

use taskforge_domain::services::{TaskError, TaskExport};

use super::Exporter;

/// Why an export stopped before its end.
#[derive(Debug)]
pub enum ExportFailure {
    /// Reading the tasks failed.
    Store(TaskError),
    /// A row could not be encoded.
    Encode(std::io::Error),
}

impl fmt::Display for ExportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "export stopped: {e}"),
            Self::Encode(e) => write!(f, "export stopped: a row could not be encoded: {e}"),
        }
    }
}

impl std::error::Error for ExportFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            Self::Encode(e) => Some(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Begin,
    Rows,
    Done,
}

/// An export in chunks: the first holds the document's beginning and the first page, each
/// next one the next page, the last one the document's end.
#[derive(Debug)]
pub struct ExportStream {
    export: TaskExport,
    exporter: Box<dyn Exporter>,
    phase: Phase,
    rows: u64,
}

impl ExportStream {
    /// Streams `export` through `exporter`.
    #[must_use]
    pub fn new(export: TaskExport, exporter: Box<dyn Exporter>) -> Self {
        Self { export, exporter, phase: Phase::Begin, rows: 0 }
    }

    /// The next chunk, or `None` after the last one. After an error the stream is over.
    ///
    /// # Errors
    /// [`ExportFailure`] when a page cannot be read or a row encoded.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ExportFailure> {
        let result = self.advance().await;
        if result.is_err() {
            self.phase = Phase::Done;
        }
        result
    }

    async fn advance(&mut self) -> Result<Option<Vec<u8>>, ExportFailure> {
        let mut chunk = Vec::new();
        match self.phase {
            Phase::Done => return Ok(None),
            Phase::Begin => {
                self.exporter.begin(&mut chunk).map_err(ExportFailure::Encode)?;
                self.phase = Phase::Rows;
            }
            Phase::Rows => {}
        }
        match self.export.next_page().await.map_err(ExportFailure::Store)? {
            Some(rows) => {
                for row in &rows {
                    self.exporter.row(row, &mut chunk).map_err(ExportFailure::Encode)?;
                }
                self.rows += rows.len() as u64;
            }
            None => {
                self.exporter.end(&mut chunk).map_err(ExportFailure::Encode)?;
                self.phase = Phase::Done;
            }
        }
        Ok(Some(chunk))
    }

    /// How many rows have been written so far.
    #[must_use]
    pub const fn rows(&self) -> u64 {
        self.rows
    }

    /// How many pages have been read from the repository so far.
    #[must_use]
    pub const fn pages_read(&self) -> usize {
        self.export.pages_read()
    }
}
