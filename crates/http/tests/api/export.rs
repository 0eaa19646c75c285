//! `GET /api/v1/tasks/export`: round trips through real CSV and XML parsers, visibility under
//! every filter, the download's headers, and unknown formats.

use std::collections::BTreeSet;

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use taskforge_domain::UserId;
use taskforge_domain::values::Role;

use crate::export_parse::{Row, csv_rows, xml_rows};
use crate::support::{TestApp, spawn, user, with_auth};

/// Texts that break naive CSV and XML writers, and formula starters. Titles are one line of
/// text (the domain refuses control characters in them), descriptions may hold tabs and
/// line breaks.
const NASTY_TITLES: &[&str] = &[
    "plain, with a comma",
    "say \"hello\"",
    "a < b && c > d",
    "end of CDATA ]]> here",
    "emoji 🦀🚀 and ünïcödé",
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "'already quoted",
    "\u{200b}=1+2",
    "\u{ff1d}1+2",
    "\u{feff}@SUM(A1)",
];
const NASTY_DESCRIPTIONS: &[&str] = &[
    "line one\nline two\r\nline three\rend",
    "\ttab first, then \"quotes\", commas, <tags> & ]]>",
    "\r carriage return first",
    "=HYPERLINK(\"http://x\")",
    "",
    "🦀\n\n",
    "-",
    "@",
    "  spaces kept  ",
    "+",
    " =HYPERLINK(\"http://x\")",
    "\u{a0}\u{2060}+1",
    "\u{ff0d}1",
];

/// The guard's rule, restated for the characters these texts use: a tab or carriage return
/// first, or a formula starter (ASCII or full-width) as the first character that is not blank.
fn formula_guarded(text: &str) -> String {
    let blank = |c: char| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}');
    let first_visible = text.chars().find(|c| !blank(*c));
    let starter = first_visible.is_some_and(|c| "=+-@＝＋－＠".contains(c));
    if text.starts_with(['\t', '\r']) || starter { format!("'{text}") } else { text.into() }
}

async fn export<S, B>(app: &TestApp<S>, query: &str, who: UserId) -> crate::support::Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    app.get(&format!("/api/v1/tasks/export?{query}"), Some(who)).await
}

#[actix_web::test]
async fn csv_and_xml_exports_parse_back_to_the_same_text() {
    // Arrange: a category and an assignee whose names also start like formulas.
    let app = spawn().await;
    let project = app.project().await;
    let dash = user("-dash", Role::Editor);
    app.repos.users.insert(&dash).await.unwrap();
    app.put(&format!("/api/v1/projects/{project}/members/{}", dash.id), Some(app.people.editor))
        .await
        .expect(204);
    let category = app
        .post("/api/v1/categories", Some(app.people.editor), json!({"name": "=Bug, \"x\" <b>&"}))
        .await
        .expect(201);
    let mut created = Vec::new();
    for (i, (title, description)) in NASTY_TITLES.iter().zip(NASTY_DESCRIPTIONS).enumerate() {
        let mut extra = json!({"title": title, "description": description});
        if i % 2 == 0 {
            extra["category_id"] = category["id"].clone();
            extra["assignee_id"] = json!(dash.id.to_string());
            extra["labels"] = json!(["-neg", "a:b"]);
            extra["due_date"] = json!("2026-05-01");
        }
        created.push(app.task(&project, extra).await);
    }

    for format in ["csv", "xml"] {
        // Act
        let reply =
            export(&app, &format!("format={format}&sort=created_at"), app.people.editor).await;
        reply.expect(200);
        let rows = if format == "csv" { csv_rows(&reply.body) } else { xml_rows(&reply.body) };

        // Assert: every task, in order, each cell as it went in (formula-guarded in CSV).
        assert_eq!(rows.len(), created.len(), "{format}");
        let cell = |text: &str| if format == "csv" { formula_guarded(text) } else { text.into() };
        for (row, task) in rows.iter().zip(&created) {
            let expect = |column: &str, value: &str| {
                assert_eq!(row[column], cell(value), "{format}: {column} of {}", task["title"]);
            };
            expect("id", task["id"].as_str().unwrap());
            expect("title", task["title"].as_str().unwrap());
            expect("description", task["description"].as_str().unwrap());
            expect("status", "todo");
            expect("priority", "medium");
            expect("project_id", &project);
            expect("is_public", "false");
            expect("created_at", task["created_at"].as_str().unwrap());
            expect("updated_at", task["updated_at"].as_str().unwrap());
            expect("parent_id", "");
            let categorised = !task["category_id"].is_null();
            expect("category", if categorised { "=Bug, \"x\" <b>&" } else { "" });
            expect("assignee", if categorised { "-dash" } else { "" });
            expect("labels", if categorised { "-neg;a:b" } else { "" });
            expect("due_date", if categorised { "2026-05-01" } else { "" });
            if format == "xml" {
                assert_eq!(row["@id"], task["id"].as_str().unwrap());
            }
        }
        let titles: Vec<&str> = rows.iter().map(|r| r["title"].as_str()).collect();
        assert!(titles.contains(&"'=1+2") || format == "xml", "guarded: {titles:?}");
    }
}

#[actix_web::test]
async fn a_json_export_is_the_array_of_the_listings_task_objects() {
    let app = spawn().await;
    let project = app.project().await;
    for (title, description) in NASTY_TITLES.iter().zip(NASTY_DESCRIPTIONS) {
        app.task(&project, json!({"title": title, "description": description})).await;
    }

    let reply = export(&app, "format=json&sort=title", app.people.viewer).await;
    let listed = app.get("/api/v1/tasks?sort=title&limit=200", Some(app.people.viewer)).await;

    assert_eq!(reply.expect(200), listed.expect(200)["items"]);
}

