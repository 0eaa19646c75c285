//! `/api/v1/reports/summary` and `/api/v1/reports/top` over HTTP: shapes, visibility, refusals.
//! (The figures themselves are checked against the listing on both stores in the app crate's
//! `tests/reports.rs`.)

use serde_json::json;

use crate::support::spawn;

#[actix_web::test]
async fn the_summary_counts_what_the_caller_can_see() {
    let app = spawn().await;
    let project = app.project().await;
    let bug = app
        .post("/api/v1/categories", Some(app.people.editor), json!({"name": "Bug"}))
        .await
        .expect(201)["id"]
        .clone();
    app.task(&project, json!({"status": "done", "priority": "urgent", "category_id": bug})).await;
    app.task(&project, json!({"due_date": "2000-01-01", "category_id": bug})).await;
    app.task(&project, json!({"due_date": "2999-01-01", "is_public": true})).await;

    let mine = app.get("/api/v1/reports/summary", Some(app.people.viewer)).await.expect(200);
    let one = app
        .get(&format!("/api/v1/reports/summary?project_id={project}"), Some(app.people.admin))
        .await
        .expect(200);
    let stranger = app.get("/api/v1/reports/summary", Some(app.people.stranger)).await.expect(200);

    assert_eq!(mine["total"], 3);
    assert_eq!(mine["project_id"], serde_json::Value::Null);
    assert_eq!(mine["by_status"], json!({"todo": 2, "in_progress": 0, "done": 1}));
    assert_eq!(mine["by_priority"], json!({"low": 0, "medium": 2, "high": 0, "urgent": 1}));
    assert_eq!(
        mine["by_category"],
        json!([
            {"category_id": bug, "name": "Bug", "total": 2, "done": 1},
            {"category_id": null, "name": "none", "total": 1, "done": 0},
        ])
    );
    assert_eq!(mine["overdue"], 1);
    assert_eq!(mine["today"].as_str().unwrap().len(), 10);
    assert_eq!(one["project_id"], project.as_str());
    assert_eq!(one["total"], 3);
    assert_eq!(stranger["total"], 1, "only the public task");
}

#[actix_web::test]
async fn a_summary_of_an_invisible_or_absent_project_is_404() {
    let app = spawn().await;
    let project = app.project().await;
    app.task(&project, json!({"is_public": true})).await;
    let url = format!("/api/v1/reports/summary?project_id={project}");

    app.get(&url, Some(app.people.outsider)).await.expect(404);
    app.get(&url, Some(app.people.stranger)).await.expect(404);
    let absent = format!("/api/v1/reports/summary?project_id={}", uuid::Uuid::now_v7());
    app.get(&absent, Some(app.people.admin)).await.expect(404);
    app.get(&url, Some(app.people.viewer)).await.expect(200);
    app.get("/api/v1/reports/summary?project_id=nope", Some(app.people.admin)).await.expect(400);
    app.get("/api/v1/reports/summary?colour=red", Some(app.people.admin)).await.expect(400);
    app.get("/api/v1/reports/summary", None).await.expect(401);
}

#[actix_web::test]
async fn the_top_report_ranks_open_tasks_per_category() {
    let app = spawn().await;
    let project = app.project().await;
    let bug = app
        .post("/api/v1/categories", Some(app.people.editor), json!({"name": "Bug"}))
        .await
        .expect(201)["id"]
        .clone();
    let t = |title: &str, extra: serde_json::Value| {
        let mut body = json!({"title": title, "category_id": bug});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    app.task(&project, t("low", json!({"priority": "low"}))).await;
    app.task(&project, t("urgent undated", json!({"priority": "urgent"}))).await;
    app.task(&project, t("urgent soon", json!({"priority": "urgent", "due_date": "2026-01-01"})))
        .await;
    app.task(&project, t("done", json!({"priority": "urgent", "status": "done"}))).await;
    app.task(&project, json!({"title": "loose"})).await;

    let top = app.get("/api/v1/reports/top?per_category=2", Some(app.people.viewer)).await;
    let top = top.expect(200);
    let default = app.get("/api/v1/reports/top", Some(app.people.viewer)).await.expect(200);

    assert_eq!(top["per_category"], 2);
    let titles = |c: &serde_json::Value| -> Vec<String> {
        c["tasks"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().into()).collect()
    };
    assert_eq!(top["categories"][0]["name"], "Bug");
    assert_eq!(titles(&top["categories"][0]), ["urgent soon", "urgent undated"]);
    assert_eq!(top["categories"][1]["name"], "none");
    assert_eq!(top["categories"][1]["category_id"], serde_json::Value::Null);
    assert_eq!(titles(&top["categories"][1]), ["loose"]);
    assert_eq!(default["per_category"], 3);
    assert_eq!(titles(&default["categories"][0]), ["urgent soon", "urgent undated", "low"]);
    let stranger = app.get("/api/v1/reports/top", Some(app.people.stranger)).await.expect(200);
    assert_eq!(stranger["categories"], json!([]));
    for bad in ["0", "51", "x"] {
        let url = format!("/api/v1/reports/top?per_category={bad}");
        let problem = app.get(&url, Some(app.people.viewer)).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], "per_category");
    }
}

#[actix_web::test]
async fn the_top_report_of_one_project_ranks_only_that_projects_open_tasks() {
    let app = spawn().await;
    let alpha = app.project().await;
    let beta = app.project().await;
    app.task(&alpha, json!({"title": "alpha urgent", "priority": "urgent"})).await;
    app.task(&alpha, json!({"title": "alpha low", "priority": "low"})).await;
    app.task(&alpha, json!({"title": "alpha done", "status": "done"})).await;
    app.task(&beta, json!({"title": "beta urgent", "priority": "urgent"})).await;

    let url = format!("/api/v1/reports/top?project_id={alpha}&per_category=5");
    let one = app.get(&url, Some(app.people.viewer)).await.expect(200);
    let all = app.get("/api/v1/reports/top?per_category=5", Some(app.people.viewer)).await;
    let all = all.expect(200);

    assert_eq!(one["project_id"], alpha.as_str());
    assert_eq!(one["per_category"], 5);
    let titles: Vec<&str> = one["categories"][0]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["alpha urgent", "alpha low"], "open tasks of that project only");
    assert_eq!(one["categories"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(all["project_id"], serde_json::Value::Null);
    assert_eq!(all["categories"][0]["tasks"].as_array().unwrap().len(), 3, "{all}");
}

#[actix_web::test]
async fn a_top_report_of_an_invisible_or_absent_project_is_404() {
    let app = spawn().await;
    let project = app.project().await;
    app.task(&project, json!({"is_public": true})).await;
    let url = format!("/api/v1/reports/top?project_id={project}");

    app.get(&url, Some(app.people.outsider)).await.expect(404);
    app.get(&url, Some(app.people.stranger)).await.expect(404);
    let absent = format!("/api/v1/reports/top?project_id={}", uuid::Uuid::now_v7());
    app.get(&absent, Some(app.people.admin)).await.expect(404);
    app.get(&url, Some(app.people.viewer)).await.expect(200);
    app.get(&url, Some(app.people.admin)).await.expect(200);
    let problem =
        app.get("/api/v1/reports/top?project_id=nope", Some(app.people.admin)).await.expect(400);
    assert_eq!(problem["errors"][0]["field"], "project_id");
    app.get(&url, None).await.expect(401);
}
