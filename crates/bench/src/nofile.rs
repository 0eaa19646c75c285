//! The open-file limit: 1,000 connections need 1,000 sockets in `wrk` and 1,000 in the server,
//! more than the 1,024 many shells start with. When the soft limit is too low (and the hard
//! limit allows it), a process is started through `sh -c 'ulimit -n N && exec …'` so that it
//! gets a raised soft limit; this crate forbids `unsafe`, so it cannot call `setrlimit` itself.

use std::process::Command;

use anyhow::{Context as _, bail};

/// The soft and hard `RLIMIT_NOFILE` of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The limit processes get.
    pub soft: u64,
    /// The most the soft limit may be raised to without privileges.
    pub hard: u64,
}

/// Reads the limits from `/proc/self/limits` (`unlimited` counts as `u64::MAX`).
pub fn current() -> anyhow::Result<Limits> {
    let text = std::fs::read_to_string("/proc/self/limits").context("reading /proc/self/limits")?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .context("no `Max open files` in /proc/self/limits")?;
    let mut values = line
        .split_whitespace()
        .map(|v| if v == "unlimited" { Ok(u64::MAX) } else { v.parse::<u64>().context("a limit") });
    let soft = values.next().context("no soft limit")??;
    let hard = values.next().context("no hard limit")??;
    Ok(Limits { soft, hard })
}

/// `command`, started so that it may open `needed` files: unchanged when the soft limit
/// already allows it, else wrapped in `sh -c 'ulimit -n needed && exec …'` (the process keeps
/// the shell's pid, so it can still be sampled and killed by it). Fails when even the hard
/// limit is too low.
pub fn raised(command: Command, needed: u64) -> anyhow::Result<Command> {
    raised_with(command, needed, current()?)
}

fn raised_with(command: Command, needed: u64, limits: Limits) -> anyhow::Result<Command> {
    if limits.soft >= needed {
        return Ok(command);
    }
    if limits.hard < needed {
        bail!(
            "{needed} open files are needed but the hard limit is {} (soft {}): raise it \
             (e.g. `ulimit -Hn {needed}` as root, or LimitNOFILE in the service manager)",
            limits.hard,
            limits.soft
        );
    }
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("ulimit -n {needed} && exec \"$0\" \"$@\""))
        .arg(command.get_program())
        .args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => sh.env(name, value),
            None => sh.env_remove(name),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        sh.current_dir(dir);
    }
    Ok(sh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_files_seen_by(command: Command) -> String {
        let mut command = command;
        let output = command.output().expect("sh runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn ulimit_probe() -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", "ulimit -n; echo \"$PROBE\""]).env("PROBE", "env kept");
        command
    }

    #[test]
    fn this_process_has_limits() {
        let limits = current().unwrap();
        assert!(limits.soft > 0 && limits.soft <= limits.hard, "{limits:?}");
    }

    #[test]
    fn a_sufficient_soft_limit_leaves_the_command_alone() {
        let limits = Limits { soft: 4096, hard: 4096 };
        let command = raised_with(ulimit_probe(), 2048, limits).unwrap();
        assert_eq!(command.get_args().next().unwrap(), "-c");
        assert_eq!(command.get_args().count(), 2);
    }

    #[test]
    fn a_low_soft_limit_is_set_through_the_shell_with_arguments_and_environment_kept() {
        // Pretend the soft limit is tiny: the wrapper sets the limit to `needed` (200, below
        // any real limit, which `ulimit -n` may always do) and then runs the probe.
        let limits = current().unwrap();
        let pretend = Limits { soft: 100, hard: limits.hard };
        let command = raised_with(ulimit_probe(), 200, pretend).unwrap();
        assert_eq!(open_files_seen_by(command), "200\nenv kept");
    }

    #[test]
    fn a_hard_limit_too_low_is_an_error_naming_it() {
        let error = raised_with(ulimit_probe(), 5000, Limits { soft: 1024, hard: 4096 })
            .unwrap_err()
            .to_string();
        assert!(error.contains("5000") && error.contains("4096"), "{error}");
    }
}
