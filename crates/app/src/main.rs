//! `taskforge`: serve the API, or run an operator command. See `taskforge --help`.
#![forbid(unsafe_code)]

use std::future::Future;
use std::process::ExitCode;

use clap::Parser;
use taskforge_app::application::Application;
use taskforge_app::cli::{Cli, Command, UserCommand};
use taskforge_app::settings::{CommonSettings, LogFormat, ServeSettings, parse_role};
use taskforge_app::wiring::StartError;
use taskforge_app::{commands, telemetry};

/// Also the entry point of the test-only `taskforge-ahead` (`src/bin/taskforge-ahead.rs`).
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let common = match CommonSettings::from_cli(&cli) {
        Ok(common) => common,
        Err(e) => return refuse(&e),
    };
    let log = common.log;
    // Every setting is checked before the runtime starts (resolving a host name in `--bind`
    // blocks) and before the first log line, so a refusal is the one line printed.
    match cli.command {
        Command::Serve(args) => match ServeSettings::from_args(&args) {
            Ok(serve) => run(log, serve_until_stopped(common, serve)),
            Err(e) => refuse(&e),
        },
        Command::Migrate => run(log, async move { report(commands::migrate(&common).await) }),
        Command::User { command: UserCommand::Create { username, role, .. } } => {
            match parse_role(&role) {
                Ok(role) => run(log, async move {
                    report(commands::create_user(&common, &username, role).await)
                }),
                Err(e) => refuse(&e),
            }
        }
        Command::User { command: UserCommand::SetRole { username, role } } => {
            match parse_role(&role) {
                Ok(role) => {
                    run(
                        log,
                        async move { report(commands::set_role(&common, &username, role).await) },
                    )
                }
                Err(e) => refuse(&e),
            }
        }
        Command::User { command: UserCommand::List } => {
            run(log, async move { report(commands::list_users(&common).await) })
        }
        Command::User { command: UserCommand::ResetPassword { username, .. } } => {
            run(log, async move { report(commands::reset_password(&common, &username).await) })
        }
        Command::Restore { path } => {
            run(log, async move { report(commands::restore(&common, &path).await) })
        }
        Command::Backup { path } => {
            run(log, async move { report(commands::backup(&common, &path).await) })
        }
        Command::Export { format, out } => {
            run(log, async move { report(commands::export(&common, &format, &out).await) })
        }
        Command::Copy { from, to } => {
            run(log, async move { report(commands::copy(&common, &from, &to).await) })
        }
    }
}

/// Starts logging and runs `work` on the actix runtime.
fn run(log: LogFormat, work: impl Future<Output = ExitCode>) -> ExitCode {
    telemetry::init(log);
    actix_web::rt::System::new().block_on(work)
}

/// `taskforge serve`: until SIGTERM or SIGINT, or a refused start.
async fn serve_until_stopped(common: CommonSettings, serve: ServeSettings) -> ExitCode {
    match Application::build(&common, &serve).await {
        Ok(app) => report(app.run_until_stopped().await.map_err(anyhow::Error::from)),
        Err(e) => {
            let code = e.exit_code();
            // With its causes, on one line: "… is not a TaskForge database …: the file is …
            // bytes, not a whole number of pages".
            eprintln!("taskforge: {:#}", anyhow::Error::from(e));
            ExitCode::from(code)
        }
    }
}

/// A configuration error: one line naming the variable, exit status 2.
fn refuse(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("taskforge: configuration error: {error}");
    ExitCode::from(2)
}

/// An operator command's outcome: exit status 0, or one line and the status of the failure
/// (a database that cannot be opened exits as `serve` does, 2 or 3 — 3 as well when an
/// operator command finds no database or `restore` an unusable backup; 4 when `restore` finds
/// the database in use; anything else 1).
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("taskforge: {e:#}");
            ExitCode::from(e.downcast_ref::<StartError>().map_or(1, StartError::exit_code))
        }
    }
}
