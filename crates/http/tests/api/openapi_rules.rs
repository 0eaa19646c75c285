//! Regression tests for what the API fuzzing (scripts/api-fuzz, schemathesis) found: places
//! where the OpenAPI document and the server disagreed.

use serde_json::{Value, json};

use crate::support::spawn;

async fn document() -> Value {
    let app = spawn().await;
    app.get("/api/v1/openapi.json", None).await.expect(200)
}

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{method} {path} has a parameter {name}"))
}

#[actix_web::test]
async fn a_task_body_may_list_at_most_twenty_labels_even_when_they_repeat() {
    let app = spawn().await;
    let project = app.project().await;
    let who = Some(app.people.editor);
    let twenty_one = vec!["ops"; 21];
    let body = json!({"project_id": project, "title": "t", "labels": twenty_one});
    let problem = app.post("/api/v1/tasks", who, body).await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "labels");
    let task = app.task(&project, json!({"labels": vec!["ops"; 20]})).await;
    assert_eq!(task["labels"], json!(["ops"]));
    let url = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    app.patch(&url, who, json!({"labels": twenty_one})).await.expect(422);
    app.patch(&url, who, json!({"labels": vec!["a"; 20]})).await.expect(200);
}

#[actix_web::test]
async fn the_document_states_the_limit_on_labels_and_their_pattern() {
    let doc = document().await;
    for body in ["CreateTaskBody", "UpdateTaskBody"] {
        let labels = &doc["components"]["schemas"][body]["properties"]["labels"];
        assert_eq!(labels["maxItems"], 20, "{body}");
        assert_eq!(labels["items"]["pattern"], "^[\\w.:-]{1,50}$", "{body}");
    }
}

#[actix_web::test]
async fn if_match_is_a_string_with_the_entity_tag_syntax_never_null() {
    let doc = document().await;
    for (path, method) in [
        ("/api/v1/tasks/{id}", "patch"),
        ("/api/v1/tasks/{id}", "delete"),
        ("/api/v1/tasks/{id}/move", "post"),
    ] {
        let schema = &parameter(&doc, path, method, "If-Match")["schema"];
        assert_eq!(schema["type"], "string", "{method} {path}");
        assert_eq!(schema["pattern"], "^(\\*|\"0*[1-9][0-9]{0,18}\")$", "{method} {path}");
    }
}

#[actix_web::test]
async fn each_listing_cursor_has_the_shape_the_server_issues() {
    let doc = document().await;
    let projects = &parameter(&doc, "/api/v1/projects", "get", "cursor")["schema"];
    assert_eq!(projects["format"], "uuid");
    let users = &parameter(&doc, "/api/v1/users", "get", "cursor")["schema"];
    assert_eq!(users["pattern"], "^[A-Za-z0-9_.-]{3,32}$");
    let tasks = &parameter(&doc, "/api/v1/tasks", "get", "cursor")["schema"];
    assert_eq!(tasks["pattern"], "^v2\\.[A-Za-z0-9_-]{78,1143}$");
    assert_eq!(tasks["maxLength"], 1146);
}

#[actix_web::test]
async fn the_task_filters_are_enums_and_patterns() {
    let doc = document().await;
    for path in ["/api/v1/tasks", "/api/v1/tasks/export"] {
        // Several statuses, comma-separated: an array in the form style, not exploded.
        let status = parameter(&doc, path, "get", "status");
        assert_eq!((&status["style"], &status["explode"]), (&json!("form"), &json!(false)));
        assert_eq!(status["schema"]["type"], "array", "{path}");
        assert_eq!(status["schema"]["minItems"], 1, "{path}");
        let statuses = &status["schema"]["items"]["enum"];
        assert_eq!(statuses, &json!(["todo", "in_progress", "done"]), "{path}");
        let priority = &parameter(&doc, path, "get", "priority")["schema"];
        assert_eq!(priority["enum"], json!(["low", "medium", "high", "urgent"]), "{path}");
        let sort = &parameter(&doc, path, "get", "sort")["schema"];
        assert_eq!(sort["enum"].as_array().map(Vec::len), Some(8), "{path}");
        for name in ["label", "q"] {
            assert!(
                parameter(&doc, path, "get", name)["schema"]["pattern"].is_string(),
                "{path} {name}"
            );
        }
    }
}

#[actix_web::test]
async fn the_json_export_is_documented_as_an_array_of_tasks() {
    let doc = document().await;
    let ok = &doc["paths"]["/api/v1/tasks/export"]["get"]["responses"]["200"]["content"];
    let json_schema = &ok["application/json"]["schema"];
    assert_eq!(json_schema["type"], "array");
    assert_eq!(json_schema["items"]["$ref"], "#/components/schemas/TaskResponse");
    assert_eq!(ok["text/csv; charset=utf-8"]["schema"]["type"], "string");
}

#[actix_web::test]
async fn text_fields_carry_the_domains_patterns() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    for (schema, property) in [
        ("CreateProjectBody", "name"),
        ("UpdateProjectBody", "name"),
        ("CreateProjectBody", "description"),
        ("CategoryBody", "name"),
        ("CreateTaskBody", "title"),
        ("UpdateTaskBody", "title"),
        ("CreateTaskBody", "description"),
        ("RegisterBody", "username"),
    ] {
        assert!(
            schemas[schema]["properties"][property]["pattern"].is_string(),
            "{schema}.{property}"
        );
    }
}

#[actix_web::test]
async fn creating_a_task_links_to_the_operations_on_it_with_its_id_and_etag() {
    let doc = document().await;
    let links = &doc["paths"]["/api/v1/tasks"]["post"]["responses"]["201"]["links"];
    let update = &links["tasks_update"];
    assert_eq!(update["operationId"], "tasks_update");
    assert_eq!(update["parameters"]["path.id"], "$response.body#/id");
    assert_eq!(update["parameters"]["header.If-Match"], "$response.header.ETag");
    assert_eq!(links["tasks_get"]["parameters"]["header.If-Match"], Value::Null);
    assert!(links["tasks_get"].get("operation_id").is_none(), "OpenAPI spells it operationId");
    let project_links = &doc["paths"]["/api/v1/projects"]["post"]["responses"]["201"]["links"];
    assert_eq!(project_links["projects_members"]["operationId"], "projects_members");
}

#[actix_web::test]
async fn the_category_listing_documents_its_pages_and_its_cursor_has_the_shape_it_issues() {
    let app = spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.expect(200);
    let cursor = &parameter(&doc, "/api/v1/categories", "get", "cursor")["schema"];
    assert_eq!(cursor["pattern"], "^c1\\.[A-Za-z0-9_-]+$");
    assert_eq!(cursor["maxLength"], 300);
    let limit = &parameter(&doc, "/api/v1/categories", "get", "limit")["schema"];
    assert_eq!((limit["minimum"].as_u64(), limit["maximum"].as_u64()), (Some(1), Some(200)));
    let create = &doc["paths"]["/api/v1/categories"]["post"]["responses"];
    assert!(create["429"]["headers"]["Retry-After"].is_object(), "{create}");
    // A cursor the server issues matches the documented pattern.
    for name in ["Überprüfung 🐛", "a/b?c", "Zeta"] {
        app.post("/api/v1/categories", Some(app.people.admin), json!({"name": name}))
            .await
            .expect(201);
    }
    let page = app.get("/api/v1/categories?limit=1", Some(app.people.admin)).await.expect(200);
    let issued = page["next_cursor"].as_str().unwrap();
    let pattern = regex::Regex::new(cursor["pattern"].as_str().unwrap()).unwrap();
    assert!(pattern.is_match(issued), "{issued}");
}
