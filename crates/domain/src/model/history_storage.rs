//! The storage form of a [`Change`]: a kind name, the entry it reverts, and its fields as one
//! text column. Defined once here so every adapter stores the same text and reads every other
//! adapter's (a backup copied between stores keeps its history readable).
//!
//! The fields text has one line per field: `name TAB before TAB after`, where a value is `-`
//! for none or `=` followed by the value's text with `\`, tab, newline and carriage return
//! escaped as `\\`, `\t`, `\n`, `\r`. Labels are written space-separated (a label has no
//! space).

use super::history::{
    Change, EntryId, FieldChange, ProjectChange, ProjectFieldChange, TaskChange, TaskFieldChange,
};
use crate::id::{CategoryId, TaskId, UserId};
use crate::values::{
    Description, DueDate, Labels, Priority, ProjectDescription, ProjectName, Status, TaskTitle,
};

/// A stored change could not be read back: the text is not one this build writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored history entry is malformed: {0}")]
pub struct StoredChangeError(&'static str);

/// A [`Change`] as columns: see the module documentation for the fields text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    /// [`Change::kind`].
    pub kind: &'static str,
    /// The task the change is about, if any.
    pub task_id: Option<TaskId>,
    /// The entry a revert undid.
    pub reverts: Option<EntryId>,
    /// The changed fields, one per line.
    pub fields: String,
}

impl Change {
    /// The columns this change is stored as.
    #[must_use]
    pub fn to_stored(&self) -> StoredChange {
        let mut fields = String::new();
        let mut reverts = None;
        match self {
            Self::Task { change, .. } => match change {
                TaskChange::Created | TaskChange::Trashed => {}
                TaskChange::Updated(changes) | TaskChange::Restored { cleared: changes } => {
                    write_task_fields(&mut fields, changes);
                }
                TaskChange::Moved(c) => {
                    line(
                        &mut fields,
                        "project_id",
                        Some(&c.before.to_string()),
                        Some(&c.after.to_string()),
                    );
                }
                TaskChange::Reverted { entry, changes } => {
                    reverts = Some(*entry);
                    write_task_fields(&mut fields, changes);
                }
            },
            Self::Project(ProjectChange::Created) => {}
            Self::Project(ProjectChange::Updated(changes)) => {
                for change in changes {
                    let (b, a) = match change {
                        ProjectFieldChange::Name(c) => (c.before.to_string(), c.after.to_string()),
                        ProjectFieldChange::Description(c) => {
                            (c.before.to_string(), c.after.to_string())
                        }
                        ProjectFieldChange::Owner(c) => (c.before.to_string(), c.after.to_string()),
                    };
                    line(&mut fields, change.field_name(), Some(&b), Some(&a));
                }
            }
        }
        StoredChange { kind: self.kind(), task_id: self.task_id(), reverts, fields }
    }

    /// Reads back what [`Self::to_stored`] wrote.
    ///
    /// # Errors
    /// [`StoredChangeError`] when the kind is unknown, a task change has no task, or a field
    /// line does not parse.
    pub fn from_stored(
        kind: &str,
        task_id: Option<TaskId>,
        reverts: Option<EntryId>,
        fields: &str,
    ) -> Result<Self, StoredChangeError> {
        let lines = parse_lines(fields)?;
        let task = |change| {
            task_id
                .map(|task_id| Self::Task { task_id, change })
                .ok_or(StoredChangeError("a task change without a task"))
        };
        match kind {
            "task_created" => task(TaskChange::Created),
            "task_trashed" => task(TaskChange::Trashed),
            "task_updated" => task(TaskChange::Updated(task_fields(&lines)?)),
            "task_restored" => task(TaskChange::Restored { cleared: task_fields(&lines)? }),
            "task_reverted" => task(TaskChange::Reverted {
                entry: reverts.ok_or(StoredChangeError("a revert without its entry"))?,
                changes: task_fields(&lines)?,
            }),
            "task_moved" => {
                let [(name, Some(from), Some(to))] = lines.as_slice() else {
                    return Err(StoredChangeError("a move needs one project line"));
                };
                if name != "project_id" {
                    return Err(StoredChangeError("a move needs one project line"));
                }
                task(TaskChange::Moved(FieldChange { before: id(from)?, after: id(to)? }))
            }
            "project_created" => Ok(Self::Project(ProjectChange::Created)),
            "project_updated" => {
                let mut changes = Vec::new();
                for (name, before, after) in &lines {
                    let (Some(b), Some(a)) = (before, after) else {
                        return Err(StoredChangeError("a project field without a value"));
                    };
                    changes.push(match name.as_str() {
                        "name" => ProjectFieldChange::Name(FieldChange {
                            before: ProjectName::parse(b).map_err(|_| bad())?,
                            after: ProjectName::parse(a).map_err(|_| bad())?,
                        }),
                        "description" => ProjectFieldChange::Description(FieldChange {
                            before: ProjectDescription::parse(b).map_err(|_| bad())?,
                            after: ProjectDescription::parse(a).map_err(|_| bad())?,
                        }),
                        "owner_id" => {
                            ProjectFieldChange::Owner(FieldChange { before: id(b)?, after: id(a)? })
                        }
                        _ => return Err(StoredChangeError("an unknown project field")),
                    });
                }
                Ok(Self::Project(ProjectChange::Updated(changes)))
            }
            _ => Err(StoredChangeError("an unknown kind")),
        }
    }
}

