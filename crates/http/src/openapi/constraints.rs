//! The value rules of the domain, written into the OpenAPI document as JSON Schema keywords
//! (`pattern`, `minLength`, `maxItems`, `enum`), so that a client or a fuzzer (schemathesis)
//! can tell a valid request from an invalid one without sending it.
//!
//! The patterns are built from the domain's own limits and mirror its parsers exactly:
//! Rust's `str::trim` removes the Unicode `White_Space` characters ([`WHITE_SPACE`]) and
//! `char::is_control` is the `Cc` category (U+0000–U+001F, U+007F–U+009F). Character classes
//! are spelled out instead of `\s` or `\p{…}` because those differ between regex dialects.

use taskforge_domain::query::{CategoryCursor, TaskSort};
use taskforge_domain::values::{
    CategoryName, Description, Label, Labels, Priority, ProjectDescription, ProjectName,
    SearchText, Status, TaskTitle, Username,
};
use utoipa::Modify;
use utoipa::openapi::path::{Operation, Parameter, ParameterStyle};
use utoipa::openapi::schema::{Array, ArrayItems, Object, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

/// Unicode `White_Space`: what `str::trim` removes.
const WHITE_SPACE: &str = "\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/// `char::is_control`: the `Cc` category.
const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";
/// Control characters except tab, line feed and carriage return (multi-line text).
const CONTROL_BUT_LINE_BREAKS: &str = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";

/// The zero-width and filler characters `values::is_invisible` counts besides white space and
/// control characters.
const ZERO_WIDTH: &str = "\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff9-\\ufffb";

/// A new password: it holds a character that is not invisible (its length is `minLength` and
/// `maxLength`). Unanchored at the end, so it asks only that such a character exists.
fn visible_somewhere() -> String {
    let invisible = format!("[{WHITE_SPACE}{CONTROL}{ZERO_WIDTH}]");
    format!("^{invisible}*[^{WHITE_SPACE}{CONTROL}{ZERO_WIDTH}]")
}

/// One line of text that is `min..=max` characters after trimming, with no control character
/// left after trimming.
fn trimmed_line(min: usize, max: usize) -> String {
    let edge = format!("[^{WHITE_SPACE}{CONTROL}]");
    let inner = format!("[^{CONTROL}]");
    let space = format!("[{WHITE_SPACE}]*");
    let body = if min <= 1 {
        format!("{edge}(?:{inner}{{0,{}}}{edge})?", max.saturating_sub(2))
    } else {
        format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max.saturating_sub(2))
    };
    format!("^{space}{body}{space}$")
}

/// Multi-line text of at most `max` characters: tab and line breaks allowed, other control
/// characters not.
fn text(max: usize) -> String {
    format!("^[^{CONTROL_BUT_LINE_BREAKS}]{{0,{max}}}$")
}

/// A username: ASCII letters, digits and `_ . -`.
fn username() -> String {
    format!("^[A-Za-z0-9_.-]{{{},{}}}$", Username::MIN_CHARS, Username::MAX_CHARS)
}

/// A label: letters and digits of any script and `_ - . :` (`\w` with Unicode semantics).
fn label() -> String {
    format!("^[\\w.:-]{{1,{}}}$", Label::MAX_CHARS)
}

/// Adds the domain's value rules to the document.
#[derive(Debug)]
pub struct Constraints;

impl Modify for Constraints {
    fn modify(&self, openapi: &mut OpenApi) {
        bodies(openapi);
        for (path, item) in &mut openapi.paths.paths {
            for operation in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete]
                    .into_iter()
                    .flatten()
            {
                parameters(path, operation);
            }
        }
    }
}

