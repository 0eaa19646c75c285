//! Shared helpers for the black-box tests of TaskForge.
