//! Property tests for every value-object parser ("once built, it is valid").
//!
//! For each type: valid input is accepted and survives a round trip through its text form
//! (or its normalisation is idempotent), invalid input is refused with the specific error
//! variant, and arbitrary text — unicode and control characters included — never panics.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::select;
use taskforge_domain::values::{
    CategoryName, Description, DescriptionError, DueDate, DueDateError, EmailAddress, EmailError,
    Label, LabelError, Labels, LabelsError, NameError, PageLimit, PageLimitError, Password,
    PasswordError, PasswordHash, PasswordHashError, Priority, PriorityError, ProjectDescription,
    ProjectName, Role, RoleError, SearchText, SearchTextError, Status, StatusError, TaskTitle,
    TitleError, Username, UsernameError, Version, is_invisible,
};
use taskforge_domain::{IdError, TaskId};

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// White space that `str::trim` removes, ASCII and not.
const WHITE_SPACE: [char; 7] = [' ', '\t', '\n', '\r', '\u{a0}', '\u{2003}', '\u{3000}'];

/// Any text, often short ASCII, sometimes anything at all (unicode, control characters).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        prop::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter),
    ]
}

/// A character that is not a control character, ASCII more often than not.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => prop::char::range('a', 'z'), 1 => prop::char::range(' ', '~'), 2 => any::<char>()]
        .prop_filter("not a control character", |c| !c.is_control())
}

/// A character that may start or end trimmed text.
fn edge_char() -> impl Strategy<Value = char> {
    text_char().prop_filter("not white space", |c| !c.is_whitespace())
}

/// Every control character (general category Cc).
fn control_char() -> impl Strategy<Value = char> {
    let all: Vec<char> = ('\0'..='\u{1f}').chain('\u{7f}'..='\u{9f}').collect();
    select(all)
}

/// A control character that multi-line text may not hold (not tab, line feed, carriage return).
fn forbidden_in_text() -> impl Strategy<Value = char> {
    control_char().prop_filter("multi-line text allows tab and line breaks", |c| {
        !matches!(c, '\t' | '\n' | '\r')
    })
}

/// Trimmed one-line text of `min..=max` characters (`min` ≥ 1): no control characters, no white
/// space at either end.
fn one_line(min: usize, max: usize) -> BoxedStrategy<String> {
    assert!(min >= 1 && max >= 2 && min <= max);
    let longer =
        (edge_char(), prop::collection::vec(text_char(), min.max(2) - 2..=max - 2), edge_char())
            .prop_map(|(first, middle, last)| {
                let mut s = String::new();
                s.push(first);
                s.extend(middle);
                s.push(last);
                s
            });
    if min == 1 {
        prop_oneof![edge_char().prop_map(String::from), longer].boxed()
    } else {
        longer.boxed()
    }
}

/// White space to wrap around text, possibly none.
fn padding() -> impl Strategy<Value = String> {
    prop::collection::vec(select(WHITE_SPACE.to_vec()), 0..4).prop_map(String::from_iter)
}

/// Inserts `c` into `s` at a character position chosen by `at` (taken modulo the length + 1).
fn insert_at(s: &str, at: usize, c: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let at = at % (chars.len() + 1);
    chars[..at].iter().chain(std::iter::once(&c)).chain(&chars[at..]).collect()
}

fn chars(n: usize, c: char) -> String {
    std::iter::repeat_n(c, n).collect()
}

fn days_in_month(year: i32, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// A possible calendar date (year, month, day) in 0001-01-01..=9999-12-31.
fn calendar_date() -> impl Strategy<Value = (i32, u8, u8)> {
    (1..=9999i32, 1..=12u8).prop_flat_map(|(y, m)| (Just(y), Just(m), 1..=days_in_month(y, m)))
}

// ---------------------------------------------------------------------------------------------
// Username
// ---------------------------------------------------------------------------------------------

fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

proptest! {
    #[test]
    fn username_valid_input_is_lowercased_and_round_trips(raw in "[a-zA-Z0-9_.-]{3,32}") {
        let name = Username::parse(&raw).unwrap();
        prop_assert_eq!(name.as_str(), raw.to_ascii_lowercase());
        prop_assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
        prop_assert_eq!(name.to_string().parse::<Username>(), Ok(name.clone()));
        prop_assert_eq!(Username::try_from(raw.clone()), Ok(name));
    }

    #[test]
    fn username_too_short_or_too_long_reports_its_length(
        raw in prop_oneof!["[a-z0-9_.-]{0,2}", "[a-zA-Z0-9_.-]{33,80}"],
    ) {
        prop_assert_eq!(Username::parse(&raw), Err(UsernameError::Length { actual: raw.len() }));
    }

    #[test]
    fn username_with_a_foreign_character_is_refused(
        base in "[a-z0-9_.-]{0,40}",
        at in any::<usize>(),
        bad in any::<char>().prop_filter("outside a-z 0-9 _ . -", |c| !username_char(*c)),
    ) {
        let raw = insert_at(&base, at, bad);
        prop_assert_eq!(Username::parse(&raw), Err(UsernameError::InvalidCharacter));
    }

    #[test]
    fn username_parse_never_panics_and_only_builds_valid_names(raw in any_text()) {
        if let Ok(name) = Username::parse(&raw) {
            let s = name.as_str();
            prop_assert!((Username::MIN_CHARS..=Username::MAX_CHARS).contains(&s.len()));
            prop_assert!(s.chars().all(|c| username_char(c) && !c.is_ascii_uppercase()));
            prop_assert_eq!(Username::parse(s), Ok(name.clone()));
        }
    }
}

#[test]
fn username_boundaries() {
    assert_eq!(Username::parse(""), Err(UsernameError::Length { actual: 0 }));
    assert_eq!(Username::parse("ab"), Err(UsernameError::Length { actual: 2 }));
    assert!(Username::parse("abc").is_ok());
    assert!(Username::parse(&chars(32, 'a')).is_ok());
    assert_eq!(Username::parse(&chars(33, 'a')), Err(UsernameError::Length { actual: 33 }));
}

#[test]
fn username_folds_case_so_alice_is_alice() {
    assert_eq!(Username::parse("Alice").unwrap(), Username::parse("aLICE").unwrap());
    assert_eq!(Username::parse("Bob_The.Builder-2").unwrap().as_str(), "bob_the.builder-2");
}

#[test]
fn username_refuses_white_space_and_non_ascii_letters() {
    for bad in [" alice", "alice ", "al ice", "álice", "alice\n", "ali\u{0}ce", "Ａlice", "a@b.c"]
    {
        assert_eq!(Username::parse(bad), Err(UsernameError::InvalidCharacter), "{bad:?}");
    }
    // The character rule is checked first: a short name with a bad character names the character.
    assert_eq!(Username::parse("a!"), Err(UsernameError::InvalidCharacter));
}

// ---------------------------------------------------------------------------------------------
// EmailAddress
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn email_valid_input_lowercases_the_domain_and_round_trips(
        local in "[A-Za-z0-9._%+-]{1,64}",
        domain in "[A-Za-z0-9-]{1,20}(\\.[A-Za-z0-9-]{1,10}){1,3}",
        pad_left in padding(),
        pad_right in padding(),
    ) {
        let email = EmailAddress::parse(&format!("{pad_left}{local}@{domain}{pad_right}")).unwrap();
        prop_assert_eq!(email.as_str(), format!("{local}@{}", domain.to_lowercase()));
        prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
        prop_assert_eq!(email.to_string().parse::<EmailAddress>(), Ok(email));
    }

    #[test]
    fn email_without_an_at_sign_is_malformed(raw in "[A-Za-z0-9._ -]{0,80}") {
        prop_assert_eq!(EmailAddress::parse(&raw), Err(EmailError::Malformed));
    }

    #[test]
    fn email_with_inner_white_space_or_control_character_is_malformed(
        local in "[a-z]{1,10}",
        domain in "[a-z]{1,10}\\.[a-z]{2,5}",
        at in any::<usize>(),
        bad in prop_oneof![select(WHITE_SPACE.to_vec()), control_char()],
    ) {
        // Inside the local part, so trimming cannot remove it.
        let local = format!("x{}", insert_at(&local, at, bad));
        prop_assert_eq!(EmailAddress::parse(&format!("{local}@{domain}")), Err(EmailError::Malformed));
    }

    #[test]
    fn email_longer_than_254_characters_is_too_long(extra in 1..100usize, c in edge_char()) {
        // "a@" + label + ".org", 255..=354 characters.
        let label = chars(254 - 6 + extra, c);
        prop_assert_eq!(EmailAddress::parse(&format!("a@{label}.org")), Err(EmailError::TooLong));
    }

    #[test]
    fn email_parse_never_panics_and_normalisation_is_idempotent(raw in any_text()) {
        if let Ok(email) = EmailAddress::parse(&raw) {
            prop_assert!(email.as_str().chars().count() <= EmailAddress::MAX_CHARS);
            prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
        }
    }
}

