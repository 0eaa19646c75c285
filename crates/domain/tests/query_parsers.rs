//! Property tests for the listing query language: the `sort` parameter ([`TaskSort`]) and the
//! keyset cursor ([`Cursor`]): its compact bytes and the codec that seals them for the wire.

use std::cmp::Ordering;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use proptest::sample::select;
use taskforge_domain::ports::CursorSealer;
use taskforge_domain::query::{
    Cursor, CursorCodec, CursorError, SortDirection, SortField, SortValue, TaskSort, TaskSortError,
};
use taskforge_domain::values::{
    Description, DueDate, Labels, Priority, Status, TaskTitle, Version,
};
use taskforge_domain::{ProjectId, Task, TaskId, Timestamp, UserId};

// ---------------------------------------------------------------------------------------------
// Helpers and strategies
// ---------------------------------------------------------------------------------------------

/// Every accepted spelling of the `sort` parameter.
const SPELLINGS: [&str; 8] = [
    "created_at",
    "-created_at",
    "priority",
    "-priority",
    "due_date",
    "-due_date",
    "title",
    "-title",
];

/// Every sort order, built from its parts (not parsed), in the order of [`SPELLINGS`].
fn all_sorts() -> Vec<TaskSort> {
    let fields = [SortField::CreatedAt, SortField::Priority, SortField::DueDate, SortField::Title];
    let directions = [SortDirection::Ascending, SortDirection::Descending];
    fields
        .into_iter()
        .flat_map(|field| directions.map(|direction| TaskSort { field, direction }))
        .collect()
}

fn any_sort() -> impl Strategy<Value = TaskSort> {
    select(all_sorts())
}

/// A task with the fields that matter for ordering; the rest are fixed.
fn task(
    id: TaskId,
    title: TaskTitle,
    priority: Priority,
    due_date: Option<DueDate>,
    created_at: Timestamp,
) -> Task {
    Task {
        id,
        project_id: ProjectId::from_bytes([1; 16]),
        title,
        description: Description::empty(),
        status: Status::Todo,
        priority,
        category_id: None,
        assignee_id: None,
        labels: Labels::none(),
        due_date,
        parent_id: None,
        is_public: false,
        created_by: UserId::from_bytes([2; 16]),
        created_at,
        updated_at: created_at,
        version: Version::FIRST,
    }
}

fn simple_task(id: u8, title: &str) -> Task {
    let (Ok(title), Some(epoch)) = (TaskTitle::parse(title), Timestamp::from_unix_micros(0)) else {
        panic!("invalid test title {title:?}");
    };
    task(TaskId::from_bytes([id; 16]), title, Priority::Medium, None, epoch)
}

/// Microseconds of year 1 and of the end of year 9999, the range a [`Timestamp`] covers.
const FIRST_MICROS: i64 = -62_135_596_800_000_000;
const LAST_MICROS: i64 = 253_402_300_799_999_999;

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // Small values make ties likely, so the id tie-break is exercised.
    prop_oneof![-2..3i64, FIRST_MICROS..=LAST_MICROS, Just(FIRST_MICROS), Just(LAST_MICROS)]
        .prop_filter_map("in range", Timestamp::from_unix_micros)
}

fn title() -> impl Strategy<Value = TaskTitle> {
    prop_oneof![
        // Few distinct values: ties and shared prefixes.
        3 => "[a-cA-C]{1,3}",
        1 => "[ -~]{1,40}",
        // Anything a title may hold: unicode, any length up to the limit.
        1 => prop::collection::vec(any::<char>(), 1..=TaskTitle::MAX_CHARS)
            .prop_map(String::from_iter),
    ]
    .prop_filter_map("a valid title", |s| TaskTitle::parse(&s).ok())
}

fn due_date() -> impl Strategy<Value = Option<DueDate>> {
    prop_oneof![
        Just(None),
        select(vec!["2026-01-01", "2026-01-02", "0001-01-01", "9999-12-31"])
            .prop_map(|s| DueDate::parse(s).ok()),
        (1..=9999i32, 1..=12u8, 1..=28u8).prop_map(|(y, m, d)| DueDate::from_ymd(y, m, d).ok()),
    ]
}

