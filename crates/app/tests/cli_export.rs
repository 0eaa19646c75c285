//! `taskforge export --format F --out FILE`: every task, as an administrator sees them, through
//! the API's exporters; an existing file and an unknown format are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clap::Parser;
use taskforge_app::cli::Cli;
use taskforge_app::commands;
use taskforge_app::settings::CommonSettings;
use taskforge_sqlite::{SqliteConfig, SqliteDatabase};
use taskforge_testkit::fixtures;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_command_writes_every_task_and_refuses_to_overwrite() {
    // Arrange: two projects of different owners, a private task in each.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.db");
    let db = SqliteDatabase::open(SqliteConfig::new(&path)).await.unwrap();
    let repos = db.repositories();
    for (owner, title) in [("alice", "=private of alice"), ("bob", "private, of \"bob\"")] {
        let (user, project) = fixtures::owner_and_project(&repos, owner, "P").await;
        fixtures::stored_task(&repos, fixtures::task(&project, &user, title)).await;
    }
    drop(repos);
    drop(db);
    let cli = Cli::parse_from(["taskforge", "--database", path.to_str().unwrap(), "migrate"]);
    let common = CommonSettings::from_cli(&cli).unwrap();
    let out = dir.path().join("tasks.csv");

    // Act
    commands::export(&common, "csv", &out).await.unwrap();

    // Assert
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("id,project_id,title,description,status,priority,category,"));
    assert!(text.contains("'=private of alice"), "{text}");
    assert!(text.contains("\"private, of \"\"bob\"\"\""), "{text}");
    assert_eq!(text.matches("\r\n").count(), 3, "the header and two tasks: {text}");
    let again = commands::export(&common, "csv", &out).await.unwrap_err();
    assert!(again.to_string().contains("must not exist"), "{again:#}");
    let unknown = commands::export(&common, "yaml", &dir.path().join("x")).await.unwrap_err();
    assert!(unknown.to_string().contains("json, csv, xml"), "{unknown:#}");
    let xml = dir.path().join("tasks.xml");
    commands::export(&common, "xml", &xml).await.unwrap();
    assert_eq!(std::fs::read_to_string(&xml).unwrap().matches("<task id=").count(), 2);
}
