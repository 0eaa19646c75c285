//! A task's history as the task page shows it: who changed what, when, before → after.

use taskforge_domain::model::{Change, HistoryEntry, ProjectChange, TaskChange, TaskFieldChange};
use taskforge_domain::values::Labels;

/// One entry of a task's history, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// When, RFC 3339 (UTC), for the `datetime` attribute.
    pub at: String,
    /// When, as shown: date and minute, UTC.
    pub at_shown: String,
    /// Who: their username when they are a member, else "someone".
    pub who: String,
    /// What happened, e.g. "changed", "moved it", "created it".
    pub what: &'static str,
    /// The changed fields: (field, before, after).
    pub changes: Vec<(&'static str, String, String)>,
}

/// The rows of `entries`, naming actors from `members` ((id, username) pairs).
#[must_use]
pub fn rows(entries: &[HistoryEntry], members: &[(String, String)]) -> Vec<HistoryRow> {
    entries.iter().map(|entry| row(entry, members)).collect()
}

fn row(entry: &HistoryEntry, members: &[(String, String)]) -> HistoryRow {
    let actor = entry.actor.to_string();
    let who = members
        .iter()
        .find(|(id, _)| *id == actor)
        .map_or_else(|| String::from("someone"), |(_, name)| name.clone());
    let at = entry.at.to_rfc3339();
    // `2026-12-06T13:45:10.123456Z` → `2026-12-06 13:45 UTC`.
    let at_shown = format!("{} {} UTC", at.get(..10).unwrap_or(&at), at.get(11..16).unwrap_or(""));
    let (what, changes) = match &entry.change {
        Change::Task { change, .. } => match change {
            TaskChange::Created => ("created it", Vec::new()),
            TaskChange::Updated(changes) => ("changed", fields(changes)),
            TaskChange::Moved(c) => (
                "moved it to another project",
                vec![("project", c.before.to_string(), c.after.to_string())],
            ),
            TaskChange::Trashed => ("moved it to the trash", Vec::new()),
            TaskChange::Restored { cleared } => ("restored it from the trash", fields(cleared)),
            TaskChange::Reverted { changes, .. } => ("reverted a change", fields(changes)),
        },
        Change::Project(ProjectChange::Created | ProjectChange::Updated(_)) => {
            ("changed the project", Vec::new())
        }
    };
    HistoryRow { at, at_shown, who, what, changes }
}

fn fields(changes: &[TaskFieldChange]) -> Vec<(&'static str, String, String)> {
    fn text<T: ToString>(value: Option<&T>) -> String {
        value.map_or_else(|| String::from("—"), ToString::to_string)
    }
    fn labels(labels: &Labels) -> String {
        let all: Vec<&str> = labels.iter().map(|l| l.as_str()).collect();
        if all.is_empty() { String::from("—") } else { all.join(", ") }
    }
    changes
        .iter()
        .map(|change| {
            let (before, after) = match change {
                TaskFieldChange::Title(c) => (c.before.to_string(), c.after.to_string()),
                TaskFieldChange::Description(c) => (c.before.to_string(), c.after.to_string()),
                TaskFieldChange::Status(c) => (c.before.to_string(), c.after.to_string()),
                TaskFieldChange::Priority(c) => (c.before.to_string(), c.after.to_string()),
                TaskFieldChange::Category(c) => (text(c.before.as_ref()), text(c.after.as_ref())),
                TaskFieldChange::Assignee(c) => (text(c.before.as_ref()), text(c.after.as_ref())),
                TaskFieldChange::Labels(c) => (labels(&c.before), labels(&c.after)),
                TaskFieldChange::DueDate(c) => (text(c.before.as_ref()), text(c.after.as_ref())),
                TaskFieldChange::Parent(c) => (text(c.before.as_ref()), text(c.after.as_ref())),
                TaskFieldChange::IsPublic(c) => {
                    (yes_no(c.before).to_owned(), yes_no(c.after).to_owned())
                }
            };
            (change.field().as_str(), before, after)
        })
        .collect()
}

const fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}
