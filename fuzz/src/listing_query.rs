//! The listing query parsers of `taskforge_http::query` — `task_list`, `task_export`,
//! `report_summary` and `report_top` — on the same arbitrary query string.
//!
//! Every refusal must be a 400 (bad request) whose problem body serialises. Every accepted
//! query must satisfy the parameter ranges (`limit` 1–200, `per_category` 1–50), and must
//! round-trip: rendering what was parsed back into a query string and parsing that gives the
//! same result (so the normalisations — label case, trimming — are idempotent).

use std::sync::{Arc, LazyLock};

use taskforge_crypto::AeadCursorSealer;
use taskforge_domain::query::{CursorCodec, ListTasks, TaskFilter, TaskSort};
use taskforge_domain::values::PageLimit;
use taskforge_http::ApiError;
use taskforge_http::error::ProblemKind;
use taskforge_http::query::{ExportRequest, report_summary, report_top, task_export, task_list};

/// The codec the listing parser opens cursors with: the real sealer, a fixed secret.
static CURSORS: LazyLock<CursorCodec> = LazyLock::new(|| {
    CursorCodec::new(Arc::new(AeadCursorSealer::from_secrets(
        b"fuzzing cursor secret, 32+ bytes",
        None,
    )))
});

/// The fuzz target's body.
pub fn check(data: &[u8]) {
    check_query(&String::from_utf8_lossy(data));
}

/// Runs every listing parser on `query` and checks the results.
pub fn check_query(query: &str) {
    match task_list(query, &CURSORS) {
        Ok(list) => {
            assert!((1..=usize::from(PageLimit::MAX)).contains(&list.limit.get()), "{query:?}");
            let canonical = render_list(&list);
            let again = task_list(&canonical, &CURSORS).unwrap_or_else(|e| {
                panic!("{query:?} parsed, its canonical form {canonical:?} did not: {e:?}")
            });
            assert_eq!(again, list, "{query:?} → {canonical:?}");
        }
        Err(e) => check_refusal(query, &e),
    }
    match task_export(query) {
        Ok(export) => {
            let canonical = render_export(&export);
            let again = task_export(&canonical).unwrap_or_else(|e| {
                panic!("{query:?} parsed, its canonical form {canonical:?} did not: {e:?}")
            });
            assert_eq!(
                (again.format.name, &again.filter, again.sort),
                (export.format.name, &export.filter, export.sort),
                "{query:?} → {canonical:?}"
            );
        }
        Err(e) => check_refusal(query, &e),
    }
    match report_summary(query) {
        Ok(project) => {
            let canonical = project.map(|p| format!("project_id={p}")).unwrap_or_default();
            assert_eq!(report_summary(&canonical).ok(), Some(project), "{query:?}");
        }
        Err(e) => check_refusal(query, &e),
    }
    match report_top(query) {
        Ok(top) => {
            assert!((1..=50).contains(&top.per_category.get()), "{query:?}");
            let mut canonical = format!("per_category={}", top.per_category.get());
            if let Some(project) = top.project {
                canonical.push_str(&format!("&project_id={project}"));
            }
            assert_eq!(report_top(&canonical).ok(), Some(top), "{query:?} → {canonical:?}");
        }
        Err(e) => check_refusal(query, &e),
    }
}

fn check_refusal(query: &str, e: &ApiError) {
    assert_eq!(e.kind(), ProblemKind::BadRequest, "{query:?}: {e:?}");
    serde_json::to_string(&e.problem()).expect("a problem body serialises");
}

/// `ListTasks` as the query string a client would send for it.
fn render_list(list: &ListTasks) -> String {
    let mut pairs = filter_pairs(&list.filter);
    push_sort(&mut pairs, list.sort);
    pairs.push(("limit", list.limit.get().to_string()));
    if let Some(cursor) = &list.after {
        pairs.push(("cursor", CURSORS.encode(cursor)));
    }
    encode(&pairs)
}

/// `ExportRequest` as the query string a client would send for it.
fn render_export(export: &ExportRequest) -> String {
    let mut pairs = filter_pairs(&export.filter);
    push_sort(&mut pairs, export.sort);
    pairs.push(("format", export.format.name.to_owned()));
    encode(&pairs)
}

fn push_sort(pairs: &mut Vec<(&'static str, String)>, sort: TaskSort) {
    pairs.push(("sort", sort.to_string()));
}

fn filter_pairs(f: &TaskFilter) -> Vec<(&'static str, String)> {
    let pairs = [
        ("project_id", f.project_id.map(|v| v.to_string())),
        ("status", f.status.map(|v| v.to_string())),
        ("priority", f.priority.map(|v| v.to_string())),
        ("category_id", f.category_id.map(|v| v.to_string())),
        ("assignee_id", f.assignee_id.map(|v| v.to_string())),
        ("label", f.label.as_ref().map(ToString::to_string)),
        ("parent_id", f.parent_id.map(|v| v.to_string())),
        ("due_before", f.due_before.map(|v| v.to_string())),
        ("due_after", f.due_after.map(|v| v.to_string())),
        ("q", f.q.as_ref().map(ToString::to_string)),
    ];
    pairs.into_iter().filter_map(|(name, value)| value.map(|v| (name, v))).collect()
}

fn encode(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).expect("string pairs always encode")
}