#[test]
fn email_edges() {
    assert_eq!(EmailAddress::parse("  Ann@Example.ORG  ").unwrap().as_str(), "Ann@example.org");
    for bad in [
        "",
        "@example.org",
        "ann@",
        "ann@example",
        "ann@.example.org",
        "ann@example.org.",
        "ann@example..org",
        "ann @example.org",
        "ann@exa mple.org",
    ] {
        assert_eq!(EmailAddress::parse(bad), Err(EmailError::Malformed), "{bad:?}");
    }
    let local_64 = chars(64, 'a');
    assert!(EmailAddress::parse(&format!("{local_64}@example.org")).is_ok());
    assert_eq!(
        EmailAddress::parse(&format!("{local_64}a@example.org")),
        Err(EmailError::Malformed)
    );
    // Exactly 254 characters is accepted, 255 is not.
    let exact = format!("a@{}.org", chars(248, 'b'));
    assert_eq!(exact.chars().count(), 254);
    assert!(EmailAddress::parse(&exact).is_ok());
    let over = format!("a@{}.org", chars(249, 'b'));
    assert_eq!(EmailAddress::parse(&over), Err(EmailError::TooLong));
}

#[test]
fn email_length_limit_holds_for_the_stored_form() {
    // 'İ' lower-cases to two characters ("i̇"): a 254-character address whose domain holds it
    // would be stored longer than the limit and refused when read back.
    let raw = format!("a@{}.org", chars(248, 'İ'));
    assert_eq!(raw.chars().count(), 254);
    match EmailAddress::parse(&raw) {
        Ok(email) => {
            assert!(email.as_str().chars().count() <= EmailAddress::MAX_CHARS);
            assert_eq!(EmailAddress::parse(email.as_str()), Ok(email));
        }
        Err(e) => assert_eq!(e, EmailError::TooLong),
    }
}

// ---------------------------------------------------------------------------------------------
// Password and PasswordHash
// ---------------------------------------------------------------------------------------------

/// Characters that show nothing: white space, controls, zero-width and filler characters.
const INVISIBLE: &[char] = &[
    ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    '\u{a0}', '\u{ad}', '\u{1680}', '\u{180e}', '\u{2000}', '\u{200a}', '\u{200b}', '\u{200d}',
    '\u{200e}', '\u{2028}', '\u{202e}', '\u{202f}', '\u{205f}', '\u{2060}', '\u{2066}', '\u{2800}',
    '\u{3000}', '\u{3164}', '\u{fe0f}', '\u{feff}', '\u{ffa0}', '\u{fffb}',
];

#[test]
fn every_listed_invisible_character_is_invisible() {
    for c in INVISIBLE {
        assert!(is_invisible(*c), "{c:?}");
    }
}

