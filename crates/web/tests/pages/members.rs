//! Members and exports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::services::TaskExport;
use taskforge_domain::values::Role;
use taskforge_web::export::{ExportChunks, ExportDownload, ExportFormats};

use crate::support::{web_app, web_app_exporting};

fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().split(['#', '?']).next().unwrap().to_owned()
}

#[actix_web::test]
async fn the_owner_adds_and_removes_members_and_others_only_see_the_list() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    app.account("bob", Role::Editor).await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let path = format!("/projects/{project}/members");
    app.get(&bob, &path).await.expect(404);
    let unknown = app.post(&alice, &path, &[("username", "nobody")]).await;
    unknown.expect(422);
    assert!(unknown.body.contains("No user has this username."));
    app.post(&alice, &path, &[("username", "bob")]).await.expect_redirect(&path);
    let seen = app.get(&bob, &path).await;
    seen.expect(200);
    assert!(seen.body.contains("alice (owner)") && seen.body.contains("bob"));
    assert!(!seen.body.contains("/remove\""), "only the owner manages members");
    app.post(&bob, &path, &[("username", "alice")]).await.expect(403);
    let page = app.get(&alice, &path).await;
    let bob_id = bob.user_id.unwrap();
    assert!(page.body.contains(&format!("/members/{bob_id}/remove")));
    app.post(&alice, &format!("{path}/{bob_id}/remove"), &[]).await.expect_redirect(&path);
    app.get(&bob, &format!("/projects/{project}")).await.expect(404);
}

/// Writes one line per task title, to see which tasks an export holds.
#[derive(Debug)]
struct Titles;

struct TitleChunks(TaskExport);

#[async_trait]
impl ExportChunks for TitleChunks {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        let page = self.0.next_page().await.map_err(|e| e.to_string())?;
        Ok(page.map(|rows| {
            rows.iter()
                .map(|r| format!("{}\n", r.task.title.as_str()))
                .collect::<String>()
                .into_bytes()
        }))
    }
}

impl ExportFormats for Titles {
    fn open(&self, extension: &str, export: TaskExport) -> Option<ExportDownload> {
        (extension == "txt").then(|| ExportDownload {
            content_type: "text/plain",
            file_name: "tasks.txt".into(),
            chunks: Box::new(TitleChunks(export)),
        })
    }
}

#[actix_web::test]
async fn export_links_stream_the_projects_tasks_through_the_formats_handed_in() {
    let app = web_app_exporting(Arc::new(Titles)).await;
    app.account("alice", Role::Editor).await;
    app.account("carol", Role::Editor).await;
    let alice = app.login("alice").await;
    let carol = app.login("carol").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let other =
        id_in(app.post(&alice, "/projects", &[("name", "Q")]).await.header("location").unwrap());
    app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "in P")]).await.expect(303);
    app.post(&alice, &format!("/projects/{other}/tasks"), &[("title", "in Q")]).await.expect(303);
    let download = app.get(&alice, &format!("/projects/{project}/export.txt")).await;
    download.expect(200);
    assert_eq!(download.body, "in P\n");
    assert_eq!(download.header("content-disposition"), Some("attachment; filename=\"tasks.txt\""));
    app.get(&alice, &format!("/projects/{project}/export.exe")).await.expect(404);
    app.get(&carol, &format!("/projects/{project}/export.txt")).await.expect(404);
}
