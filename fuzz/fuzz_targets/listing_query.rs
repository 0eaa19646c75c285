//! libFuzzer entry point; the checks live in `taskforge_fuzz::listing_query` (fuzz/src/).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taskforge_fuzz::listing_query::check(data));