fn bodies(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else { return };
    let title = trimmed_line(1, TaskTitle::MAX_CHARS);
    let project = trimmed_line(1, ProjectName::MAX_CHARS);
    let category = trimmed_line(1, CategoryName::MAX_CHARS);
    let rules: [(&str, &str, String); 12] = [
        ("CreateProjectBody", "name", project.clone()),
        ("CreateProjectBody", "description", text(ProjectDescription::MAX_CHARS)),
        ("UpdateProjectBody", "name", project),
        ("UpdateProjectBody", "description", text(ProjectDescription::MAX_CHARS)),
        ("CategoryBody", "name", category),
        ("CreateTaskBody", "title", title.clone()),
        ("CreateTaskBody", "description", text(Description::MAX_CHARS)),
        ("UpdateTaskBody", "title", title),
        ("UpdateTaskBody", "description", text(Description::MAX_CHARS)),
        ("RegisterBody", "username", username()),
        ("RegisterBody", "password", visible_somewhere()),
        ("ChangePasswordBody", "new_password", visible_somewhere()),
    ];
    for (schema, property, pattern) in rules {
        if let Some(object) = property_object(components.schemas.get_mut(schema), property) {
            object.pattern = Some(pattern);
        }
    }
    for schema in ["CreateTaskBody", "UpdateTaskBody"] {
        if let Some(Schema::Array(array)) =
            property_schema(components.schemas.get_mut(schema), "labels")
        {
            array.max_items = Some(Labels::MAX);
            if let ArrayItems::RefOrSchema(item) = &mut array.items
                && let RefOr::T(Schema::Object(object)) = item.as_mut()
            {
                object.pattern = Some(label());
            }
        }
    }
}

fn property_schema<'a>(
    schema: Option<&'a mut RefOr<Schema>>,
    property: &str,
) -> Option<&'a mut Schema> {
    let Some(RefOr::T(Schema::Object(object))) = schema else { return None };
    match object.properties.get_mut(property)? {
        RefOr::T(schema) => Some(schema),
        RefOr::Ref(_) => None,
    }
}

fn property_object<'a>(
    schema: Option<&'a mut RefOr<Schema>>,
    property: &str,
) -> Option<&'a mut Object> {
    match property_schema(schema, property)? {
        Schema::Object(object) => Some(object),
        _ => None,
    }
}

/// The rules of the query and header parameters, by name.
fn parameters(path: &str, operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let Some(rule) = parameter_rule(path, &parameter.name) else { continue };
        set_schema(parameter, rule);
    }
}

/// What a parameter's schema becomes.
enum Rule {
    Enum(Vec<String>),
    /// One or more of these values, separated by commas (`style: form`, `explode: false`).
    EnumList(Vec<String>),
    Pattern(String, Option<usize>),
    Uuid,
}

fn parameter_rule(path: &str, name: &str) -> Option<Rule> {
    let names = |all: &[&str]| all.iter().map(|s| (*s).to_owned()).collect();
    Some(match name {
        // The listing and export filters take several statuses (`todo,in_progress`).
        "status" => Rule::EnumList(names(&Status::ALL.map(Status::as_str))),
        "priority" => Rule::Enum(names(&Priority::ALL.map(Priority::as_str))),
        "sort" => Rule::Enum(TaskSort::ALL.iter().map(ToString::to_string).collect()),
        "label" => Rule::Pattern(label(), None),
        "q" => Rule::Pattern(trimmed_line(SearchText::MIN_CHARS, SearchText::MAX_CHARS), None),
        // The task listing's cursor is sealed (`v2.` and URL-safe base64 of a nonce, the
        // encrypted position and a tag, ADR 0011); the others are the id of the last item of
        // the previous page.
        "cursor" if path == "/api/v1/tasks" => Rule::Pattern(
            format!("^v2\\.[A-Za-z0-9_-]{{{},{}}}$", TASK_CURSOR_CHARS.0, TASK_CURSOR_CHARS.1),
            Some(3 + TASK_CURSOR_CHARS.1),
        ),
        // The category listing's cursor is opaque too (`c1.` and URL-safe base64).
        "cursor" if path == "/api/v1/categories" => Rule::Pattern(
            String::from("^c1\\.[A-Za-z0-9_-]+$"),
            Some(CategoryCursor::MAX_ENCODED_LEN),
        ),
        // History pages go by entry id: a positive whole number (every one of up to 19 digits
        // fits the id's u64).
        "cursor" if path.ends_with("/history") || path.ends_with("/activity") => {
            Rule::Pattern(String::from("^[1-9][0-9]{0,18}$"), None)
        }
        // Users are listed by username, projects by id.
        "cursor" if path == "/api/v1/users" => Rule::Pattern(username(), None),
        "cursor" => Rule::Uuid,
        // `*` or one strong entity tag of a version: a positive whole number (every one of up
        // to 19 digits fits the version's u64); see crate::preconditions.
        "If-Match" => Rule::Pattern(String::from("^(\\*|\"0*[1-9][0-9]{0,18}\")$"), None),
        _ => return None,
    })
}