fn task_id() -> impl Strategy<Value = TaskId> {
    prop_oneof![
        (0..4u8).prop_map(|b| TaskId::from_bytes([b; 16])),
        any::<[u8; 16]>().prop_map(TaskId::from_bytes)
    ]
}

fn any_task() -> impl Strategy<Value = Task> {
    (task_id(), title(), select(Priority::ALL.to_vec()), due_date(), timestamp())
        .prop_map(|(id, title, priority, due, created)| task(id, title, priority, due, created))
}

/// Tasks with pairwise distinct ids (as in any store).
fn distinct_tasks(max: usize) -> impl Strategy<Value = Vec<Task>> {
    prop::collection::vec(any_task(), 0..max).prop_map(|mut tasks| {
        let mut seen = std::collections::HashSet::new();
        tasks.retain(|t| seen.insert(t.id));
        tasks
    })
}

/// A stand-in for the sealing adapter: the plain bytes behind a marker and a checksum. It
/// tests the codec's framing (prefix, base64, length, refusals), not cryptography — the
/// crypto adapter's tests and the HTTP tests with the real sealer do that.
#[derive(Debug)]
struct StubSealer;

const MARK: &[u8] = b"SEAL";

fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0x5a, |sum, b| sum.rotate_left(3) ^ b)
}

impl CursorSealer for StubSealer {
    fn seal(&self, plain: &[u8]) -> Vec<u8> {
        [MARK, plain, &[checksum(plain)]].concat()
    }

    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (sum, body) = sealed.strip_prefix(MARK)?.split_last()?;
        (checksum(body) == *sum).then(|| body.to_vec())
    }
}

fn codec() -> CursorCodec {
    CursorCodec::new(Arc::new(StubSealer))
}

/// A wire cursor holding exactly `plain`, as the stub seals it.
fn wire_of(plain: &[u8]) -> String {
    format!("v2.{}", URL_SAFE_NO_PAD.encode(StubSealer.seal(plain)))
}

/// A decoded cursor is one `to_bytes` could have produced: its bytes read back to it.
fn assert_canonical(cursor: &Cursor) -> Result<(), TestCaseError> {
    prop_assert_eq!(Cursor::from_bytes(&cursor.to_bytes()), Ok(cursor.clone()));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// TaskSort::parse
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn sort_accepted_spellings_round_trip_through_display(spelling in select(SPELLINGS.to_vec())) {
        let sort = TaskSort::parse(spelling).unwrap();
        prop_assert_eq!(sort.to_string(), spelling);
        prop_assert_eq!(spelling.parse::<TaskSort>(), Ok(sort));
        prop_assert_eq!(sort.direction == SortDirection::Descending, spelling.starts_with('-'));
    }

    #[test]
    fn sort_refuses_everything_else(
        raw in prop_oneof![
            any::<String>(),
            "-?-?[a-z_]{0,12}",
            select(SPELLINGS.to_vec()).prop_flat_map(|s| (Just(s), "[ A-Z+_-]{1,2}", any::<bool>()))
                .prop_map(|(s, noise, front)| if front { format!("{noise}{s}") } else { format!("{s}{noise}") }),
        ],
    ) {
        let expected = if SPELLINGS.contains(&raw.as_str()) {
            TaskSort::parse(&raw).map(|s| s.to_string())
        } else {
            Err(TaskSortError)
        };
        prop_assert_eq!(TaskSort::parse(&raw).map(|s| s.to_string()), expected.clone());
        prop_assert_eq!(raw.parse::<TaskSort>().map(|s| s.to_string()), expected);
    }
}

