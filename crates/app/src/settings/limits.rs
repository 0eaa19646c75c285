//! The server's connection limits: how long a client may take to send a request, how long an
//! idle connection stays open, and how many connections are served at once. Each one is a
//! defence against clients that hold connections without finishing requests (slow loris);
//! docs/operations.md ("Limits") lists them with what a client gets when it hits one.

use std::num::NonZeroUsize;
use std::time::Duration;

use super::{ConfigError, refuse};
use crate::cli::ServeArgs;
use crate::duration::parse_duration;

/// The longest accepted value of every timeout: anything longer is no protection.
const MAX_TIMEOUT: Duration = Duration::from_secs(3_600);

/// The most workers actix-web runs.
const MAX_WORKERS: usize = 512;

/// Connection limits of `taskforge serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a new connection has to send the line and headers of its first request; a slower
    /// client gets 408 and is disconnected.
    pub client_request_timeout: Duration,
    /// Time a request body has to arrive once the route reads it; slower is a 408.
    pub client_body_timeout: Duration,
    /// How long a connection being closed keeps discarding what the client still sends, so
    /// that the client can read the answer before the close.
    pub client_disconnect_timeout: Duration,
    /// How long an idle connection stays open for another request; `None`: one request each.
    pub keep_alive: Option<Duration>,
    /// Open connections served at once, over all workers; further ones wait in the backlog.
    pub max_connections: usize,
    /// Connections the operating system queues before the server accepts them.
    pub backlog: u32,
}

impl ServerLimits {
    /// Parses the limits among the arguments of `taskforge serve`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first bad variable.
    pub fn from_args(args: &ServeArgs) -> Result<Self, ConfigError> {
        let keep_alive = match args.keep_alive.trim() {
            "off" => None,
            text => Some(timeout("TASKFORGE_KEEP_ALIVE", text)?),
        };
        Ok(Self {
            client_request_timeout: timeout(
                "TASKFORGE_CLIENT_REQUEST_TIMEOUT",
                &args.client_request_timeout,
            )?,
            client_body_timeout: timeout(
                "TASKFORGE_CLIENT_BODY_TIMEOUT",
                &args.client_body_timeout,
            )?,
            client_disconnect_timeout: timeout(
                "TASKFORGE_CLIENT_DISCONNECT_TIMEOUT",
                &args.client_disconnect_timeout,
            )?,
            keep_alive,
            max_connections: number("TASKFORGE_MAX_CONNECTIONS", &args.max_connections, 1_000_000)?,
            backlog: u32::try_from(number("TASKFORGE_BACKLOG", &args.backlog, 65_535)?)
                .map_err(|_| refuse("TASKFORGE_BACKLOG", "is not a number from 1 to 65535"))?,
        })
    }

    /// The connection limit of each of `workers` workers (actix counts per worker), so that
    /// together they serve at most about [`Self::max_connections`].
    #[must_use]
    pub const fn connections_per_worker(&self, workers: usize) -> usize {
        let workers = if workers == 0 { 1 } else { workers };
        self.max_connections.div_ceil(workers)
    }
}

/// Parses `TASKFORGE_WORKERS`: 1 to 512 (actix-web refuses more).
///
/// # Errors
/// A [`ConfigError`] for anything else.
pub fn parse_workers(text: &str) -> Result<usize, ConfigError> {
    text.trim().parse::<usize>().ok().filter(|n| (1..=MAX_WORKERS).contains(n)).ok_or_else(|| {
        refuse("TASKFORGE_WORKERS", format!("{text:?} is not a number from 1 to {MAX_WORKERS}"))
    })
}

/// The number of workers actix-web starts when none is configured: one per core.
#[must_use]
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, NonZeroUsize::get).min(MAX_WORKERS)
}

fn timeout(variable: &'static str, text: &str) -> Result<Duration, ConfigError> {
    let duration = parse_duration(text).map_err(|m| refuse(variable, m))?;
    if duration > MAX_TIMEOUT {
        return Err(refuse(variable, format!("{text:?} is longer than 1h")));
    }
    Ok(duration)
}

fn number(variable: &'static str, text: &str, max: usize) -> Result<usize, ConfigError> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| refuse(variable, format!("{text:?} is not a number from 1 to {max}")))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn limits(extra: &[&str]) -> Result<ServerLimits, ConfigError> {
        let cli = Cli::parse_from(["taskforge", "serve"].iter().chain(extra));
        let Command::Serve(args) = &cli.command else { unreachable!("serve was given") };
        ServerLimits::from_args(args)
    }

    #[test]
    fn the_defaults_are_explicit() {
        let l = limits(&[]).unwrap();
        assert_eq!(l.client_request_timeout, Duration::from_secs(5));
        assert_eq!(l.client_body_timeout, Duration::from_secs(10));
        assert_eq!(l.client_disconnect_timeout, Duration::from_secs(1));
        assert_eq!(l.keep_alive, Some(Duration::from_secs(5)));
        assert_eq!((l.max_connections, l.backlog), (10_000, 1_024));
    }

    #[test]
    fn each_limit_can_be_set_and_keep_alive_turned_off() {
        let l = limits(&[
            "--client-request-timeout=2s",
            "--client-body-timeout=3s",
            "--client-disconnect-timeout=4s",
            "--keep-alive=off",
            "--max-connections=50",
            "--backlog=64",
        ])
        .unwrap();
        assert_eq!(l.client_request_timeout, Duration::from_secs(2));
        assert_eq!(l.client_body_timeout, Duration::from_secs(3));
        assert_eq!(l.client_disconnect_timeout, Duration::from_secs(4));
        assert_eq!(l.keep_alive, None);
        assert_eq!((l.max_connections, l.backlog), (50, 64));
        assert_eq!(l.connections_per_worker(3), 17);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (flag, variable) in [
            ("--client-request-timeout=0s", "TASKFORGE_CLIENT_REQUEST_TIMEOUT"),
            ("--client-body-timeout=2h", "TASKFORGE_CLIENT_BODY_TIMEOUT"),
            ("--client-disconnect-timeout=soon", "TASKFORGE_CLIENT_DISCONNECT_TIMEOUT"),
            ("--keep-alive=on", "TASKFORGE_KEEP_ALIVE"),
            ("--max-connections=0", "TASKFORGE_MAX_CONNECTIONS"),
            ("--backlog=70000", "TASKFORGE_BACKLOG"),
        ] {
            assert_eq!(limits(&[flag]).unwrap_err().variable, variable, "{flag}");
        }
        assert_eq!(parse_workers("513").unwrap_err().variable, "TASKFORGE_WORKERS");
        assert_eq!(parse_workers("512"), Ok(512));
    }
}
