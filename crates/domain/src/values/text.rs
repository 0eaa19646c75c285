//! Shared character rules for free text.

/// True for control characters other than tab, line feed and carriage return, which multi-line
/// text may hold. The rest have no business in user text and XML 1.0 cannot carry most of them.
pub(crate) fn is_forbidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Length in characters (Unicode scalar values), the unit every limit of the design uses.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}
