//! Downloads of a project's tasks in the API's formats.
//!
//! The formats (CSV, XML, JSON) and their writers belong to the JSON adapter, and this crate
//! may not depend on it. So the web interface names what it needs as a trait, and the app
//! crate — the one place that knows both adapters — implements it with the API's exporters:
//! the same bytes come out of `/projects/{id}/export.csv` and `/api/v1/tasks/export`.

use async_trait::async_trait;
use taskforge_domain::services::TaskExport;

/// An export being written: chunks of the document, page by page.
#[async_trait]
pub trait ExportChunks: Send {
    /// The next chunk, or `None` after the last one.
    ///
    /// # Errors
    /// A message for the log when a page cannot be read or a row encoded.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String>;
}

/// A download ready to stream.
pub struct ExportDownload {
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The file name offered to the browser.
    pub file_name: String,
    /// The document, in chunks.
    pub chunks: Box<dyn ExportChunks>,
}

impl std::fmt::Debug for ExportDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportDownload")
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

/// The export formats, by the extension in the URL (`csv`, `xml`, `json`).
pub trait ExportFormats: Send + Sync + std::fmt::Debug {
    /// A download of `export` in the format with this extension, or `None` for an unknown
    /// one.
    fn open(&self, extension: &str, export: TaskExport) -> Option<ExportDownload>;
}

/// No formats: every export link is a 404 page (for tests that do not need exports).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoExports;

impl ExportFormats for NoExports {
    fn open(&self, _extension: &str, _export: TaskExport) -> Option<ExportDownload> {
        None
    }
}