/// How many base64url characters follow `v2.` in a task cursor: a nonce (24 bytes), a tag
/// (16), the sort (1) and id (16), and a value of 1 byte (a priority) to 800 (a title of 200
/// four-byte characters).
const TASK_CURSOR_CHARS: (usize, usize) =
    (base64_len(24 + 16 + 17 + 1), base64_len(24 + 16 + 17 + 800));

/// The length of `bytes` bytes in base64 without padding.
const fn base64_len(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

fn set_schema(parameter: &mut Parameter, rule: Rule) {
    let mut object = Object::with_type(SchemaType::Type(Type::String));
    match rule {
        Rule::EnumList(values) => {
            object.enum_values = Some(values.into_iter().map(Into::into).collect());
            let mut array = Array::new(object);
            array.min_items = Some(1);
            // `status=todo,in_progress`: the comma-separated form of an array in a query.
            parameter.style = Some(ParameterStyle::Form);
            parameter.explode = Some(false);
            parameter.schema = Some(RefOr::T(Schema::Array(array)));
            return;
        }
        Rule::Enum(values) => {
            object.enum_values = Some(values.into_iter().map(Into::into).collect())
        }
        Rule::Pattern(pattern, max) => {
            object.pattern = Some(pattern);
            object.max_length = max;
        }
        Rule::Uuid => {
            object.format = Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Uuid,
            ));
        }
    }
    parameter.schema = Some(RefOr::T(Schema::Object(object)));
}

#[cfg(test)]
mod tests {
    //! Each pattern must accept exactly what the domain's parser accepts: schemathesis sends
    //! strings that match a pattern expecting success and strings that do not expecting a 4xx.

    use std::cell::RefCell;
    use std::collections::HashMap;

    use actix_web::http::header::HeaderValue;
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// Characters at the edges of the rules: white space that is and is not a control
    /// character, control characters that are and are not white space, letters of other
    /// scripts, and the punctuation some rules allow.
    const EDGES: &[char] = &[
        ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{a0}', '\u{2003}', '\u{2028}',
        '\u{3000}', '\u{0}', '\u{1c}', '\u{1f}', '\u{7f}', '\u{9f}', '\u{200b}', 'é', 'ß', 'Ж',
        '語', '_', '.', ':', '-', '"', '*', '/', '0', '1', '9', '\u{ad}', '\u{180e}', '\u{200e}',
        '\u{2060}', '\u{2800}', '\u{feff}', '\u{fffb}', '\u{3164}',
    ];

    /// Strings made only of characters the password rule may count as invisible, and one
    /// other character at times.
    fn blank_text(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
        let blank = proptest::sample::select(
            EDGES
                .iter()
                .copied()
                .filter(|c| !c.is_alphanumeric() && !c.is_ascii_punctuation())
                .collect::<Vec<_>>(),
        );
        let char = prop_oneof![30 => blank, 1 => Just('x')];
        proptest::collection::vec(char, len).prop_map(|chars| chars.into_iter().collect())
    }

    /// Strings of `len` characters, mostly `a` with edge characters mixed in.
    fn text_of(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
        let char = prop_oneof![3 => Just('a'), 2 => proptest::sample::select(EDGES)];
        proptest::collection::vec(char, len).prop_map(|chars| chars.into_iter().collect())
    }

