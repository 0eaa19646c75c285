//! Logging: `tracing` to standard error, pretty or JSON, level from `RUST_LOG`.

use std::ffi::OsString;
use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::LogFormat;

/// Installs the global subscriber. Safe to call once per process; a second call is ignored.
///
/// Pretty logs are coloured only when standard error is a terminal and `NO_COLOR` is not set
/// (<https://no-color.org>): in a file, a pipe or a log collector, escape codes are noise that
/// breaks searching.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = use_colour(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    // `try_init` fails only when a subscriber is already set (e.g. in tests): keep that one.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Whether to colour the log: only on a terminal, and not when `NO_COLOR` is set to anything
/// but the empty string (the convention's wording).
#[must_use]
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsString::new())), "an empty NO_COLOR does not count");
        assert!(!use_colour(true, Some(OsString::from("1"))));
        assert!(!use_colour(false, None), "a file or a pipe never gets colour");
        assert!(!use_colour(false, Some(OsString::from("1"))));
    }
}