proptest! {
    #[test]
    fn password_of_8_to_128_characters_is_kept_exactly(
        raw in prop::collection::vec(any::<char>(), 8..=128).prop_map(String::from_iter),
    ) {
        prop_assume!(raw.chars().any(|c| !is_invisible(c)));
        let password = Password::parse(&raw).unwrap();
        prop_assert_eq!(password.expose_secret(), raw.as_str());
        prop_assert_eq!(Password::parse(password.expose_secret()), Ok(password.clone()));
        prop_assert_eq!(format!("{password:?}"), "Password(<redacted>)");
    }

    #[test]
    fn password_shorter_than_8_characters_is_too_short(
        raw in prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ) {
        prop_assert_eq!(Password::parse(&raw), Err(PasswordError::TooShort));
    }

    #[test]
    fn password_longer_than_128_characters_is_too_long(
        raw in prop::collection::vec(any::<char>(), 129..400).prop_map(String::from_iter),
    ) {
        prop_assert_eq!(Password::parse(&raw), Err(PasswordError::TooLong));
    }

    #[test]
    fn password_of_only_invisible_characters_is_refused_and_one_visible_character_saves_it(
        chars in prop::collection::vec(prop::sample::select(INVISIBLE), 8..=127),
        visible in any::<char>().prop_filter("visible", |c| !is_invisible(*c)),
        at in any::<prop::sample::Index>(),
    ) {
        let raw = String::from_iter(&chars);
        prop_assert_eq!(Password::parse(&raw), Err(PasswordError::Invisible));
        let mut saved = chars.clone();
        saved.insert(at.index(chars.len() + 1), visible);
        let saved = String::from_iter(saved);
        prop_assert_eq!(Password::parse(&saved).map(|p| p.expose_secret().to_owned()), Ok(saved));
    }

    #[test]
    fn password_parse_never_panics_and_looks_only_at_length_and_visibility(raw in any_text()) {
        let expected = match raw.chars().count() {
            0..8 => Err(PasswordError::TooShort),
            8..=128 if raw.chars().all(is_invisible) => Err(PasswordError::Invisible),
            8..=128 => Ok(raw.as_str()),
            _ => Err(PasswordError::TooLong),
        };
        let parsed = Password::parse(&raw);
        prop_assert_eq!(parsed.as_ref().map(Password::expose_secret), expected.as_ref().copied());
    }

    #[test]
    fn password_hash_phc_strings_round_trip(
        raw in "\\$[a-z0-9-]{1,20}(\\$[A-Za-z0-9=,+/.]{0,40}){0,4}",
    ) {
        let hash = PasswordHash::parse(&raw).unwrap();
        prop_assert_eq!(hash.as_str(), raw.as_str());
        prop_assert_eq!(PasswordHash::parse(hash.as_str()), Ok(hash.clone()));
        prop_assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn password_hash_without_a_leading_dollar_or_with_white_space_is_refused(
        body in "[A-Za-z0-9=,$]{0,30}",
        at in any::<usize>(),
        ws in select(WHITE_SPACE.to_vec()),
    ) {
        let no_dollar = body.trim_start_matches('$');
        prop_assert_eq!(PasswordHash::parse(no_dollar), Err(PasswordHashError));
        let spaced = format!("$x{}", insert_at(&body, at, ws));
        prop_assert_eq!(PasswordHash::parse(&spaced), Err(PasswordHashError));
    }

    #[test]
    fn password_hash_parse_never_panics(raw in any_text()) {
        if let Ok(hash) = PasswordHash::parse(&raw) {
            prop_assert!(hash.as_str().starts_with('$') && hash.as_str().len() >= 2);
            prop_assert!(!hash.as_str().chars().any(char::is_whitespace));
        }
    }
}

#[test]
fn password_boundaries_count_characters() {
    assert_eq!(Password::parse(""), Err(PasswordError::TooShort));
    assert_eq!(Password::parse(&chars(7, 'x')), Err(PasswordError::TooShort));
    assert!(Password::parse(&chars(8, 'x')).is_ok());
    assert!(Password::parse(&chars(128, 'x')).is_ok());
    assert_eq!(Password::parse(&chars(129, 'x')), Err(PasswordError::TooLong));
    // Eight 4-byte characters are eight characters, not 32.
    assert!(Password::parse(&chars(8, '🔑')).is_ok());
    assert_eq!(Password::parse(&chars(129, '🔑')), Err(PasswordError::TooLong));
    // White space is significant and kept, not trimmed.
    assert_eq!(Password::parse("  pass word  ").unwrap().expose_secret(), "  pass word  ");
    // ...and counts: three spaces and five letters make eight characters.
    assert!(Password::parse("   passw").is_ok());
    assert_eq!(Password::parse("  passw"), Err(PasswordError::TooShort));
}

#[test]
fn password_debug_is_redacted() {
    let p = Password::parse("hunter2-hunter2").unwrap();
    let debug = format!("{p:?} {p:#?}");
    assert!(!debug.contains("hunter"), "{debug}");
    assert_eq!(format!("{p:?}"), "Password(<redacted>)");
    let h = PasswordHash::parse("$pbkdf2-sha256$i=600000,l=32$c2FsdA$aGFzaA").unwrap();
    let debug = format!("{h:?} {h:#?}");
    assert!(!debug.contains("pbkdf2") && !debug.contains("aGFzaA"), "{debug}");
}

#[test]
fn password_hash_edges() {
    assert_eq!(PasswordHash::parse(""), Err(PasswordHashError));
    assert_eq!(PasswordHash::parse("$"), Err(PasswordHashError));
    assert!(PasswordHash::parse("$x").is_ok());
    assert_eq!(PasswordHash::parse("pbkdf2$i=1"), Err(PasswordHashError));
    assert_eq!(PasswordHash::parse(" $pbkdf2"), Err(PasswordHashError));
    assert_eq!(PasswordHash::parse("$pbkdf2\n"), Err(PasswordHashError));
}

// ---------------------------------------------------------------------------------------------
// TaskTitle
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn title_is_trimmed_and_round_trips(
        core in one_line(1, TaskTitle::MAX_CHARS),
        left in padding(),
        right in padding(),
    ) {
        let title = TaskTitle::parse(&format!("{left}{core}{right}")).unwrap();
        prop_assert_eq!(title.as_str(), core.as_str());
        prop_assert_eq!(TaskTitle::parse(title.as_str()), Ok(title.clone()));
        prop_assert_eq!(title.to_string().parse::<TaskTitle>(), Ok(title.clone()));
        prop_assert_eq!(TaskTitle::try_from(core.clone()), Ok(title.clone()));
        prop_assert_eq!(title.into_string(), core);
    }

    #[test]
    fn title_of_only_white_space_is_empty(raw in padding()) {
        prop_assert_eq!(TaskTitle::parse(&raw), Err(TitleError::Empty));
    }

    #[test]
    fn title_too_long_reports_its_trimmed_length(
        core in one_line(TaskTitle::MAX_CHARS + 1, TaskTitle::MAX_CHARS + 60),
        left in padding(),
    ) {
        let actual = core.chars().count();
        prop_assert_eq!(TaskTitle::parse(&format!("{left}{core}")), Err(TitleError::TooLong { actual }));
    }

    #[test]
    fn title_with_an_inner_control_character_is_refused(
        core in one_line(2, 300),
        at in any::<usize>(),
        bad in control_char(),
    ) {
        // Strictly inside, so trimming cannot remove it; checked before the length.
        let n = core.chars().count();
        let raw = insert_at(&core, 1 + at % (n - 1), bad);
        prop_assert_eq!(TaskTitle::parse(&raw), Err(TitleError::ControlCharacter));
    }

    #[test]
    fn title_parse_never_panics_and_only_builds_valid_titles(raw in any_text()) {
        if let Ok(title) = TaskTitle::parse(&raw) {
            let s = title.as_str();
            prop_assert!(!s.is_empty() && s.chars().count() <= TaskTitle::MAX_CHARS);
            prop_assert_eq!(s, s.trim());
            prop_assert!(!s.chars().any(char::is_control));
            prop_assert_eq!(TaskTitle::parse(s), Ok(title.clone()));
        }
    }
}

