//! The one place export formats are registered (Factory): the name clients pass as
//! `format=`, the media type and file extension of the download, and how to make the
//! exporter. The list of accepted formats in errors and in the OpenAPI document comes from
//! here too, so a new format is one new [`super::Exporter`] type and one line below.

use std::fmt;

use super::{CsvExporter, Exporter, JsonExporter, XmlExporter};

/// A registered export format.
#[derive(Clone, Copy)]
pub struct ExportFormat {
    /// The `format=` value.
    pub name: &'static str,
    /// The file extension of the download (`tasks.<extension>`).
    pub extension: &'static str,
    /// The `Content-Type` of the download, with its charset where the type has one.
    pub content_type: &'static str,
    make: fn() -> Box<dyn Exporter>,
}

impl fmt::Debug for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportFormat")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl ExportFormat {
    /// A fresh exporter of this format.
    #[must_use]
    pub fn exporter(&self) -> Box<dyn Exporter> {
        (self.make)()
    }

    /// The download's file name, `tasks.<extension>`.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("tasks.{}", self.extension)
    }
}

/// Every export format, the default (`json`) first.
pub static FORMATS: &[ExportFormat] = &[
    ExportFormat {
        name: "json",
        extension: "json",
        content_type: "application/json",
        make: || Box::new(JsonExporter::default()),
    },
    ExportFormat {
        name: "csv",
        extension: "csv",
        content_type: "text/csv; charset=utf-8",
        make: || Box::new(CsvExporter),
    },
    ExportFormat {
        name: "xml",
        extension: "xml",
        content_type: "application/xml; charset=utf-8",
        make: || Box::new(XmlExporter),
    },
];

/// The format named `name`.
///
/// # Errors
/// [`UnknownFormat`] (whose message names the accepted formats) for any other name.
pub fn find(name: &str) -> Result<&'static ExportFormat, UnknownFormat> {
    FORMATS.iter().find(|f| f.name == name).ok_or(UnknownFormat)
}

/// The format used when none is asked for.
#[must_use]
pub fn default_format() -> &'static ExportFormat {
    &FORMATS[0]
}

/// The accepted names, comma-separated: `json, csv, xml`.
#[must_use]
pub fn accepted() -> String {
    FORMATS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

/// A `format` that is not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownFormat;

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "format must be one of {}", accepted())
    }
}

impl std::error::Error for UnknownFormat {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_found_by_its_name_and_names_are_unique() {
        for format in FORMATS {
            assert_eq!(find(format.name).map(|f| f.extension), Ok(format.extension));
        }
        let mut names: Vec<_> = FORMATS.iter().map(|f| f.name).collect();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len());
        assert_eq!(default_format().name, "json");
    }

    #[test]
    fn an_unknown_format_names_the_accepted_ones() {
        assert_eq!(find("yaml").unwrap_err().to_string(), "format must be one of json, csv, xml");
        assert!(find("CSV").is_err(), "names are exact");
    }
}
