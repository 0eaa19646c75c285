//! Criterion micro-benchmarks of the pure functions on TaskForge's request path: the access
//! policy, access-token verification (HS256 + claim checks), the listing cursor, and the
//! export formats' row encoding (CSV and XML, per task).
//!
//! `cargo bench -p taskforge-bench` (add `-- --quick` for a fast pass). They are light on
//! purpose: `cargo clippy --all-targets` builds them on every CI run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use taskforge_crypto::{AeadCursorSealer, HmacKey, JwtConfig, JwtIssuer};
use taskforge_domain::policy::{self, Actor, TaskRelation};
use taskforge_domain::ports::{Claims, TokenIssuer as _};
use taskforge_domain::query::{Cursor, CursorCodec, TaskSort};
use taskforge_domain::services::ExportRow;
use taskforge_domain::values::Username;
use taskforge_domain::values::{
    Description, DueDate, Labels, Priority, Role, Status, TaskTitle, Version,
};
use taskforge_domain::{Clock as _, ProjectId, SystemClock, Task, TaskId, UserId};
use taskforge_http::export::{CsvExporter, Exporter, XmlExporter};

fn task() -> Task {
    let now = SystemClock.now();
    Task {
        id: TaskId::new(),
        project_id: ProjectId::new(),
        title: TaskTitle::parse("Write the release notes for version 2.4").unwrap(),
        description: Description::parse("Collect the changes since 2.3 and describe them.")
            .unwrap(),
        status: Status::parse("in_progress").unwrap(),
        priority: Priority::parse("high").unwrap(),
        category_id: None,
        assignee_id: Some(UserId::new()),
        labels: Labels::parse(&["docs", "release"][..]).unwrap(),
        due_date: Some(DueDate::parse("2026-12-01").unwrap()),
        parent_id: None,
        is_public: false,
        created_by: UserId::new(),
        created_at: now,
        updated_at: now,
        version: Version::new(3).unwrap(),
    }
}

fn policy_checks(c: &mut Criterion) {
    let actors = [
        Actor::new(UserId::new(), Role::Admin),
        Actor::new(UserId::new(), Role::Editor),
        Actor::new(UserId::new(), Role::Viewer),
    ];
    let relations = [
        TaskRelation { is_member: true, is_public: false },
        TaskRelation { is_member: false, is_public: true },
        TaskRelation { is_member: false, is_public: false },
    ];
    c.bench_function("policy: read_task + change_task over 9 cases", |b| {
        b.iter(|| {
            let mut allowed = 0;
            for actor in &actors {
                for relation in relations {
                    allowed += usize::from(
                        policy::read_task(black_box(actor), black_box(relation)).is_allowed(),
                    );
                    allowed += usize::from(policy::change_task(actor, relation).is_allowed());
                }
            }
            allowed
        });
    });
}

fn token_verify(c: &mut Criterion) {
    let key = HmacKey::new("k1", b"criterion benchmark key of at least 32 bytes".to_vec()).unwrap();
    let issuer =
        JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), Arc::new(SystemClock))
            .unwrap();
    let now = SystemClock.now();
    let claims = Claims {
        subject: UserId::new(),
        role: Role::Editor,
        issued_at: now,
        expires_at: now.plus_micros(15 * 60 * 1_000_000),
        token_id: uuid::Uuid::now_v7(),
    };
    let token = issuer.issue(&claims).unwrap();
    let token = token.expose_secret().to_owned();
    c.bench_function("token: verify an HS256 access token", |b| {
        b.iter(|| issuer.verify(black_box(&token)).unwrap());
    });
}

fn cursor_round_trip(c: &mut Criterion) {
    let task = task();
    let codec = CursorCodec::new(Arc::new(AeadCursorSealer::from_secrets(
        b"benchmark cursor secret of 32 bytes",
        None,
    )));
    let mut group = c.benchmark_group("cursor");
    for sort in ["-created_at", "-priority", "title"] {
        let sort = TaskSort::parse(sort).unwrap();
        let cursor = Cursor::after(sort, &task);
        let encoded = codec.encode(&cursor);
        group.bench_function(format!("seal {sort}"), |b| {
            b.iter(|| codec.encode(black_box(&cursor)));
        });
        group.bench_function(format!("open {sort}"), |b| {
            b.iter(|| codec.decode(black_box(&encoded)).unwrap());
        });
    }
    group.finish();
}

fn export_rows(c: &mut Criterion) {
    let row = ExportRow {
        task: task(),
        category: None,
        assignee: Some(Username::parse("alice").unwrap()),
    };
    let mut group = c.benchmark_group("export row");
    let formats: [(&str, Box<dyn Exporter>); 2] =
        [("csv", Box::new(CsvExporter)), ("xml", Box::new(XmlExporter))];
    for (name, mut exporter) in formats {
        let mut out = Vec::with_capacity(64 * 1024);
        exporter.begin(&mut out).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                exporter.row(black_box(&row), &mut out).unwrap();
                out.len()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, policy_checks, token_verify, cursor_round_trip, export_rows);
criterion_main!(benches);
