//! Task exports (`docs/api.md`, "Export"): the [`Exporter`](crate::export::Exporter) strategy, one type per format, and the
//! one [`registry`](crate::export::registry) (Factory) that maps a `format=` name to an exporter, its media type and its
//! file extension. Adding a format is one new type and one line in [`registry::FORMATS`](crate::export::registry::FORMATS);
//! nothing else names a format.
//!
//! **Why here, in the HTTP adapter?** The formats are a presentation concern of the driving
//! side, and the JSON format *is* the API's task object ([`crate::dto::TaskResponse`]), which
//! lives here; the `taskforge export` command of the app crate (which depends on this crate)
//! reuses the same registry and [`ExportStream`](crate::export::ExportStream). A crate of its own would have had to depend
//! on this one for the DTO, or split the DTO from its routes, for no second user. The domain
//! stays free of `csv` and `quick-xml`: it hands out [`ExportRow`](taskforge_domain::services::ExportRow) pages
//! ([`taskforge_domain::services::TaskExport`]) and knows nothing of formats.
//!
//! **Streaming.** An exporter writes into a byte buffer per chunk: [`Exporter::begin`](crate::export::Exporter::begin), then
//! [`Exporter::row`](crate::export::Exporter::row) for each task as its page arrives, then [`Exporter::end`](crate::export::Exporter::end). It keeps no
//! rows, so memory stays flat however many tasks are exported.

mod columns;
mod csv;
mod json;
pub mod registry;
mod stream;
mod xml;

pub use self::csv::CsvExporter;
pub use json::JsonExporter;
pub use registry::{ExportFormat, FORMATS, UnknownFormat};
pub use stream::{ExportFailure, ExportStream};
pub use taskforge_domain::services::ExportRow;
pub use xml::XmlExporter;

/// One export format (Strategy): writes the document's beginning, each row and its end, each
/// into the chunk buffer it is given. Writing into memory cannot fail for I/O reasons; the
/// error covers a value that cannot be encoded.
pub trait Exporter: Send + std::fmt::Debug {
    /// Writes what comes before the first row (a header, an opening tag).
    ///
    /// # Errors
    /// When the format cannot encode it.
    fn begin(&mut self, out: &mut Vec<u8>) -> std::io::Result<()>;

    /// Writes one task.
    ///
    /// # Errors
    /// When the format cannot encode the row.
    fn row(&mut self, row: &ExportRow, out: &mut Vec<u8>) -> std::io::Result<()>;

    /// Writes what comes after the last row.
    ///
    /// # Errors
    /// When the format cannot encode it.
    fn end(&mut self, out: &mut Vec<u8>) -> std::io::Result<()>;
}
