//! The text of the stream: Server-Sent Events frames (the WHATWG HTML standard's
//! `text/event-stream`), one per change, plus the comments and control events around them.

use actix_web::web::Bytes;
use serde_json::Value;
use taskforge_domain::model::{Change, HistoryEntry, TaskChange, TaskFieldChange};
use taskforge_domain::ports::LiveEntry;
use taskforge_domain::values::Labels;

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

/// The entry as JSON: what changed where, by whom and when, with the changed fields'
/// values before and after.
fn data(entry: &HistoryEntry) -> String {
    let mut data = serde_json::json!({
        "id": entry.id.get(),
        "kind": entry.change.kind(),
        "project_id": entry.project_id.to_string(),
        "task_id": entry.task_id().map(|t| t.to_string()),
        "actor_id": entry.actor.to_string(),
        "at": entry.at.to_rfc3339(),
    });
    match &entry.change {
        Change::Task { change: TaskChange::Moved(moved), .. } => {
            data["from_project_id"] = moved.before.to_string().into();
        }
        Change::Task { change: TaskChange::Updated(changes), .. }
        | Change::Task { change: TaskChange::Reverted { changes, .. }, .. }
        | Change::Task { change: TaskChange::Restored { cleared: changes }, .. } => {
            data["changes"] = task_changes(changes);
        }
        Change::Task { .. } | Change::Project(_) => {}
    }
    if let Change::Task { change: TaskChange::Reverted { entry: reverted, .. }, .. } = &entry.change
    {
        data["reverts"] = reverted.get().into();
    }
    data.to_string()
}

/// `{"field": {"before": …, "after": …}, …}`, fields named as the API names them.
fn task_changes(changes: &[TaskFieldChange]) -> Value {
    fn pair(before: Value, after: Value) -> Value {
        serde_json::json!({ "before": before, "after": after })
    }
    fn id<T: ToString>(value: Option<&T>) -> Value {
        value.map_or(Value::Null, |v| Value::String(v.to_string()))
    }
    fn labels(labels: &Labels) -> Value {
        labels.iter().map(|l| Value::String(l.as_str().to_owned())).collect()
    }
    let mut fields = serde_json::Map::new();
    for change in changes {
        let value = match change {
            TaskFieldChange::Title(c) => pair(c.before.as_str().into(), c.after.as_str().into()),
            TaskFieldChange::Description(c) => {
                pair(c.before.as_str().into(), c.after.as_str().into())
            }
            TaskFieldChange::Status(c) => pair(c.before.as_str().into(), c.after.as_str().into()),
            TaskFieldChange::Priority(c) => pair(c.before.as_str().into(), c.after.as_str().into()),
            TaskFieldChange::Category(c) => pair(id(c.before.as_ref()), id(c.after.as_ref())),
            TaskFieldChange::Assignee(c) => pair(id(c.before.as_ref()), id(c.after.as_ref())),
            TaskFieldChange::Labels(c) => pair(labels(&c.before), labels(&c.after)),
            TaskFieldChange::DueDate(c) => pair(id(c.before.as_ref()), id(c.after.as_ref())),
            TaskFieldChange::Parent(c) => pair(id(c.before.as_ref()), id(c.after.as_ref())),
            TaskFieldChange::IsPublic(c) => pair(c.before.into(), c.after.into()),
        };
        fields.insert(change.field().as_str().to_owned(), value);
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use taskforge_domain::model::{EntryId, FieldChange};
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
        assert_eq!(
            data["changes"]["status"],
            serde_json::json!({"before": "todo", "after": "done"})
        );
        assert_eq!(data["id"], 42);
        assert!(text.ends_with("\n\n") && !text.trim_end().contains("\n\n"), "one event: {text:?}");
    }
}