    /// Whether `pattern` matches `s`; each pattern is compiled once per thread (the long
    /// counted repetitions make compiling cost far more than matching).
    fn matches(pattern: &str, s: &str) -> bool {
        thread_local! {
            static COMPILED: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
        }
        COMPILED.with_borrow_mut(|compiled| {
            compiled
                .entry(pattern.to_owned())
                .or_insert_with(|| Regex::new(pattern).expect("the pattern compiles"))
                .is_match(s)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn the_title_pattern_is_the_title_rule(s in text_of(0..=TaskTitle::MAX_CHARS + 3)) {
            let pattern = trimmed_line(1, TaskTitle::MAX_CHARS);
            prop_assert_eq!(matches(&pattern, &s), TaskTitle::parse(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn the_name_patterns_are_the_name_rules(s in text_of(0..=ProjectName::MAX_CHARS + 3)) {
            let project = trimmed_line(1, ProjectName::MAX_CHARS);
            prop_assert_eq!(matches(&project, &s), ProjectName::parse(&s).is_ok(), "{:?}", s);
            let category = trimmed_line(1, CategoryName::MAX_CHARS);
            prop_assert_eq!(matches(&category, &s), CategoryName::parse(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn the_search_pattern_is_the_search_rule(s in text_of(0..=SearchText::MAX_CHARS + 3)) {
            let pattern = trimmed_line(SearchText::MIN_CHARS, SearchText::MAX_CHARS);
            prop_assert_eq!(matches(&pattern, &s), SearchText::parse(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn the_description_pattern_is_the_description_rule(
            s in prop_oneof![
                text_of(ProjectDescription::MAX_CHARS - 3..=ProjectDescription::MAX_CHARS + 1),
                text_of(0..=8),
            ]
        ) {
            let pattern = text(ProjectDescription::MAX_CHARS);
            let parsed = ProjectDescription::try_from(s.clone()).is_ok();
            prop_assert_eq!(matches(&pattern, &s), parsed, "{:?}", s);
        }

        #[test]
        fn the_username_pattern_is_the_username_rule(s in text_of(0..=Username::MAX_CHARS + 2)) {
            prop_assert_eq!(matches(&username(), &s), Username::parse(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn the_password_pattern_is_the_new_password_rule(
            s in prop_oneof![blank_text(8..=20), text_of(8..=20)]
        ) {
            let parsed = taskforge_domain::values::Password::parse(&s).is_ok();
            prop_assert_eq!(matches(&visible_somewhere(), &s), parsed, "{:?}", s);
        }

        #[test]
        fn the_label_pattern_is_the_label_rule(s in text_of(0..=Label::MAX_CHARS + 2)) {
            prop_assert_eq!(matches(&label(), &s), Label::parse(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn the_if_match_pattern_is_what_the_server_parses(
            s in prop_oneof![
                text_of(0..=4),
                (0..3usize, any::<u64>(), any::<bool>()).prop_map(|(zeros, n, quoted)| {
                    let digits = format!("{}{n}", "0".repeat(zeros));
                    if quoted { format!("\"{digits}\"") } else { digits }
                }),
            ]
        ) {
            let Ok(value) = HeaderValue::from_str(&s) else { return Ok(()) };
            // The HTTP parser strips the white space around a header value before either sees it.
            let on_the_wire = s.trim_matches([' ', '\t']);
            if on_the_wire != s { return Ok(()) }
            let accepted = crate::preconditions::parse(Some(&value)).is_ok();
            let pattern = "^(\\*|\"0*[1-9][0-9]{0,18}\")$";
            // Twenty-digit versions up to u64::MAX are accepted but not documented; the pattern
            // promises only what always holds.
            if matches(pattern, &s) { prop_assert!(accepted, "{:?}", s); }
            else if accepted { prop_assert!(s.trim_start_matches(['"', '0']).len() >= 21, "{:?}", s); }
        }
    }

    #[test]
    fn the_cursor_pattern_admits_the_shortest_and_longest_cursors_the_server_issues() {
        use std::sync::Arc;

        use taskforge_crypto::AeadCursorSealer;
        use taskforge_domain::query::{Cursor, CursorCodec};
        use taskforge_domain::values::{Labels, Version};
        use taskforge_domain::{ProjectId, Task, TaskId, Timestamp, UserId};

        let Some(Rule::Pattern(pattern, Some(max))) = parameter_rule("/api/v1/tasks", "cursor")
        else {
            panic!("the task cursor has a pattern and a length");
        };
        let codec = CursorCodec::new(Arc::new(AeadCursorSealer::from_secrets(b"k", None)));
        let at = Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap();
        let task = |title: &str| Task {
            id: TaskId::new(),
            project_id: ProjectId::new(),
            title: TaskTitle::parse(title).unwrap(),
            description: Description::default(),
            status: Status::Todo,
            priority: Priority::High,
            category_id: None,
            assignee_id: None,
            labels: Labels::default(),
            due_date: None,
            parent_id: None,
            is_public: false,
            created_by: UserId::new(),
            created_at: at,
            updated_at: at,
            version: Version::FIRST,
        };
        let widest = task(&"𝄞".repeat(TaskTitle::MAX_CHARS));
        let mut lengths = Vec::new();
        for sort in TaskSort::ALL {
            for t in [task("a"), widest.clone()] {
                let wire = codec.encode(&Cursor::after(sort, &t));
                assert!(matches(&pattern, &wire) && wire.len() <= max, "{sort}: {wire}");
                lengths.push(wire.len() - 3);
            }
        }
        assert_eq!(lengths.iter().min(), Some(&TASK_CURSOR_CHARS.0));
        assert_eq!(lengths.iter().max(), Some(&TASK_CURSOR_CHARS.1));
    }

    #[test]
    fn the_if_match_rule_is_the_one_in_the_document() {
        let Some(Rule::Pattern(pattern, None)) = parameter_rule("/api/v1/tasks/{id}", "If-Match")
        else {
            panic!("If-Match has a pattern");
        };
        assert_eq!(pattern, "^(\\*|\"0*[1-9][0-9]{0,18}\")$");
    }

    #[test]
    fn the_status_filter_is_a_comma_separated_list_of_the_statuses() {
        let mut parameter = Parameter::new("status");
        let Some(rule) = parameter_rule("/api/v1/tasks", "status") else {
            panic!("status has a rule");
        };
        set_schema(&mut parameter, rule);
        assert!(matches!(parameter.style, Some(ParameterStyle::Form)));
        assert_eq!(parameter.explode, Some(false));
        let Some(RefOr::T(Schema::Array(array))) = &parameter.schema else {
            panic!("status is an array");
        };
        assert_eq!(array.min_items, Some(1));
        let ArrayItems::RefOrSchema(item) = &array.items else { panic!("one item schema") };
        let RefOr::T(Schema::Object(item)) = item.as_ref() else { panic!("an inline item") };
        let values: Vec<_> = item.enum_values.iter().flatten().filter_map(|v| v.as_str()).collect();
        assert_eq!(values, ["todo", "in_progress", "done"]);
        // What a client builds from the document, the server parses.
        let joined = values.join(",");
        assert_eq!(taskforge_domain::values::StatusSet::parse(&joined).map(|s| s.len()), Ok(3));
    }

    #[test]
    fn the_sort_enum_is_exactly_what_the_listing_parses() {
        let names: Vec<String> = TaskSort::ALL.iter().map(ToString::to_string).collect();
        for name in &names {
            assert_eq!(TaskSort::parse(name).map(|s| s.to_string()), Ok(name.clone()));
        }
        let message = TaskSort::parse("x").map(|_| ()).unwrap_err().to_string();
        assert_eq!(message, format!("sort must be one of {}", names.join(", ")));
    }

    #[test]
    fn the_boundaries_of_a_trimmed_line_are_the_parsers() {
        let pattern = trimmed_line(1, TaskTitle::MAX_CHARS);
        for s in [
            "a".repeat(200),
            format!(" \t{}\u{3000}\n", "a".repeat(200)),
            format!("a{}a", " ".repeat(198)),
        ] {
            assert!(matches(&pattern, &s) && TaskTitle::parse(&s).is_ok(), "{s:?}");
        }
        for s in ["a".repeat(201), String::new(), " \t ".to_owned(), "a\u{1c}".to_owned()] {
            assert!(!matches(&pattern, &s) && TaskTitle::parse(&s).is_err(), "{s:?}");
        }
    }
}
