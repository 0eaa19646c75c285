//! The `taskforge` binary under test: built once per test process, run with a hermetic
//! environment, and waited for with a deadline so a hung process fails the test instead of
//! hanging it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// PBKDF2 cost for tests: the default (600,000) would make every fixture login take a
/// noticeable fraction of a second in debug builds. The default itself is not changed.
pub const TEST_PBKDF2_ITERATIONS: &str = "1000";

/// A signing key of 32+ bytes, so the server accepts it and tokens survive a restart on the
/// same database (the backup test logs in against a second server).
pub const TEST_JWT_SECRET: &str = "e2e-test-signing-key-0123456789-abcdefghij";

/// How long an operator command (`migrate`, `user create`, …) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The path of the `taskforge` binary, built on first use.
///
/// Why not `env!("CARGO_BIN_EXE_taskforge")`: Cargo only sets that for integration tests of
/// the package that owns the binary (`taskforge-app`), and this package must not depend on
/// the app crate just to get it built. So the first test of each test process runs
/// `$CARGO build -p taskforge-app --bin taskforge` from the workspace root (a no-op when it
/// is up to date) and takes the binary from the same profile directory as the running test
/// executable (`target/<profile>/deps/<test>` → `target/<profile>/taskforge`). The target
/// directory is passed on explicitly, so `CARGO_TARGET_DIR`, `--target-dir` and
/// `build.target-dir` all lead to the same place. (Cross-compiling with `--target` is not
/// supported: the binary would not be runnable here anyway.)
pub fn taskforge() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build("taskforge", &[]))
}

/// The path of `taskforge-ahead`, built on first use as [`taskforge`] is: the same program
/// built with the app crate's test-only `rollout-fixture` feature, whose schema is one expand
/// migration ahead (adr/0023-expand-contract-and-mixed-version-rollouts.md). A binary of its
/// own name, so building it never replaces the `taskforge` that other tests are running; the
/// adapters built with the feature are separate artifacts, so neither build undoes the other.
pub fn taskforge_ahead() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build("taskforge-ahead", &["--features", "rollout-fixture"]))
}

fn build(name: &str, features: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps")
        .to_path_buf();
    let target_dir = profile_dir.parent().expect("the profile directory has a parent");
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("the profile directory has a UTF-8 name");
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace).env("CARGO_TARGET_DIR", target_dir).args([
        "build",
        "--locked",
        "--quiet",
        "-p",
        "taskforge-app",
        "--bin",
        name,
    ]);
    command.args(features);
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        custom => {
            command.args(["--profile", custom]);
        }
    }
    let output = command.output().expect("cargo can be started");
    assert!(
        output.status.success(),
        "building the {name} binary failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let binary = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "cargo built {name} but {} is missing", binary.display());
    binary
}

/// `taskforge` with the test environment: every inherited `TASKFORGE_*` variable removed (a
/// developer's shell must not change the tests), JSON logs at `info`, cheap password hashing
/// and `synchronous=normal` (tests need no power-loss durability; it keeps writes fast), and
/// no registration or category budget (every test client registers from 127.0.0.1, and the
/// shared server's users create categories for many tests; each budget has its own test).
/// Add `TASKFORGE_DATABASE` and whatever else the test is about.
pub fn command() -> Command {
    command_of(taskforge())
}

/// [`command`] for another build of the program (`taskforge_ahead`).
pub fn command_of(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TASKFORGE_") {
            command.env_remove(name);
        }
    }
    command
        .env("RUST_LOG", "info")
        .env("TASKFORGE_LOG", "json")
        .env("TASKFORGE_PBKDF2_ITERATIONS", TEST_PBKDF2_ITERATIONS)
        .env("TASKFORGE_SYNCHRONOUS", "normal")
        .env("TASKFORGE_REGISTRATIONS_PER_HOUR", "0")
        .env("TASKFORGE_CATEGORIES_PER_HOUR", "0")
        .env("TASKFORGE_UNKNOWN_MEMBERS_PER_HOUR", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// `taskforge` with the test environment on `database`.
pub fn command_on(database: &Path) -> Command {
    command_of_on(taskforge(), database)
}

/// [`command_on`] for another build of the program (`taskforge_ahead`).
pub fn command_of_on(binary: &Path, database: &Path) -> Command {
    let mut command = command_of(binary);
    command.env("TASKFORGE_DATABASE", database);
    command
}

/// Runs `command` to completion, feeding `stdin` (if any), within `timeout`; kills it and
/// panics when it takes longer.
pub fn run(mut command: Command, stdin: Option<&str>, timeout: Duration) -> Output {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command.spawn().expect("taskforge can be started");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A command that refuses its arguments exits without reading: a broken pipe then is
        // not the test's concern, the exit status is.
        let _ = pipe.write_all(text.as_bytes());
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, timeout).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{command:?} did not finish within {timeout:?}");
    });
    Output {
        status,
        stdout: stdout.join().expect("the stdout reader does not panic"),
        stderr: stderr.join().expect("the stderr reader does not panic"),
    }
}

/// Waits for `child` to exit, polling, for at most `timeout`. `None` if it is still running.
pub fn wait_within(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}