#[test]
fn title_boundaries() {
    assert_eq!(TaskTitle::parse(""), Err(TitleError::Empty));
    assert_eq!(TaskTitle::parse(" \t\n "), Err(TitleError::Empty));
    assert_eq!(TaskTitle::parse("x").unwrap().as_str(), "x");
    assert!(TaskTitle::parse(&chars(200, 'x')).is_ok());
    assert!(TaskTitle::parse(&chars(200, '字')).is_ok());
    assert_eq!(TaskTitle::parse(&chars(201, 'x')), Err(TitleError::TooLong { actual: 201 }));
    assert_eq!(TaskTitle::parse(&chars(201, '字')), Err(TitleError::TooLong { actual: 201 }));
    // Padding does not count towards the limit.
    let padded = format!("   {}   ", chars(200, 'x'));
    assert_eq!(TaskTitle::parse(&padded).unwrap().as_str().len(), 200);
}

#[test]
fn title_trims_and_refuses_control_characters() {
    assert_eq!(TaskTitle::parse("  Ship it \n").unwrap().as_str(), "Ship it");
    assert_eq!(TaskTitle::parse("\u{3000}全角\u{a0}").unwrap().as_str(), "全角");
    for bad in ["line\nbreak", "tab\there", "nul\0", "bell\u{7}x", "del\u{7f}x", "c1\u{85}x"] {
        assert_eq!(TaskTitle::parse(bad), Err(TitleError::ControlCharacter), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Description and ProjectDescription
// ---------------------------------------------------------------------------------------------

fn multi_line_char() -> impl Strategy<Value = char> {
    prop_oneof![9 => text_char(), 1 => select(vec!['\t', '\n', '\r'])]
}

proptest! {
    #[test]
    fn description_keeps_text_as_written(
        raw in prop::collection::vec(multi_line_char(), 0..400).prop_map(String::from_iter),
    ) {
        let d = Description::parse(&raw).unwrap();
        prop_assert_eq!(d.as_str(), raw.as_str());
        prop_assert_eq!(d.is_empty(), raw.is_empty());
        prop_assert_eq!(Description::parse(d.as_str()), Ok(d.clone()));
        prop_assert_eq!(Description::try_from(raw.clone()), Ok(d.clone()));
        prop_assert_eq!(d.to_string(), raw.clone());
        let p = ProjectDescription::parse(&raw).unwrap();
        prop_assert_eq!(p.as_str(), raw.as_str());
        prop_assert_eq!(ProjectDescription::try_from(raw), Ok(p));
    }

    #[test]
    fn description_over_the_limit_reports_max_and_actual(extra in 1..50usize, c in multi_line_char()) {
        let raw = chars(Description::MAX_CHARS + extra, c);
        let expected = DescriptionError::TooLong { max: 10_000, actual: 10_000 + extra };
        prop_assert_eq!(Description::parse(&raw), Err(expected.clone()));
        prop_assert_eq!(Description::try_from(raw), Err(expected));
        let raw = chars(ProjectDescription::MAX_CHARS + extra, c);
        let expected = DescriptionError::TooLong { max: 2_000, actual: 2_000 + extra };
        prop_assert_eq!(ProjectDescription::parse(&raw), Err(expected.clone()));
        prop_assert_eq!(ProjectDescription::try_from(raw), Err(expected));
    }

    #[test]
    fn description_with_a_forbidden_control_character_is_refused(
        raw in prop::collection::vec(multi_line_char(), 0..100).prop_map(String::from_iter),
        at in any::<usize>(),
        bad in forbidden_in_text(),
    ) {
        let raw = insert_at(&raw, at, bad);
        prop_assert_eq!(Description::parse(&raw), Err(DescriptionError::ControlCharacter));
        prop_assert_eq!(ProjectDescription::parse(&raw), Err(DescriptionError::ControlCharacter));
        prop_assert_eq!(Description::try_from(raw), Err(DescriptionError::ControlCharacter));
    }

    #[test]
    fn description_parse_never_panics(raw in any_text()) {
        // Whatever is accepted is kept exactly as written.
        if let Ok(d) = Description::parse(&raw) {
            prop_assert_eq!(d.as_str(), raw.as_str());
        }
        if let Ok(d) = ProjectDescription::parse(&raw) {
            prop_assert_eq!(d.as_str(), raw.as_str());
        }
    }
}

#[test]
fn description_boundaries() {
    assert_eq!(Description::parse("").unwrap(), Description::empty());
    assert!(Description::empty().is_empty());
    assert_eq!(Description::default(), Description::empty());
    assert!(Description::parse(&chars(10_000, 'é')).is_ok());
    assert_eq!(
        Description::parse(&chars(10_001, 'é')),
        Err(DescriptionError::TooLong { max: 10_000, actual: 10_001 })
    );
    assert!(ProjectDescription::parse(&chars(2_000, 'x')).is_ok());
    assert_eq!(
        ProjectDescription::parse(&chars(2_001, 'x')),
        Err(DescriptionError::TooLong { max: 2_000, actual: 2_001 })
    );
    // White space and line breaks are kept as written.
    assert_eq!(Description::parse("  a\r\n\tb  ").unwrap().as_str(), "  a\r\n\tb  ");
    // A forbidden character is reported even when the text is also too long.
    let both = format!("{}\u{1b}", chars(10_001, 'x'));
    assert_eq!(Description::parse(&both), Err(DescriptionError::ControlCharacter));
}

// ---------------------------------------------------------------------------------------------
// ProjectName and CategoryName
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn names_are_trimmed_and_round_trip(
        core in one_line(1, CategoryName::MAX_CHARS),
        long_core in one_line(1, ProjectName::MAX_CHARS),
        left in padding(),
        right in padding(),
    ) {
        let c = CategoryName::parse(&format!("{left}{core}{right}")).unwrap();
        prop_assert_eq!(c.as_str(), core.as_str());
        prop_assert_eq!(CategoryName::parse(c.as_str()), Ok(c.clone()));
        prop_assert_eq!(c.to_string().parse::<CategoryName>(), Ok(c.clone()));
        prop_assert_eq!(CategoryName::try_from(core.clone()), Ok(c.clone()));
        prop_assert_eq!(c.unique_key(), core.to_lowercase());

        let p = ProjectName::parse(&format!("{left}{long_core}{right}")).unwrap();
        prop_assert_eq!(p.as_str(), long_core.as_str());
        prop_assert_eq!(ProjectName::parse(p.as_str()), Ok(p.clone()));
        prop_assert_eq!(ProjectName::try_from(long_core), Ok(p));
    }

    #[test]
    fn names_too_long_report_max_and_actual(
        core in one_line(ProjectName::MAX_CHARS + 1, ProjectName::MAX_CHARS + 40),
        short in one_line(CategoryName::MAX_CHARS + 1, CategoryName::MAX_CHARS + 40),
    ) {
        let actual = core.chars().count();
        prop_assert_eq!(ProjectName::parse(&core), Err(NameError::TooLong { max: 100, actual }));
        let actual = short.chars().count();
        prop_assert_eq!(CategoryName::parse(&short), Err(NameError::TooLong { max: 50, actual }));
    }

    #[test]
    fn names_with_an_inner_control_character_are_refused(
        core in one_line(2, 40),
        at in any::<usize>(),
        bad in control_char(),
    ) {
        let n = core.chars().count();
        let raw = insert_at(&core, 1 + at % (n - 1), bad);
        prop_assert_eq!(ProjectName::parse(&raw), Err(NameError::ControlCharacter));
        prop_assert_eq!(CategoryName::parse(&raw), Err(NameError::ControlCharacter));
    }

    #[test]
    fn names_of_only_white_space_are_empty(raw in padding()) {
        prop_assert_eq!(ProjectName::parse(&raw), Err(NameError::Empty));
        prop_assert_eq!(CategoryName::parse(&raw), Err(NameError::Empty));
    }

    #[test]
    fn name_parse_never_panics(raw in any_text()) {
        if let Ok(n) = ProjectName::parse(&raw) {
            prop_assert_eq!(ProjectName::parse(n.as_str()), Ok(n.clone()));
        }
        if let Ok(n) = CategoryName::parse(&raw) {
            prop_assert_eq!(CategoryName::parse(n.as_str()), Ok(n.clone()));
        }
    }
}

#[test]
fn name_boundaries() {
    assert_eq!(ProjectName::parse("  "), Err(NameError::Empty));
    assert!(ProjectName::parse("x").is_ok());
    assert!(ProjectName::parse(&chars(100, 'x')).is_ok());
    assert_eq!(
        ProjectName::parse(&chars(101, 'x')),
        Err(NameError::TooLong { max: 100, actual: 101 })
    );
    assert!(CategoryName::parse(&chars(50, 'ß')).is_ok());
    assert_eq!(
        CategoryName::parse(&chars(51, 'ß')),
        Err(NameError::TooLong { max: 50, actual: 51 })
    );
    let bug = CategoryName::parse("  Bug ").unwrap();
    assert_eq!(bug.as_str(), "Bug");
    assert_eq!(bug.unique_key(), CategoryName::parse("bUG").unwrap().unique_key());
}

// ---------------------------------------------------------------------------------------------
// Label and Labels
// ---------------------------------------------------------------------------------------------

fn label_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

proptest! {
    #[test]
    fn label_is_lowercased_and_round_trips(raw in "[A-Za-z0-9_.:-]{1,50}") {
        let label = Label::parse(&raw).unwrap();
        prop_assert_eq!(label.as_str(), raw.to_lowercase());
        prop_assert_eq!(Label::parse(label.as_str()), Ok(label.clone()));
        prop_assert_eq!(label.to_string().parse::<Label>(), Ok(label));
    }

    #[test]
    fn label_too_long_or_empty_reports_its_length(raw in prop_oneof![Just(String::new()), "[a-z0-9_.:-]{51,90}"]) {
        prop_assert_eq!(Label::parse(&raw), Err(LabelError::Length { actual: raw.chars().count() }));
    }

    #[test]
    fn label_with_a_foreign_character_is_refused(
        base in "[a-z0-9_.:-]{0,30}",
        at in any::<usize>(),
        bad in any::<char>().prop_filter("not a label character", |c| !label_char(*c)),
    ) {
        prop_assert_eq!(Label::parse(&insert_at(&base, at, bad)), Err(LabelError::InvalidCharacter));
    }

    #[test]
    fn label_parse_never_panics_and_normalisation_is_idempotent(raw in any_text()) {
        if let Ok(label) = Label::parse(&raw) {
            let s = label.as_str();
            prop_assert!((1..=Label::MAX_CHARS).contains(&s.chars().count()));
            prop_assert!(s.chars().all(label_char));
            prop_assert_eq!(s.to_lowercase(), s);
            prop_assert_eq!(Label::parse(s), Ok(label.clone()));
        }
    }

    #[test]
    fn labels_are_lowercased_deduplicated_and_sorted(
        raw in prop::collection::vec("[A-Da-d0-3:]{1,3}", 0..40),
    ) {
        let expected: BTreeSet<String> = raw.iter().map(|l| l.to_lowercase()).collect();
        match Labels::parse(&raw) {
            Ok(labels) => {
                prop_assert!(expected.len() <= Labels::MAX);
                let got: Vec<&str> = labels.iter().map(Label::as_str).collect();
                let want: Vec<&str> = expected.iter().map(String::as_str).collect();
                prop_assert_eq!(&got, &want);
                prop_assert_eq!(labels.len(), expected.len());
                prop_assert_eq!(labels.is_empty(), expected.is_empty());
                for l in &raw {
                    prop_assert!(labels.contains(&Label::parse(l).unwrap()));
                }
                // Parsing the stored form gives the same set, and so does from_labels.
                prop_assert_eq!(Labels::parse(&got), Ok(labels.clone()));
                let parsed: Vec<Label> = raw.iter().map(|l| Label::parse(l).unwrap()).collect();
                prop_assert_eq!(Labels::from_labels(parsed), Ok(labels.clone()));
            }
            Err(e) => {
                prop_assert_eq!(e, LabelsError::TooMany);
                prop_assert!(expected.len() > Labels::MAX);
                let parsed: Vec<Label> = raw.iter().map(|l| Label::parse(l).unwrap()).collect();
                prop_assert_eq!(Labels::from_labels(parsed), Err(LabelsError::TooMany));
            }
        }
    }

    #[test]
    fn labels_name_the_first_invalid_label(
        good in prop::collection::vec("[a-z0-9]{1,8}", 0..15),
        at in any::<usize>(),
        bad in prop_oneof![Just(String::new()), "[a-z]{51,60}", "[a-z]{0,5}[ /#@!?]", "[a-z]{1,3}\\PC"],
    ) {
        let expected_source = Label::parse(&bad);
        prop_assume!(expected_source.is_err());
        let index = at % (good.len() + 1);
        let mut raw = good.clone();
        raw.insert(index, bad.clone());
        // A second bad label later on is never the one reported.
        raw.push(String::from("also bad"));
        let source = expected_source.unwrap_err();
        prop_assert_eq!(Labels::parse(&raw), Err(LabelsError::Invalid { index, source }));
    }

    #[test]
    fn labels_parse_never_panics(raw in prop::collection::vec(any_text(), 0..30)) {
        if let Ok(labels) = Labels::parse(&raw) {
            prop_assert!(labels.len() <= Labels::MAX && labels.len() <= raw.len());
            let items: Vec<&Label> = labels.iter().collect();
            prop_assert!(items.windows(2).all(|w| w[0] < w[1]));
        }
    }
}

#[test]
fn label_boundaries_and_case_folding() {
    assert_eq!(Label::parse(""), Err(LabelError::Length { actual: 0 }));
    assert_eq!(Label::parse("a").unwrap().as_str(), "a");
    assert!(Label::parse(&chars(50, 'x')).is_ok());
    assert_eq!(Label::parse(&chars(51, 'x')), Err(LabelError::Length { actual: 51 }));
    assert_eq!(Label::parse("Needs-Review:P1").unwrap().as_str(), "needs-review:p1");
    assert_eq!(Label::parse("ÉTÉ").unwrap().as_str(), "été");
    assert_eq!(Label::parse("v1.2_rc").unwrap().as_str(), "v1.2_rc");
    for bad in ["with space", "tab\t", "slash/", "hash#", " lead", "emoji🚀", "nul\0"] {
        assert_eq!(Label::parse(bad), Err(LabelError::InvalidCharacter), "{bad:?}");
    }
    // 'İ' lower-cases to 'i' plus a combining dot, which is not a label character.
    assert_eq!(Label::parse("İ"), Err(LabelError::InvalidCharacter));
}

#[test]
fn labels_deduplicate_case_insensitively_and_sort() {
    let labels = Labels::parse(&["Ops", "backend", "OPS", "api", "Backend"]).unwrap();
    let got: Vec<&str> = labels.iter().map(Label::as_str).collect();
    assert_eq!(got, ["api", "backend", "ops"]);
    assert_eq!((&labels).into_iter().count(), 3);
    assert_eq!(Labels::parse::<&str>(&[]).unwrap(), Labels::none());
    assert!(Labels::none().is_empty());
    assert_eq!(Labels::default(), Labels::none());
}

#[test]
fn labels_limit_counts_distinct_labels() {
    let twenty: Vec<String> = (0..20).map(|i| format!("l{i}")).collect();
    assert_eq!(Labels::parse(&twenty).unwrap().len(), 20);
    // Duplicates of the twenty do not count.
    let mut with_dups = twenty.clone();
    with_dups.extend(twenty.iter().map(|l| l.to_uppercase()));
    assert_eq!(Labels::parse(&with_dups).unwrap().len(), 20);
    let mut twenty_one = twenty.clone();
    twenty_one.push(String::from("l20"));
    assert_eq!(Labels::parse(&twenty_one), Err(LabelsError::TooMany));
    // The 21st distinct label stops parsing: a bad label after it is not looked at.
    twenty_one.push(String::from("bad label"));
    assert_eq!(Labels::parse(&twenty_one), Err(LabelsError::TooMany));
    // A bad label before the limit is reached is reported with its index.
    let mut bad_first = vec![String::from("ok"), String::from("no way")];
    bad_first.extend(twenty_one);
    assert_eq!(
        Labels::parse(&bad_first),
        Err(LabelsError::Invalid { index: 1, source: LabelError::InvalidCharacter })
    );
    let labels: Vec<Label> = (0..21).map(|i| Label::parse(&format!("x{i}")).unwrap()).collect();
    assert_eq!(Labels::from_labels(labels.clone()), Err(LabelsError::TooMany));
    assert_eq!(Labels::from_labels(labels[..20].to_vec()).unwrap().len(), 20);
}

// ---------------------------------------------------------------------------------------------
// Priority, Status, Role
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn priority_status_role_accept_exactly_their_names(raw in any_text()) {
        let priority = Priority::ALL.into_iter().find(|p| p.as_str() == raw);
        prop_assert_eq!(Priority::parse(&raw), priority.ok_or(PriorityError));
        prop_assert_eq!(raw.parse::<Priority>(), priority.ok_or(PriorityError));
        let status = Status::ALL.into_iter().find(|s| s.as_str() == raw);
        prop_assert_eq!(Status::parse(&raw), status.ok_or(StatusError));
        prop_assert_eq!(raw.parse::<Status>(), status.ok_or(StatusError));
        let role = Role::ALL.into_iter().find(|r| r.as_str() == raw);
        prop_assert_eq!(Role::parse(&raw), role.ok_or(RoleError));
        prop_assert_eq!(raw.parse::<Role>(), role.ok_or(RoleError));
    }

    #[test]
    fn enum_names_are_case_and_space_sensitive(
        name in select(vec!["low", "medium", "high", "urgent", "todo", "in_progress", "done", "admin", "editor", "viewer"]),
        pad in padding().prop_filter("some padding", |p| !p.is_empty()),
    ) {
        let variants = [name.to_uppercase(), format!("{pad}{name}"), format!("{name}{pad}")];
        for v in variants {
            prop_assert!(Priority::parse(&v).is_err());
            prop_assert!(Status::parse(&v).is_err());
            prop_assert!(Role::parse(&v).is_err());
        }
    }

    #[test]
    fn priority_rank_round_trips(rank in any::<u8>()) {
        match Priority::from_rank(rank) {
            Some(p) => prop_assert_eq!(p.rank(), rank),
            None => prop_assert!(!(1..=4).contains(&rank)),
        }
    }
}

#[test]
fn priority_names_order_and_default() {
    for p in Priority::ALL {
        assert_eq!(Priority::parse(p.as_str()), Ok(p));
        assert_eq!(p.to_string().parse::<Priority>(), Ok(p));
        assert_eq!(Priority::from_rank(p.rank()), Some(p));
    }
    assert!(Priority::Low < Priority::Medium);
    assert!(Priority::Medium < Priority::High);
    assert!(Priority::High < Priority::Urgent);
    assert!(Priority::ALL.windows(2).all(|w| w[0] < w[1] && w[0].rank() < w[1].rank()));
    assert_eq!(Priority::default(), Priority::Medium);
    assert_eq!(Priority::parse("Medium"), Err(PriorityError));
    assert_eq!(Priority::parse(""), Err(PriorityError));
}

#[test]
fn status_names_and_default() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Ok(s));
        assert_eq!(s.to_string().parse::<Status>(), Ok(s));
    }
    assert_eq!(Status::InProgress.as_str(), "in_progress");
    assert_eq!(Status::parse("in-progress"), Err(StatusError));
    assert_eq!(Status::default(), Status::Todo);
    assert!(Status::Todo.is_open() && Status::InProgress.is_open() && !Status::Done.is_open());
}

