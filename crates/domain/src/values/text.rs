//! Shared character rules for free text.

/// True for control characters other than tab, line feed and carriage return, which multi-line
/// text may hold. The rest have no business in user text and XML 1.0 cannot carry most of them.
pub(crate) fn is_forbidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Length in characters (Unicode scalar values), the unit every length limit of the domain uses.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Format and filler characters that render as nothing: zero-width spaces and joiners, bidi
/// marks and isolates, the soft hyphen, variation selectors, the byte-order mark, Hangul
/// fillers, the Braille blank. Neither `char::is_whitespace` nor `char::is_control` covers them.
const INVISIBLE_RANGES: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF9}', '\u{FFFB}'),
];

/// True for a character that shows nothing where it stands: white space (Unicode
/// `White_Space`, the no-break space included), a control character, or one of the zero-width
/// and filler characters above.
///
/// Two rules rest on it: a password must hold at least one character that is not invisible
/// ([`crate::values::Password`]), and an export's formula guard looks at the first character
/// that is not.
///
/// ```
/// use taskforge_domain::values::is_invisible;
///
/// assert!(is_invisible(' ') && is_invisible('\u{a0}') && is_invisible('\u{200b}'));
/// assert!(is_invisible('\u{feff}') && is_invisible('\t'));
/// assert!(!is_invisible('a') && !is_invisible('=') && !is_invisible('語'));
/// ```
#[must_use]
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || INVISIBLE_RANGES.iter().any(|(from, to)| (*from..=*to).contains(&c))
}