#[test]
fn sort_spellings_name_their_field_and_direction() {
    use SortDirection::{Ascending, Descending};
    use SortField::{CreatedAt, DueDate as Due, Priority as Prio, Title};
    let expected = [
        (CreatedAt, Ascending),
        (CreatedAt, Descending),
        (Prio, Ascending),
        (Prio, Descending),
        (Due, Ascending),
        (Due, Descending),
        (Title, Ascending),
        (Title, Descending),
    ];
    for (spelling, (field, direction)) in SPELLINGS.into_iter().zip(expected) {
        assert_eq!(TaskSort::parse(spelling), Ok(TaskSort { field, direction }), "{spelling}");
    }
    let displayed: Vec<String> = all_sorts().iter().map(ToString::to_string).collect();
    assert_eq!(displayed, SPELLINGS);
    assert_eq!(TaskSort::default().to_string(), "-created_at");
}

#[test]
fn task_sort_all_is_every_order_once_in_the_documented_order() {
    assert_eq!(TaskSort::ALL.to_vec(), all_sorts());
    let named: Vec<String> = TaskSort::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(named, SPELLINGS);
}

#[test]
fn sort_near_misses_are_refused() {
    for bad in [
        "",
        "-",
        "--created_at",
        "+created_at",
        "Created_at",
        "TITLE",
        "createdAt",
        "created-at",
        " title",
        "title ",
        "-title\n",
        "id",
        "-id",
        "due",
        "title,priority",
    ] {
        assert_eq!(TaskSort::parse(bad), Err(TaskSortError), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Cursor: to_bytes / from_bytes, and the codec's framing
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn cursor_round_trips_for_every_sort(t in any_task()) {
        for sort in all_sorts() {
            let cursor = Cursor::after(sort, &t);
            prop_assert_eq!(cursor.sort(), sort);
            prop_assert_eq!(cursor.id(), t.id);
            prop_assert_eq!(cursor.value(), &sort.value_of(&t));
            prop_assert_eq!(Cursor::from_bytes(&cursor.to_bytes()), Ok(cursor.clone()));
            let wire = codec().encode(&cursor);
            prop_assert!(wire.starts_with("v2."));
            prop_assert!(wire.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
            prop_assert_eq!(codec().decode(&wire), Ok(cursor));
        }
    }

    #[test]
    fn cursor_from_arbitrary_bytes_never_panics_and_what_it_accepts_is_exactly_its_bytes(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            (0..8u8, any::<[u8; 16]>(), prop::collection::vec(any::<u8>(), 0..12))
                .prop_map(|(sort, id, value)| [&[sort][..], &id, &value].concat()),
        ],
    ) {
        match Cursor::from_bytes(&bytes) {
            Ok(cursor) => prop_assert_eq!(cursor.to_bytes(), bytes),
            Err(e) => prop_assert_eq!(e, CursorError::Malformed),
        }
    }

    #[test]
    fn codec_decode_of_arbitrary_text_never_panics(
        raw in prop_oneof![
            any::<String>(),
            "v2\\.[A-Za-z0-9_-]{0,200}",
            "v[0-9]\\.[A-Za-z0-9_=+/-]{0,40}",
        ],
    ) {
        match codec().decode(&raw) {
            Ok(cursor) => assert_canonical(&cursor)?,
            Err(e) => prop_assert_eq!(e, CursorError::Malformed),
        }
    }

    #[test]
    fn codec_refuses_what_its_sealer_does_not_open(
        t in any_task(),
        sort in any_sort(),
        at in any::<usize>(),
        bit in 0..8u8,
    ) {
        let wire = codec().encode(&Cursor::after(sort, &t));
        let mut sealed = URL_SAFE_NO_PAD.decode(&wire[3..]).unwrap();
        let at = at % sealed.len();
        sealed[at] ^= 1 << bit;
        let tampered = format!("v2.{}", URL_SAFE_NO_PAD.encode(&sealed));
        match codec().decode(&tampered) {
            // The stub's checksum misses some changes; whatever opens must still be a cursor.
            Ok(cursor) => assert_canonical(&cursor)?,
            Err(e) => prop_assert_eq!(e, CursorError::Malformed),
        }
    }

    #[test]
    fn cursor_check_sort_accepts_only_its_own_order(
        t in any_task(),
        issued_for in any_sort(),
        requested in any_sort(),
    ) {
        let cursor = codec().decode(&codec().encode(&Cursor::after(issued_for, &t))).unwrap();
        let expected = if issued_for == requested {
            Ok(())
        } else {
            Err(CursorError::SortMismatch { issued_for, requested })
        };
        prop_assert_eq!(cursor.check_sort(requested), expected);
    }
}

#[test]
fn cursor_for_the_longest_title_of_widest_characters_fits_the_limit() {
    let widest = std::iter::repeat_n('𝄞', TaskTitle::MAX_CHARS).collect::<String>();
    let mut t = simple_task(9, &widest);
    t.due_date = None;
    for sort in all_sorts() {
        let cursor = Cursor::after(sort, &t);
        // The real sealer adds a 24-byte nonce and a 16-byte tag: 40 bytes more than the stub's 5.
        let sealed_len = cursor.to_bytes().len() + 40;
        let wire_len = 3 + (sealed_len * 4).div_ceil(3);
        assert!(wire_len <= 1200, "{sort}: {wire_len} bytes");
        assert_eq!(codec().decode(&codec().encode(&cursor)), Ok(cursor), "{sort}");
    }
}

#[test]
fn cursor_bytes_and_codec_refuse_what_encode_never_produces() {
    let id = [7_u8; 16];
    let bytes = |sort: u8, value: &[u8]| [&[sort][..], &id, value].concat();
    let sort_index = |spelling: &str| {
        let sort = TaskSort::parse(spelling).unwrap();
        u8::try_from(TaskSort::ALL.iter().position(|s| *s == sort).unwrap()).unwrap()
    };
    let title = sort_index("title");
    let good = bytes(title, b"Ship it");
    assert!(codec().decode(&wire_of(&good)).is_ok());
    let too_long = format!("v2.{}", "A".repeat(1198));
    for bad in [
        String::new(),
        String::from("v2."),
        String::from("v2"),
        wire_of(&good).replacen("v2.", "v1.", 1),
        wire_of(&good).replacen("v2.", "", 1),
        format!("{}!", wire_of(&good)),
        format!(" {}", wire_of(&good)),
        format!("{}=", wire_of(&good)),
        format!("v2.{}", URL_SAFE_NO_PAD.encode(&good)),
        too_long,
    ] {
        assert_eq!(codec().decode(&bad), Err(CursorError::Malformed), "{bad:?}");
    }
    let created = sort_index("created_at");
    let priority = sort_index("-priority");
    let due = sort_index("due_date");
    for bad in [
        Vec::new(),
        vec![8],
        bytes(255, b"x"),
        id[..15].to_vec(),
        bytes(created, &[0; 7]),
        bytes(created, &[0; 9]),
        bytes(created, &i64::MAX.to_be_bytes()),
        bytes(created, &i64::MIN.to_be_bytes()),
        bytes(priority, &[0]),
        bytes(priority, &[5]),
        bytes(priority, &[1, 1]),
        bytes(due, &[]),
        bytes(due, &[2]),
        bytes(due, &[0, 0]),
        bytes(due, &[1, 0, 0, 0]),
        bytes(due, &[1, 0x7f, 0xff, 0xff, 0xff]),
        bytes(title, b""),
        bytes(title, b" untrimmed"),
        bytes(title, b"untrimmed "),
        bytes(title, b"two\nlines"),
        bytes(title, &[0xff, 0xfe]),
        bytes(title, "x".repeat(201).as_bytes()),
    ] {
        assert_eq!(Cursor::from_bytes(&bad), Err(CursorError::Malformed), "{bad:?}");
        assert_eq!(codec().decode(&wire_of(&bad)), Err(CursorError::Malformed), "{bad:?}");
    }
}

#[test]
fn cursor_bytes_read_each_kind_of_value() {
    let id = TaskId::from_bytes([7; 16]);
    let read = |spelling: &str, value: &[u8]| {
        let sort = TaskSort::parse(spelling).unwrap();
        let index = u8::try_from(TaskSort::ALL.iter().position(|s| *s == sort).unwrap()).unwrap();
        Cursor::from_bytes(&[&[index][..], &id.to_bytes(), value].concat()).unwrap()
    };
    let c = read("-created_at", &(-5_i64).to_be_bytes());
    assert_eq!(c.value(), &SortValue::CreatedAt(Timestamp::from_unix_micros(-5).unwrap()));
    assert_eq!(c.id(), id);
    assert_eq!(read("priority", &[4]).value(), &SortValue::Priority(Priority::Urgent));
    assert_eq!(read("due_date", &[0]).value(), &SortValue::DueDate(None));
    let leap = DueDate::parse("2024-02-29").unwrap();
    let days = leap.days_since_epoch().to_be_bytes();
    assert_eq!(
        read("-due_date", &[&[1][..], &days].concat()).value(),
        &SortValue::DueDate(Some(leap))
    );
    assert_eq!(
        read("-title", b"Ship it").value(),
        &SortValue::Title(TaskTitle::parse("Ship it").unwrap())
    );
}

#[test]
fn cursor_check_sort_names_both_orders() {
    let t = simple_task(1, "x");
    let issued_for = TaskSort::parse("priority").unwrap();
    let requested = TaskSort::parse("-priority").unwrap();
    let err = Cursor::after(issued_for, &t).check_sort(requested).unwrap_err();
    assert_eq!(err, CursorError::SortMismatch { issued_for, requested });
    assert_eq!(err.to_string(), "cursor was issued for sort priority, not -priority");
}

// ---------------------------------------------------------------------------------------------
// TaskSort::compare and Cursor::admits
// ---------------------------------------------------------------------------------------------

/// The order of the sort field alone, ascending, as `docs/api.md` defines it.
fn field_order(field: SortField, a: &Task, b: &Task) -> Ordering {
    match field {
        SortField::CreatedAt => a.created_at.cmp(&b.created_at),
        SortField::Priority => a.priority.cmp(&b.priority),
        SortField::DueDate => match (a.due_date, b.due_date) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        // Unicode code point order, which is UTF-8 byte order.
        SortField::Title => a.title.as_str().as_bytes().cmp(b.title.as_str().as_bytes()),
    }
}

proptest! {
    #[test]
    fn compare_is_the_field_order_then_the_id(a in any_task(), b in any_task(), sort in any_sort()) {
        let ascending = field_order(sort.field, &a, &b).then(a.id.cmp(&b.id));
        let expected = match sort.direction {
            SortDirection::Ascending => ascending,
            SortDirection::Descending => ascending.reverse(),
        };
        prop_assert_eq!(sort.compare(&a, &b), expected);
    }

    #[test]
    fn compare_is_a_total_order(a in any_task(), b in any_task(), c in any_task(), sort in any_sort()) {
        // Reflexive, antisymmetric, and never Equal for two different tasks (ids are unique).
        prop_assert_eq!(sort.compare(&a, &a), Ordering::Equal);
        prop_assert_eq!(sort.compare(&a, &b), sort.compare(&b, &a).reverse());
        if a.id != b.id {
            prop_assert_ne!(sort.compare(&a, &b), Ordering::Equal);
        }
        // Transitive.
        if sort.compare(&a, &b) != Ordering::Greater && sort.compare(&b, &c) != Ordering::Greater {
            prop_assert_ne!(sort.compare(&a, &c), Ordering::Greater);
        }
    }

    #[test]
    fn sorting_by_compare_is_strictly_increasing(tasks in distinct_tasks(30), sort in any_sort()) {
        let mut sorted = tasks;
        sorted.sort_by(|a, b| sort.compare(a, b));
        for (i, a) in sorted.iter().enumerate() {
            for b in &sorted[i + 1..] {
                prop_assert_eq!(sort.compare(a, b), Ordering::Less);
            }
        }
    }

    #[test]
    fn cursor_admits_exactly_the_tasks_after_its_own(t in any_task(), u in any_task(), sort in any_sort()) {
        let cursor = Cursor::after(sort, &t);
        let after = sort.compare(&u, &t) == Ordering::Greater;
        prop_assert_eq!(cursor.admits(&u), after);
        prop_assert!(!cursor.admits(&t));
        // The same after a trip over the wire.
        let decoded = codec().decode(&codec().encode(&cursor)).unwrap();
        prop_assert_eq!(decoded.admits(&u), after);
    }

    #[test]
    fn paging_with_cursors_visits_every_task_once_in_order(
        tasks in distinct_tasks(40),
        sort in any_sort(),
        page in 1..7usize,
    ) {
        let mut expected = tasks.clone();
        expected.sort_by(|a, b| sort.compare(a, b));

        let mut seen: Vec<Task> = Vec::new();
        let mut after: Option<Cursor> = None;
        for _ in 0..=tasks.len() {
            let mut next: Vec<&Task> =
                tasks.iter().filter(|t| after.as_ref().is_none_or(|c| c.admits(t))).collect();
            next.sort_by(|a, b| sort.compare(a, b));
            next.truncate(page);
            let Some(last) = next.last() else { break };
            let wire = codec().encode(&Cursor::after(sort, last));
            seen.extend(next.into_iter().cloned());
            let cursor = codec().decode(&wire).unwrap();
            prop_assert_eq!(cursor.check_sort(sort), Ok(()));
            after = Some(cursor);
        }
        prop_assert_eq!(seen, expected);
    }
}

#[test]
fn tasks_without_a_due_date_sort_after_every_date_ascending() {
    let undated = simple_task(0, "undated");
    let mut dated: Vec<Task> = ["0001-01-01", "2026-06-15", "9999-12-31"]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut t = simple_task(u8::try_from(i).unwrap() + 1, "dated");
            t.due_date = Some(DueDate::parse(d).unwrap());
            t
        })
        .collect();
    let ascending = TaskSort::parse("due_date").unwrap();
    let descending = TaskSort::parse("-due_date").unwrap();
    for t in &dated {
        // The undated task has the smallest id, yet still comes last ascending, first descending.
        assert_eq!(ascending.compare(t, &undated), Ordering::Less);
        assert_eq!(descending.compare(t, &undated), Ordering::Greater);
        assert!(Cursor::after(ascending, t).admits(&undated));
        assert!(!Cursor::after(ascending, &undated).admits(t));
    }
    dated.push(undated.clone());
    dated.reverse();
    dated.sort_by(|a, b| ascending.compare(a, b));
    let order: Vec<Option<String>> =
        dated.iter().map(|t| t.due_date.map(|d| d.to_string())).collect();
    assert_eq!(
        order,
        [Some("0001-01-01".into()), Some("2026-06-15".into()), Some("9999-12-31".into()), None]
    );
}

#[test]
fn ties_are_broken_by_id_in_the_sort_direction() {
    let a = simple_task(1, "same");
    let b = simple_task(2, "same");
    for sort in all_sorts() {
        let expected = match sort.direction {
            SortDirection::Ascending => Ordering::Less,
            SortDirection::Descending => Ordering::Greater,
        };
        assert_eq!(sort.compare(&a, &b), expected, "{sort}");
        assert_eq!(Cursor::after(sort, &a).admits(&b), expected == Ordering::Less, "{sort}");
    }
}

#[test]
fn titles_sort_by_code_point_not_by_locale() {
    let sort = TaskSort::parse("title").unwrap();
    let upper = simple_task(1, "Zebra");
    let lower = simple_task(2, "apple");
    let accented = simple_task(3, "Échelle");
    assert_eq!(sort.compare(&upper, &lower), Ordering::Less, "'Z' < 'a'");
    assert_eq!(sort.compare(&lower, &accented), Ordering::Less, "'a' < 'É'");
}