#[test]
fn role_names() {
    for r in Role::ALL {
        assert_eq!(Role::parse(r.as_str()), Ok(r));
        assert_eq!(r.to_string().parse::<Role>(), Ok(r));
    }
    assert_eq!(Role::parse("Admin"), Err(RoleError));
    assert_eq!(Role::parse("root"), Err(RoleError));
}

// ---------------------------------------------------------------------------------------------
// DueDate
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn due_date_valid_dates_round_trip((y, m, d) in calendar_date()) {
        let text = format!("{y:04}-{m:02}-{d:02}");
        let date = DueDate::parse(&text).unwrap();
        prop_assert_eq!((date.year(), date.month(), date.day()), (y, m, d));
        prop_assert_eq!(date.to_string(), text.clone());
        prop_assert_eq!(text.parse::<DueDate>(), Ok(date));
        prop_assert_eq!(DueDate::from_ymd(y, m, d), Ok(date));
        prop_assert_eq!(DueDate::from_days_since_epoch(date.days_since_epoch()), Some(date));
    }

    #[test]
    fn due_date_order_is_the_order_of_its_text(a in calendar_date(), b in calendar_date()) {
        let ta = format!("{:04}-{:02}-{:02}", a.0, a.1, a.2);
        let tb = format!("{:04}-{:02}-{:02}", b.0, b.1, b.2);
        let (da, db) = (DueDate::parse(&ta).unwrap(), DueDate::parse(&tb).unwrap());
        prop_assert_eq!(da.cmp(&db), ta.cmp(&tb));
        prop_assert_eq!(da.cmp(&db), da.days_since_epoch().cmp(&db.days_since_epoch()));
    }

    #[test]
    fn due_date_impossible_days_and_months_are_refused(
        y in 0..=9999i32,
        m in 0..=99u8,
        d in 0..=99u8,
    ) {
        let possible = y >= 1 && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m);
        let text = format!("{y:04}-{m:02}-{d:02}");
        prop_assert_eq!(DueDate::parse(&text).is_ok(), possible, "{}", text);
        prop_assert_eq!(DueDate::from_ymd(y, m, d).is_ok(), possible);
    }

    #[test]
    fn due_date_from_ymd_refuses_years_outside_1_to_9999(
        y in prop_oneof![i32::MIN..=0, 10_000..=i32::MAX],
        m in 1..=12u8,
        d in 1..=28u8,
    ) {
        prop_assert_eq!(DueDate::from_ymd(y, m, d), Err(DueDateError));
    }

    #[test]
    fn due_date_parse_never_panics_and_accepts_only_canonical_text(
        raw in prop_oneof![any_text(), "[0-9]{4}-[0-9]{2}-[0-9]{2}", "[0-9+ -]{10}", ".{10}"],
    ) {
        if let Ok(date) = DueDate::parse(&raw) {
            prop_assert_eq!(date.to_string(), raw);
        }
    }

    #[test]
    fn due_date_from_days_since_epoch_never_panics(days in any::<i32>()) {
        if let Some(date) = DueDate::from_days_since_epoch(days) {
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert!((1..=9999).contains(&date.year()));
        }
    }
}

