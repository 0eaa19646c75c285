//! libFuzzer entry point; the checks live in `taskforge_fuzz::json_bodies` (fuzz/src/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taskforge_fuzz::json_bodies::check(data));
