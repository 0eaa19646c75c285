//! `taskforge-ahead`: the `taskforge` binary built with the `rollout-fixture` feature, so its
//! schema is one expand migration ahead of the released one. Test-only: the end-to-end test of
//! a rollout runs it beside `taskforge` on one database
//! (adr/0023-expand-contract-and-mixed-version-rollouts.md). Never shipped.

#[path = "../main.rs"]
mod taskforge;

fn main() -> std::process::ExitCode {
    taskforge::main()
}