#[test]
fn due_date_leap_years() {
    for leap in ["2024-02-29", "2000-02-29", "1600-02-29", "0004-02-29", "9996-02-29"] {
        assert!(DueDate::parse(leap).is_ok(), "{leap}");
    }
    for not_leap in ["2023-02-29", "1900-02-29", "2100-02-29", "0001-02-29", "9999-02-29"] {
        assert_eq!(DueDate::parse(not_leap), Err(DueDateError), "{not_leap}");
    }
    assert_eq!(DueDate::parse("2024-02-30"), Err(DueDateError));
}

#[test]
fn due_date_impossible_and_misshapen_text() {
    for bad in [
        "",
        "2026-04-31",
        "2026-06-31",
        "2026-00-01",
        "2026-13-01",
        "2026-01-00",
        "2026-01-32",
        "0000-01-01",
        "2026-1-1",
        "26-01-01",
        "2026/01/01",
        "2026-01-01T00:00:00Z",
        " 2026-01-01",
        "2026-01-01 ",
        "+2026-01-01",
        "-001-01-01",
        "２０２６-01-01",
        "2026-0a-01",
        "20260101",
        "99999-01-01",
    ] {
        assert_eq!(DueDate::parse(bad), Err(DueDateError), "{bad:?}");
    }
}

