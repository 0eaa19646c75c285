//! The text of the stream: Server-Sent Events frames (the WHATWG HTML standard's
//! `text/event-stream`), one per change, plus the comments and control events around them.

use actix_web::web::Bytes;
use taskforge_domain::model::HistoryEntry;
use taskforge_domain::ports::LiveEntry;

use crate::dto::HistoryEntryResponse;

/// Sent first: how long a client waits before reconnecting (ms), and a comment so the client
/// sees the stream open at once.
pub(crate) const OPENING: &str = "retry: 1000\n: connected\n\n";

/// The heartbeat: a comment, which clients ignore and proxies see as traffic.
pub(crate) const KEEP_ALIVE: &str = ": keep-alive\n\n";

/// The client's last seen id is not in the log: it must reload what it shows. The empty `id`
/// clears the browser's last event id, so its next reconnection does not ask again.
pub(crate) const RESET: &str = "event: reset\nid\ndata: {}\n\n";

/// One change: `id` is its position in the change log (what `Last-Event-ID` resumes from),
/// `event` its kind, `data` the entry as JSON on one line.
pub(crate) fn entry(entry: &LiveEntry) -> Bytes {
    let data = data(&entry.entry);
    // serde_json escapes every control character, so the data holds no line break that
    // would end the field.
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        entry.entry.id,
        entry.entry.change.kind()
    ))
}

/// The entry as JSON, exactly as a task's history shows it.
fn data(entry: &HistoryEntry) -> String {
    // Serialising strings, numbers and arrays of them cannot fail; `{}` is never sent then.
    serde_json::to_string(&HistoryEntryResponse::from(entry)).unwrap_or_else(|_| String::from("{}"))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use taskforge_domain::model::{Change, EntryId, FieldChange, TaskChange, TaskFieldChange};
    use taskforge_domain::values::{Status, Timestamp};
    use taskforge_domain::{ProjectId, TaskId, UserId};

    use super::*;

    #[test]
    fn an_update_is_one_event_whose_data_names_each_field_before_and_after() {
        let entry = HistoryEntry {
            id: EntryId::new(42).unwrap_or(EntryId::MAX),
            project_id: ProjectId::new(),
            actor: UserId::new(),
            at: Timestamp::from_unix_micros(0).unwrap_or_else(|| unreachable!()),
            change: Change::Task {
                task_id: TaskId::new(),
                change: TaskChange::Updated(vec![TaskFieldChange::Status(FieldChange {
                    before: Status::Todo,
                    after: Status::Done,
                })]),
            },
        };
        let frame = super::entry(&LiveEntry { entry, task_is_public: false });
        let text = String::from_utf8_lossy(&frame);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("id: 42"));
        assert_eq!(lines.next(), Some("event: task_updated"));
        let data: Value =
            serde_json::from_str(lines.next().and_then(|l| l.strip_prefix("data: ")).unwrap_or(""))
                .unwrap_or_default();
        let status = serde_json::json!([{"field": "status", "before": "todo", "after": "done"}]);
        assert_eq!(data["changes"], status);
        assert_eq!(data["id"], 42);
        assert!(text.ends_with("\n\n") && !text.trim_end().contains("\n\n"), "one event: {text:?}");
    }
}
