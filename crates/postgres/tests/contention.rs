//! Real lost races, provoked on a real server and translated by the adapter's one error
//! mapping: a serialization failure and a deadlock are `RepositoryError::Contention` — which
//! makes the adapter run the write again (`crates/postgres/src/retry.rs`), and, once its
//! attempts are spent, is a 503 with `Retry-After` at the HTTP edge — never a version conflict
//! (the caller's version was not stale). This test makes each happen on purpose, on two raw
//! connections, so the mapping is checked against the server's real errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::ports::{Entity, RepositoryError};
use taskforge_postgres::internals::map_err;
use taskforge_postgres::testing::ThrowawayDatabase;
use tokio_postgres::{Client, NoTls};

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connects");
    tokio::spawn(connection);
    client
}

/// Two connections to a fresh database holding rows 1 and 2 of a scratch table.
async fn two_sessions() -> Option<(ThrowawayDatabase, Client, Client)> {
    let db = ThrowawayDatabase::create().await?;
    let first = connect(db.url()).await;
    first
        .batch_execute(
            "CREATE TABLE scratch (id int PRIMARY KEY, v int NOT NULL);
             INSERT INTO scratch VALUES (1, 0), (2, 0);",
        )
        .await
        .unwrap();
    let second = connect(db.url()).await;
    Some((db, first, second))
}

#[tokio::test]
async fn a_serialization_failure_is_contention_not_a_version_conflict() {
    let Some((_db, first, second)) = two_sessions().await else { return };
    // Arrange: the first session's snapshot sees row 1 before the second changes it.
    first.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ").await.unwrap();
    first.query("SELECT v FROM scratch WHERE id = 1", &[]).await.unwrap();
    second.execute("UPDATE scratch SET v = 1 WHERE id = 1", &[]).await.unwrap();
    // Act
    let e = first.execute("UPDATE scratch SET v = 2 WHERE id = 1", &[]).await.unwrap_err();
    // Assert
    assert_eq!(e.code().map(tokio_postgres::error::SqlState::code), Some("40001"), "{e:?}");
    let mapped = map_err(Entity::Task, e);
    assert!(matches!(mapped, RepositoryError::Contention(_)), "{mapped:?}");
}

#[tokio::test]
async fn a_deadlock_is_contention_for_the_transaction_the_server_aborts() {
    let Some((_db, first, second)) = two_sessions().await else { return };
    // Arrange: each session locks one row, then wants the other's.
    for session in [&first, &second] {
        session.batch_execute("SET deadlock_timeout = '50ms'; BEGIN").await.unwrap();
    }
    first.execute("UPDATE scratch SET v = 1 WHERE id = 1", &[]).await.unwrap();
    second.execute("UPDATE scratch SET v = 1 WHERE id = 2", &[]).await.unwrap();
    // Act
    let (a, b) = tokio::join!(
        first.execute("UPDATE scratch SET v = 2 WHERE id = 2", &[]),
        second.execute("UPDATE scratch SET v = 2 WHERE id = 1", &[]),
    );
    // Assert: the server aborts exactly one of them, and that one is contention.
    let failures: Vec<RepositoryError> =
        [a, b].into_iter().filter_map(Result::err).map(|e| map_err(Entity::Task, e)).collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(matches!(failures[0], RepositoryError::Contention(_)), "{failures:?}");
}
