//! The summary `scripts/mixed.lua` prints at the end of a mixed run: how many requests of
//! each kind were sent, every response by status, and a sample body of a 5xx, if any.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use serde::Serialize;

/// What the mixed script counted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MixCounts {
    /// Requests sent, by kind (`get`, `list`, `create`, `patch`, `login`).
    pub sent: BTreeMap<String, u64>,
    /// Responses, by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Login responses that carried an access token.
    pub login_ok: u64,
    /// 5xx responses with a `Retry-After` header (the hashing pool's "overloaded").
    pub retry_after_5xx: u64,
    /// The first 300 bytes of a 5xx body per wrk thread, for the report.
    pub samples_5xx: Vec<String>,
}

impl MixCounts {
    /// Responses whose status is in `low..=high`.
    pub fn in_range(&self, low: u16, high: u16) -> u64 {
        self.statuses.range(low..=high).map(|(_, n)| n).sum()
    }

    /// All responses counted.
    pub fn responses(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// Requests of `kind` sent.
    pub fn sent(&self, kind: &str) -> u64 {
        self.sent.get(kind).copied().unwrap_or(0)
    }
}

/// Parses the `mixed:`, `mixed-status:` and `mixed-5xx-sample:` lines of wrk's output.
pub fn parse(output: &str) -> anyhow::Result<MixCounts> {
    let mut counts = MixCounts::default();
    let mut saw_totals = false;
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("mixed-5xx-sample:") {
            counts.samples_5xx.push(rest.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("mixed-status:") {
            let mut words = rest.split_whitespace();
            let status = words.next().context("status line without a status")?.parse()?;
            let count = words.next().context("status line without a count")?.parse()?;
            counts.statuses.insert(status, count);
        } else if let Some(rest) = line.strip_prefix("mixed:") {
            saw_totals = true;
            for pair in rest.split_whitespace() {
                let (key, value) = pair.split_once('=').context("a total without '='")?;
                let value: u64 = value.parse().with_context(|| format!("{key}={value}"))?;
                match key {
                    "login_ok" => counts.login_ok = value,
                    "retry_after_5xx" => counts.retry_after_5xx = value,
                    kind => {
                        counts.sent.insert(kind.to_owned(), value);
                    }
                }
            }
        }
    }
    if !saw_totals {
        bail!("the mixed script printed no `mixed:` line");
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_summary_is_parsed() {
        let output = "Requests/sec:   4269.86\n\
            mixed-5xx-sample: 503 {\"title\":\"overloaded\"}\n\
            mixed: get=10 list=4 create=3 patch=3 login=2 login_ok=1 retry_after_5xx=1\n\
            mixed-status: 200 15\n\
            mixed-status: 201 3\n\
            mixed-status: 429 1\n\
            mixed-status: 503 1\n";
        let c = parse(output).unwrap();
        assert_eq!((c.sent("get"), c.sent("login"), c.sent("nothing")), (10, 2, 0));
        assert_eq!((c.login_ok, c.retry_after_5xx), (1, 1));
        assert_eq!((c.in_range(200, 299), c.in_range(400, 499), c.in_range(500, 599)), (18, 1, 1));
        assert_eq!(c.responses(), 20);
        assert_eq!(c.samples_5xx, vec!["503 {\"title\":\"overloaded\"}".to_owned()]);
    }

    #[test]
    fn output_without_the_summary_is_an_error() {
        assert!(parse("Requests/sec: 1\n").is_err());
    }
}
