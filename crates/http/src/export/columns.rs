//! The columns every tabular format shares (`docs/api.md`, "Export"): names, and each row's cells
//! as text.

use taskforge_domain::services::ExportRow;

/// The columns, in order: the CSV header and the XML child elements.
pub(crate) const COLUMNS: [&str; 14] = [
    "id",
    "project_id",
    "title",
    "description",
    "status",
    "priority",
    "category",
    "assignee",
    "labels",
    "due_date",
    "parent_id",
    "is_public",
    "created_at",
    "updated_at",
];

/// The index of the `labels` column (XML nests the labels instead of joining them).
pub(crate) const LABELS: usize = 8;

/// The cells of `row`, in [`COLUMNS`] order: the category's name, the assignee's username,
/// the labels joined by `;`, empty text for an absent value, RFC 3339 timestamps.
pub(crate) fn cells(row: &ExportRow) -> [String; 14] {
    let t = &row.task;
    let labels: Vec<&str> = t.labels.iter().map(|l| l.as_str()).collect();
    [
        t.id.to_string(),
        t.project_id.to_string(),
        t.title.to_string(),
        t.description.to_string(),
        t.status.to_string(),
        t.priority.to_string(),
        row.category.as_ref().map(ToString::to_string).unwrap_or_default(),
        row.assignee.as_ref().map(ToString::to_string).unwrap_or_default(),
        labels.join(";"),
        t.due_date.map(|d| d.to_string()).unwrap_or_default(),
        t.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        t.is_public.to_string(),
        t.created_at.to_rfc3339(),
        t.updated_at.to_rfc3339(),
    ]
}
