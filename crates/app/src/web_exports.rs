//! The web interface's downloads through the API's exporters: the one place that knows both
//! driving adapters joins them, so `/projects/{id}/export.csv` writes exactly what
//! `/api/v1/tasks/export?format=csv` writes.

use async_trait::async_trait;
use taskforge_domain::services::TaskExport;
use taskforge_http::export::{ExportStream, FORMATS};
use taskforge_web::export::{ExportChunks, ExportDownload, ExportFormats};

/// The API's export registry, offered to the web interface by file extension.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiExportFormats;

struct Chunks(ExportStream);

#[async_trait]
impl ExportChunks for Chunks {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        self.0.next_chunk().await.map_err(|e| e.to_string())
    }
}

impl ExportFormats for ApiExportFormats {
    fn open(&self, extension: &str, export: TaskExport) -> Option<ExportDownload> {
        let format = FORMATS.iter().find(|f| f.extension == extension)?;
        Some(ExportDownload {
            content_type: format.content_type,
            file_name: format!("{}.{}", "tasks", format.extension),
            chunks: Box::new(Chunks(ExportStream::new(export, format.exporter()))),
        })
    }
}
