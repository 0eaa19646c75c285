//! libFuzzer entry point; the checks live in `taskforge_fuzz::token_verifier` (fuzz/src/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taskforge_fuzz::token_verifier::check(data));