const fn bad() -> StoredChangeError {
    StoredChangeError("a field value does not parse")
}

fn id<T: std::str::FromStr>(s: &str) -> Result<T, StoredChangeError> {
    s.parse().map_err(|_| bad())
}

fn write_task_fields(out: &mut String, changes: &[TaskFieldChange]) {
    for change in changes {
        let (b, a) = match change {
            TaskFieldChange::Title(c) => (Some(c.before.to_string()), Some(c.after.to_string())),
            TaskFieldChange::Description(c) => {
                (Some(c.before.to_string()), Some(c.after.to_string()))
            }
            TaskFieldChange::Status(c) => (Some(c.before.to_string()), Some(c.after.to_string())),
            TaskFieldChange::Priority(c) => (Some(c.before.to_string()), Some(c.after.to_string())),
            TaskFieldChange::Category(c) => (opt(c.before), opt(c.after)),
            TaskFieldChange::Assignee(c) => (opt(c.before), opt(c.after)),
            TaskFieldChange::Labels(c) => (Some(labels(&c.before)), Some(labels(&c.after))),
            TaskFieldChange::DueDate(c) => (opt(c.before), opt(c.after)),
            TaskFieldChange::Parent(c) => (opt(c.before), opt(c.after)),
            TaskFieldChange::IsPublic(c) => (Some(c.before.to_string()), Some(c.after.to_string())),
        };
        line(out, change.field().as_str(), b.as_deref(), a.as_deref());
    }
}

fn opt<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

fn labels(labels: &Labels) -> String {
    labels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" ")
}

fn parse_labels(s: &str) -> Result<Labels, StoredChangeError> {
    let parts: Vec<&str> = s.split(' ').filter(|p| !p.is_empty()).collect();
    Labels::parse(&parts).map_err(|_| bad())
}

fn task_fields(
    lines: &[(String, Option<String>, Option<String>)],
) -> Result<Vec<TaskFieldChange>, StoredChangeError> {
    lines.iter().map(|(name, b, a)| task_field(name, b.as_deref(), a.as_deref())).collect()
}

fn task_field(
    name: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<TaskFieldChange, StoredChangeError> {
    fn some(v: Option<&str>) -> Result<&str, StoredChangeError> {
        v.ok_or(StoredChangeError("a required field value is missing"))
    }
    fn maybe<T: std::str::FromStr>(v: Option<&str>) -> Result<Option<T>, StoredChangeError> {
        v.map(id).transpose()
    }
    fn both<T>(
        before: Option<&str>,
        after: Option<&str>,
        parse: impl Fn(&str) -> Result<T, StoredChangeError>,
    ) -> Result<FieldChange<T>, StoredChangeError> {
        Ok(FieldChange { before: parse(some(before)?)?, after: parse(some(after)?)? })
    }
    Ok(match name {
        "title" => {
            TaskFieldChange::Title(both(before, after, |s| TaskTitle::parse(s).map_err(|_| bad()))?)
        }
        "description" => TaskFieldChange::Description(both(before, after, |s| {
            Description::parse(s).map_err(|_| bad())
        })?),
        "status" => {
            TaskFieldChange::Status(both(before, after, |s| Status::parse(s).map_err(|_| bad()))?)
        }
        "priority" => TaskFieldChange::Priority(both(before, after, |s| {
            Priority::parse(s).map_err(|_| bad())
        })?),
        "category_id" => TaskFieldChange::Category(FieldChange {
            before: maybe::<CategoryId>(before)?,
            after: maybe::<CategoryId>(after)?,
        }),
        "assignee_id" => TaskFieldChange::Assignee(FieldChange {
            before: maybe::<UserId>(before)?,
            after: maybe::<UserId>(after)?,
        }),
        "labels" => TaskFieldChange::Labels(both(before, after, parse_labels)?),
        "due_date" => TaskFieldChange::DueDate(FieldChange {
            before: before.map(|s| DueDate::parse(s).map_err(|_| bad())).transpose()?,
            after: after.map(|s| DueDate::parse(s).map_err(|_| bad())).transpose()?,
        }),
        "parent_id" => TaskFieldChange::Parent(FieldChange {
            before: maybe::<TaskId>(before)?,
            after: maybe::<TaskId>(after)?,
        }),
        "is_public" => TaskFieldChange::IsPublic(both(before, after, |s| match s {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad()),
        })?),
        _ => return Err(StoredChangeError("an unknown task field")),
    })
}

