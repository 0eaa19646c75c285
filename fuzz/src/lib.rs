//! The checks behind TaskForge's fuzz targets, one module per target. Each `check` takes the
//! fuzzer's bytes, feeds them to a parser at its public entry point, and panics (which libFuzzer
//! reports as a crash) when the parser panics or when what it accepted breaks an invariant:
//! it must round-trip through its own canonical form, and every refusal must be the documented
//! kind of error.
//!
//! The same properties run in the normal test suite as proptests (see docs/fuzzing.md), so a
//! regression shows up in `cargo test` without a fuzzer.
#![forbid(unsafe_code)]

pub mod cursor_decoder;
pub mod json_bodies;
pub mod listing_query;
pub mod token_verifier;
