//! libFuzzer entry point; the checks live in `taskforge_fuzz::cursor_decoder` (fuzz/src/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taskforge_fuzz::cursor_decoder::check(data));