#[test]
fn due_date_limits() {
    assert_eq!(DueDate::parse("9999-12-31"), Ok(DueDate::MAX));
    assert_eq!(DueDate::MAX.to_string(), "9999-12-31");
    let first = DueDate::parse("0001-01-01").unwrap();
    assert_eq!(first.to_string(), "0001-01-01");
    assert!(first < DueDate::MAX);
    assert_eq!(DueDate::parse("1970-01-01").unwrap().days_since_epoch(), 0);
    assert_eq!(DueDate::parse("1969-12-31").unwrap().days_since_epoch(), -1);
    assert_eq!(DueDate::from_days_since_epoch(DueDate::MAX.days_since_epoch() + 1), None);
    assert_eq!(DueDate::from_days_since_epoch(first.days_since_epoch() - 1), None);
    assert_eq!(DueDate::from_days_since_epoch(i32::MAX), None);
}

// ---------------------------------------------------------------------------------------------
// PageLimit
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn page_limit_accepts_exactly_1_to_200(n in prop_oneof![0..=300u64, any::<u64>()]) {
        match PageLimit::new(n) {
            Ok(limit) => {
                prop_assert!((1..=200).contains(&n));
                prop_assert_eq!(limit.get() as u64, n);
            }
            Err(e) => {
                prop_assert_eq!(e, PageLimitError);
                prop_assert!(!(1..=200).contains(&n));
            }
        }
    }
}