fn line(out: &mut String, name: &str, before: Option<&str>, after: Option<&str>) {
    out.push_str(name);
    for value in [before, after] {
        out.push('\t');
        match value {
            None => out.push('-'),
            Some(text) => {
                out.push('=');
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        other => out.push(other),
                    }
                }
            }
        }
    }
    out.push('\n');
}

type Line = (String, Option<String>, Option<String>);

fn parse_lines(text: &str) -> Result<Vec<Line>, StoredChangeError> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split('\t');
            let (Some(name), Some(b), Some(a), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(StoredChangeError("a field line needs three columns"));
            };
            Ok((name.to_owned(), value(b)?, value(a)?))
        })
        .collect()
}

fn value(column: &str) -> Result<Option<String>, StoredChangeError> {
    if column == "-" {
        return Ok(None);
    }
    let Some(escaped) = column.strip_prefix('=') else {
        return Err(StoredChangeError("a field value is neither - nor ="));
    };
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(match chars.next() {
                Some('\\') => '\\',
                Some('t') => '\t',
                Some('n') => '\n',
                Some('r') => '\r',
                _ => return Err(StoredChangeError("an unknown escape")),
            });
        } else {
            out.push(c);
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ProjectId;

    #[test]
    fn every_kind_round_trips_through_its_stored_form() {
        let task_id = TaskId::new();
        let changes = vec![
            TaskFieldChange::Title(FieldChange {
                before: TaskTitle::parse("a = - b").unwrap(),
                after: TaskTitle::parse("b \\ back").unwrap(),
            }),
            TaskFieldChange::Description(FieldChange {
                before: Description::parse("line\nbreak\ttab\r\n-= \\").unwrap(),
                after: Description::empty(),
            }),
            TaskFieldChange::Status(FieldChange { before: Status::Todo, after: Status::Done }),
            TaskFieldChange::Category(FieldChange { before: None, after: Some(CategoryId::new()) }),
            TaskFieldChange::Labels(FieldChange {
                before: Labels::none(),
                after: Labels::parse(&["x", "y:z"]).unwrap(),
            }),
            TaskFieldChange::DueDate(FieldChange {
                before: Some(DueDate::parse("2030-01-02").unwrap()),
                after: None,
            }),
            TaskFieldChange::IsPublic(FieldChange { before: false, after: true }),
        ];
        let all = [
            Change::Task { task_id, change: TaskChange::Created },
            Change::Task { task_id, change: TaskChange::Trashed },
            Change::Task { task_id, change: TaskChange::Updated(changes.clone()) },
            Change::Task { task_id, change: TaskChange::Restored { cleared: vec![] } },
            Change::Task {
                task_id,
                change: TaskChange::Reverted { entry: EntryId::new(7).unwrap(), changes },
            },
            Change::Task {
                task_id,
                change: TaskChange::Moved(FieldChange {
                    before: ProjectId::new(),
                    after: ProjectId::new(),
                }),
            },
            Change::Project(ProjectChange::Created),
            Change::Project(ProjectChange::Updated(vec![
                ProjectFieldChange::Name(FieldChange {
                    before: ProjectName::parse("a").unwrap(),
                    after: ProjectName::parse("b").unwrap(),
                }),
                ProjectFieldChange::Owner(FieldChange {
                    before: UserId::new(),
                    after: UserId::new(),
                }),
            ])),
        ];
        for change in all {
            let s = change.to_stored();
            let back = Change::from_stored(s.kind, s.task_id, s.reverts, &s.fields);
            assert_eq!(back, Ok(change));
        }
    }

    #[test]
    fn malformed_text_is_an_error_not_a_panic() {
        let task_id = Some(TaskId::new());
        for (kind, fields) in [
            ("nope", ""),
            ("task_updated", "title\t=a"),
            ("task_updated", "title\t-\t=a"),
            ("task_updated", "status\t=x\t=y"),
            ("task_updated", "title\t=a\\q\t=b"),
            ("task_moved", ""),
        ] {
            assert!(Change::from_stored(kind, task_id, None, fields).is_err(), "{kind} {fields:?}");
        }
        assert!(Change::from_stored("task_created", None, None, "").is_err());
    }
}