#[actix_web::test]
async fn the_download_is_an_attachment_with_its_media_type_and_is_streamed() {
    let app = spawn().await;
    let project = app.project().await;
    app.task(&project, json!({})).await;
    for (format, media_type) in [
        ("json", "application/json"),
        ("csv", "text/csv; charset=utf-8"),
        ("xml", "application/xml; charset=utf-8"),
    ] {
        let req = with_auth(
            TestRequest::get().uri(&format!("/api/v1/tasks/export?format={format}")),
            Some(app.people.editor),
        );
        let response = actix_web::test::call_service(&app.service, req.to_request()).await;
        assert_eq!(response.status(), 200);
        let header =
            |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("content-type").as_deref(), Some(media_type));
        assert_eq!(
            header("content-disposition").as_deref(),
            Some(format!("attachment; filename=\"tasks.{format}\"").as_str())
        );
        assert_eq!(header("cache-control").as_deref(), Some("no-store"));
        assert!(header("content-length").is_none(), "a streamed body has no length");
        let size = actix_web::body::MessageBody::size(response.response().body());
        assert_eq!(size, actix_web::body::BodySize::Stream, "{format}: chunked, not buffered");
    }
}

#[actix_web::test]
async fn an_unknown_format_is_a_400_problem_naming_the_accepted_formats() {
    let app = spawn().await;

    let problem = export(&app, "format=yaml", app.people.editor).await.expect(400);

    assert_eq!(problem["type"], "urn:taskforge:problem:bad-request");
    assert_eq!(problem["errors"][0]["field"], "format");
    assert_eq!(problem["errors"][0]["message"], "format must be one of json, csv, xml");
    assert!(problem["detail"].as_str().unwrap().contains("json, csv, xml"), "{problem}");
    export(&app, "format=csv&limit=5", app.people.editor).await.expect(400);
    export(&app, "format=csv&status=later", app.people.editor).await.expect(400);
    app.get("/api/v1/tasks/export?format=csv", None).await.expect(401);
}

/// The ids in an export of any format.
fn exported_ids(format: &str, body: &[u8]) -> BTreeSet<String> {
    let rows: Vec<Row> = match format {
        "csv" => csv_rows(body),
        "xml" => xml_rows(body),
        _ => {
            let items: Value = serde_json::from_slice(body).unwrap();
            return items
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect();
        }
    };
    rows.into_iter().map(|r| r["id"].clone()).collect()
}

#[actix_web::test]
async fn exports_never_contain_another_users_private_tasks_whatever_the_filters() {
    // Arrange: the editor's project (viewer is a member) with private and public tasks, and
    // the outsider's project with private tasks only.
    let app = spawn().await;
    let mine = app.project().await;
    let theirs = app
        .post("/api/v1/projects", Some(app.people.outsider), json!({"name": "Theirs"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let category = app
        .post("/api/v1/categories", Some(app.people.editor), json!({"name": "Ops"}))
        .await
        .expect(201)["id"]
        .clone();
    let mut secret = BTreeSet::new();
    for i in 0..6 {
        let status = ["todo", "done"][i % 2];
        let body = json!({"project_id": theirs, "title": format!("Secret report {i}"),
            "status": status, "priority": "urgent", "labels": ["ops"],
            "category_id": category, "due_date": "2026-01-01",
            "assignee_id": app.people.outsider.to_string()});
        let t = app.post("/api/v1/tasks", Some(app.people.outsider), body).await.expect(201);
        secret.insert(t["id"].as_str().unwrap().to_owned());
    }
    let public = app
        .post(
            "/api/v1/tasks",
            Some(app.people.outsider),
            json!({"project_id": theirs, "title": "Public report", "is_public": true}),
        )
        .await
        .expect(201);
    for i in 0..4 {
        app.task(
            &mine,
            json!({"title": format!("Our report {i}"), "labels": ["ops"],
            "category_id": category, "is_public": i == 0}),
        )
        .await;
    }
    let outsider = app.people.outsider.to_string();
    let filters = [
        String::new(),
        format!("project_id={theirs}"),
        format!("project_id={mine}"),
        String::from("status=todo"),
        String::from("status=done&priority=urgent"),
        String::from("label=ops"),
        String::from("q=report"),
        format!("category_id={}", category.as_str().unwrap()),
        format!("assignee_id={outsider}"),
        String::from("due_before=2026-06-01"),
        String::from("sort=-priority"),
        String::from("sort=title&q=secret"),
    ];

    for who in [app.people.editor, app.people.viewer, app.people.stranger] {
        for filter in &filters {
            // What the listing shows this caller with this filter: the reference.
            let listed =
                app.get(&format!("/api/v1/tasks?limit=200&{filter}"), Some(who)).await.expect(200);
            let expected: BTreeSet<String> = listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect();
            for format in ["json", "csv", "xml"] {
                // Act
                let reply = export(&app, &format!("format={format}&{filter}"), who).await;
                reply.expect(200);
                let ids = exported_ids(format, &reply.body);

                // Assert
                let leaked: Vec<_> = ids.intersection(&secret).collect();
                assert!(leaked.is_empty(), "{who} / {filter} / {format}: leaked {leaked:?}");
                assert_eq!(ids, expected, "{who} / {filter} / {format}: export = listing");
            }
        }
    }
    // The public task of the other project is exported to everyone who lists it.
    let all = export(&app, "format=json", app.people.stranger).await;
    assert!(exported_ids("json", &all.body).contains(public["id"].as_str().unwrap()));
    // And the admin sees everything.
    let admin = export(&app, "format=csv", app.people.admin).await;
    assert!(exported_ids("csv", &admin.body).is_superset(&secret));
}