#[test]
fn page_limit_boundaries() {
    assert_eq!(PageLimit::new(0), Err(PageLimitError));
    assert_eq!(PageLimit::new(1).unwrap().get(), 1);
    assert_eq!(PageLimit::new(200).unwrap().get(), 200);
    assert_eq!(PageLimit::new(201), Err(PageLimitError));
    // No truncation to 16 bits: 65,536 + 50 is not 50.
    assert_eq!(PageLimit::new(65_586), Err(PageLimitError));
    assert_eq!(PageLimit::new(u64::MAX), Err(PageLimitError));
    assert_eq!(PageLimit::default().get(), 50);
    assert_eq!(PageLimit::default(), PageLimit::DEFAULT);
}

// ---------------------------------------------------------------------------------------------
// SearchText
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn search_text_is_trimmed_and_round_trips(
        core in one_line(SearchText::MIN_CHARS, SearchText::MAX_CHARS),
        left in padding(),
        right in padding(),
    ) {
        let q = SearchText::parse(&format!("{left}{core}{right}")).unwrap();
        prop_assert_eq!(q.as_str(), core.as_str());
        prop_assert_eq!(SearchText::parse(q.as_str()), Ok(q.clone()));
        prop_assert_eq!(q.to_string(), core);
    }

    #[test]
    fn search_text_too_short_or_too_long_is_refused(
        core in prop_oneof![one_line(1, 2), one_line(101, 140)],
        left in padding(),
    ) {
        prop_assert_eq!(SearchText::parse(&format!("{left}{core}")), Err(SearchTextError::Length));
    }

    #[test]
    fn search_text_with_a_control_character_is_refused(
        core in one_line(2, 60),
        at in any::<usize>(),
        bad in control_char(),
    ) {
        let n = core.chars().count();
        let raw = insert_at(&core, 1 + at % (n - 1), bad);
        prop_assert_eq!(SearchText::parse(&raw), Err(SearchTextError::ControlCharacter));
    }

    #[test]
    fn search_text_matches_ignoring_ascii_case(
        q in "[a-zA-Z0-9][a-zA-Z0-9 ]{0,20}[a-zA-Z0-9]{2}",
        before in "[a-zA-Z ]{0,10}",
        after in "[a-zA-Z ]{0,10}",
    ) {
        let search = SearchText::parse(&q).unwrap();
        let upper = format!("{before}{}{after}", search.as_str().to_uppercase());
        let lower = format!("{before}{}{after}", search.as_str().to_lowercase());
        prop_assert!(search.matches(&upper));
        prop_assert!(search.matches(&lower));
    }

    #[test]
    fn search_text_parse_never_panics(raw in any_text(), title in any_text()) {
        if let Ok(q) = SearchText::parse(&raw) {
            prop_assert!((3..=100).contains(&q.as_str().chars().count()));
            prop_assert_eq!(SearchText::parse(q.as_str()), Ok(q.clone()));
            let _ = q.matches(&title);
        }
    }
}

#[test]
fn search_text_boundaries() {
    assert_eq!(SearchText::parse("  ab  "), Err(SearchTextError::Length));
    assert_eq!(SearchText::parse("abc").unwrap().as_str(), "abc");
    assert!(SearchText::parse(&chars(100, 'q')).is_ok());
    assert_eq!(SearchText::parse(&chars(101, 'q')), Err(SearchTextError::Length));
    assert_eq!(SearchText::parse("a\u{0}c"), Err(SearchTextError::ControlCharacter));
    let q = SearchText::parse("Release").unwrap();
    assert!(q.matches("Ship the RELEASE notes"));
    assert!(!q.matches("Ship the relase notes"));
}

// ---------------------------------------------------------------------------------------------
// Version
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn version_counts_up_from_1(n in 1..u64::MAX) {
        let v = Version::new(n).unwrap();
        prop_assert_eq!(v.get(), n);
        prop_assert_eq!(v.to_string(), n.to_string());
        prop_assert_eq!(v.next().get(), n + 1);
        prop_assert!(v < v.next());
        prop_assert_eq!(Version::new(v.get()), Some(v));
    }
}

#[test]
fn version_edges() {
    assert_eq!(Version::new(0), None);
    assert_eq!(Version::new(1), Some(Version::FIRST));
    assert_eq!(Version::FIRST.get(), 1);
    assert_eq!(Version::FIRST.next().get(), 2);
    let max = Version::new(u64::MAX).unwrap();
    assert_eq!(max.next(), max, "saturates instead of overflowing");
}

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn task_id_round_trips_through_text_and_bytes(bytes in any::<[u8; 16]>()) {
        let id = TaskId::from_bytes(bytes);
        let text = id.to_string();
        prop_assert_eq!(text.len(), 36);
        prop_assert_eq!(text.to_lowercase(), text.clone());
        prop_assert_eq!(text.parse::<TaskId>(), Ok(id));
        prop_assert_eq!(text.to_uppercase().parse::<TaskId>(), Ok(id));
        prop_assert_eq!(text.replace('-', "").parse::<TaskId>(), Err(IdError), "only the hyphenated form");
        prop_assert_eq!(format!("{{{text}}}").parse::<TaskId>(), Err(IdError), "no braces");
        prop_assert_eq!(format!("urn:uuid:{text}").parse::<TaskId>(), Err(IdError), "no URN");
        prop_assert_eq!(TaskId::from_bytes(id.to_bytes()), id);
    }

    #[test]
    fn task_id_with_a_bad_character_is_refused(
        bytes in any::<[u8; 16]>(),
        at in 0..36usize,
        bad in any::<char>().prop_filter("not a hex digit", |c| !c.is_ascii_hexdigit()),
    ) {
        let mut chars: Vec<char> = TaskId::from_bytes(bytes).to_string().chars().collect();
        prop_assume!(chars[at] != bad);
        chars[at] = bad;
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(text.parse::<TaskId>(), Err(IdError));
    }

    #[test]
    fn task_id_parse_never_panics(raw in any_text()) {
        if let Ok(id) = raw.parse::<TaskId>() {
            prop_assert_eq!(id.to_string().parse::<TaskId>(), Ok(id));
        }
    }
}

#[test]
fn task_id_edges() {
    assert_eq!("".parse::<TaskId>(), Err(IdError));
    assert_eq!("not-a-uuid".parse::<TaskId>(), Err(IdError));
    assert_eq!("0190a5b4-7c3e-7def-8abc-0123456789a".parse::<TaskId>(), Err(IdError));
    assert_eq!("0190a5b4-7c3e-7def-8abc-0123456789abc".parse::<TaskId>(), Err(IdError));
    let id = TaskId::new();
    assert_eq!(id.to_string().parse::<TaskId>(), Ok(id));
    assert_eq!(format!(" {id}").parse::<TaskId>(), Err(IdError));
}
