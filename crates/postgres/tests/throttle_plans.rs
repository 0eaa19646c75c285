//! The throttle table's sweep reads through its index on the instant: with 100,000 rows of
//! which a few have passed, `EXPLAIN (FORMAT JSON)` of the adapter's own `DELETE` holds no
//! sequential scan of `throttle_buckets`, so the once-a-minute sweep of every instance costs
//! what it deletes, not what the table holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use taskforge_postgres::internals::THROTTLE_SWEEP_STATEMENT;
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};
use tokio_postgres::NoTls;

/// Every node type of a plan, depth first.
fn node_types(plan: &Value, out: &mut Vec<String>) {
    if let Some(node) = plan["Node Type"].as_str() {
        out.push(format!("{node} {}", plan["Relation Name"].as_str().unwrap_or("")));
    }
    for child in plan["Plans"].as_array().into_iter().flatten() {
        node_types(child, out);
    }
}

#[tokio::test]
async fn the_sweep_deletes_through_the_index_on_the_instant() {
    let Some(throwaway) = ThrowawayDatabase::create().await else { return };
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url())).await.unwrap();
    let (client, connection) = tokio_postgres::connect(throwaway.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    // Arrange: 100,000 live rows, 100 of them past; statistics as autovacuum would gather.
    client
        .batch_execute(
            "INSERT INTO throttle_buckets (key, expires_at)
             SELECT 'client:' || i, 1000000 + i FROM generate_series(1, 100000) i;
             ANALYZE throttle_buckets;",
        )
        .await
        .unwrap();
    // Act
    let explain = format!("EXPLAIN (FORMAT JSON) {THROTTLE_SWEEP_STATEMENT}");
    let now: i64 = 1_000_100;
    let row = client.query_one(&explain, &[&now]).await.unwrap();
    let plan: Value = row.get(0);
    // Assert
    let mut nodes = Vec::new();
    node_types(&plan[0]["Plan"], &mut nodes);
    assert!(
        !nodes.iter().any(|n| n == "Seq Scan throttle_buckets"),
        "the sweep scans the whole table: {nodes:?}"
    );
    assert!(nodes.iter().any(|n| n.contains("Index")), "no index in {nodes:?}");
    drop(db);
}
