//! Logging: `tracing` to standard error, pretty or JSON, level from `RUST_LOG`.
//!
//! Both formats keep what a client sent inside the value it belongs to: JSON escapes its
//! strings, and the pretty format quotes and escapes every value that is not a plain token
//! ([`crate::log_fields`]), so a crafted username or method cannot add fields or lines.

use std::ffi::OsString;
use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::log_fields::EscapedFields;
use crate::settings::LogFormat;

/// Installs the global subscriber. Safe to call once per process; a second call is ignored.
///
/// Pretty logs are coloured only when standard error is a terminal and `NO_COLOR` is not set
/// (<https://no-color.org>): in a file, a pipe or a log collector, escape codes are noise that
/// breaks searching.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = use_colour(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR"));
    // Setting it fails only when a subscriber is already set (e.g. in tests): keep that one.
    let _ = tracing::subscriber::set_global_default(subscriber(
        format,
        filter,
        std::io::stderr,
        colour,
    ));
}

/// The subscriber `init` installs, writing to `writer`, with ANSI colours when `colour`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    colour: bool,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(colour);
    match format {
        LogFormat::Pretty => Box::new(builder.fmt_fields(EscapedFields).finish()),
        LogFormat::Json => Box::new(builder.json().flatten_event(true).finish()),
    }
}

/// Whether to colour the log: only on a terminal, and not when `NO_COLOR` is set to anything
/// but the empty string (the convention's wording).
#[must_use]
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use taskforge_domain::events::{DomainEvent, EventKind};
    use taskforge_domain::ports::EventSubscriber;
    use taskforge_domain::values::Timestamp;

    use super::*;
    use crate::audit::AuditLog;

    /// A username that, written bare, reads as a successful login by another actor on a line
    /// of its own.
    const FORGED: &str =
        "mallory event=\"login_succeeded\" actor=admin\nINFO audit: event=login_succeeded";
    /// A request method of the same kind (methods are tokens, but logs must not rely on it).
    const FORGED_METHOD: &str = "GET route=/api/v1/users status=200";

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Self;

        fn make_writer(&'w self) -> Self {
            self.clone()
        }
    }

    /// The lines `format` writes for a failed login with the forged username, inside a request
    /// span with the forged method.
    fn log_lines(format: LogFormat) -> Vec<String> {
        let buffer = Buffer::default();
        let subscriber = subscriber(format, EnvFilter::new("info"), buffer.clone(), false);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("http_request", method = %FORGED_METHOD);
            let _entered = span.enter();
            AuditLog.on_event(&DomainEvent {
                actor: None,
                at: Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap(),
                entry: None,
                kind: EventKind::LoginFailed { username: FORGED.to_owned() },
            });
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_forged_username_stays_one_quoted_value_in_the_pretty_format() {
        let lines = log_lines(LogFormat::Pretty);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        let line = &lines[0];
        let username = "username=\"mallory event=\\\"login_succeeded\\\" actor=admin\\nINFO audit: event=login_succeeded\"";
        let method = "method=\"GET route=/api/v1/users status=200\"";
        assert!(line.contains(username) && line.contains(method), "{line}");
        // Outside the two quoted values, the line holds exactly the fields the code wrote.
        let rest = line.replace(username, "").replace(method, "");
        assert_eq!(rest.matches("event=").count(), 1, "{line}");
        assert!(rest.contains("event=login_failed"), "{line}");
        assert!(!rest.contains("actor=") && !rest.contains("status=") && !rest.contains("route="));
    }

    #[test]
    fn a_forged_username_stays_one_string_in_the_json_format() {
        let lines = log_lines(LogFormat::Json);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["event"], "login_failed", "{line}");
        assert_eq!(line["username"], FORGED, "{line}");
        assert_eq!(line["span"]["method"], FORGED_METHOD, "{line}");
        assert!(line.get("actor").is_none_or(|a| a == ""), "{line}");
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsString::new())), "an empty NO_COLOR does not count");
        assert!(!use_colour(true, Some(OsString::from("1"))));
        assert!(!use_colour(false, None), "a file or a pipe never gets colour");
        assert!(!use_colour(false, Some(OsString::from("1"))));
    }
}
