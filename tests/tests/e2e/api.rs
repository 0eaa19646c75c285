//! One helper per endpoint of `docs/api.md` (a test reads as a list of calls), plus the arranging
//! helpers tests build their worlds with. Each helper sends exactly one request and returns the
//! checked [`Reply`]; the test asserts what it is about.

use reqwest::Method;
use serde_json::{Value, json};

use super::app::{Caller, TestApp, id_of, task_body, unique};
use super::reply::Reply;

/// `?query`, or nothing for an empty query.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

impl TestApp {
    // --- operations -------------------------------------------------------------------------

    /// `GET /health`.
    pub async fn health(&self) -> Reply {
        self.call(Method::GET, "/health").send().await
    }

    /// `GET /ready`.
    pub async fn ready(&self) -> Reply {
        self.call(Method::GET, "/ready").send().await
    }

    /// `GET /metrics`.
    pub async fn metrics(&self) -> Reply {
        self.call(Method::GET, "/metrics").send().await
    }

    /// `GET /api/v1/openapi.json`.
    pub async fn openapi(&self) -> Reply {
        self.call(Method::GET, "/api/v1/openapi.json").send().await
    }

    // --- authentication ---------------------------------------------------------------------

    /// `POST /api/v1/auth/register`.
    pub async fn register(&self, body: &Value) -> Reply {
        self.call(Method::POST, "/api/v1/auth/register").json(body).send().await
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        let body = json!({"username": username, "password": password});
        self.call(Method::POST, "/api/v1/auth/login").json(&body).send().await
    }

    /// `POST /api/v1/auth/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        let body = json!({"refresh_token": refresh_token});
        self.call(Method::POST, "/api/v1/auth/refresh").json(&body).send().await
    }

    /// `POST /api/v1/auth/logout`.
    pub async fn logout(&self, who: &Caller, refresh_token: &str) -> Reply {
        let body = json!({"refresh_token": refresh_token});
        self.call(Method::POST, "/api/v1/auth/logout").by(who).json(&body).send().await
    }

    /// `PUT /api/v1/users/me/password`.
    pub async fn change_password(&self, who: &Caller, current: &str, new: &str) -> Reply {
        let body = json!({"current_password": current, "new_password": new});
        self.call(Method::PUT, "/api/v1/users/me/password").by(who).json(&body).send().await
    }

    // --- users ------------------------------------------------------------------------------

    /// `GET /api/v1/users/me`.
    pub async fn me(&self, who: &Caller) -> Reply {
        self.call(Method::GET, "/api/v1/users/me").by(who).send().await
    }

    /// `GET /api/v1/users?query`.
    pub async fn list_users(&self, who: &Caller, query: &str) -> Reply {
        self.call(Method::GET, with_query("/api/v1/users", query)).by(who).send().await
    }

    /// `PATCH /api/v1/users/{id}` with `{role}`.
    pub async fn set_role(&self, who: &Caller, id: &str, role: &str) -> Reply {
        let path = format!("/api/v1/users/{id}");
        self.call(Method::PATCH, path).by(who).json(&json!({"role": role})).send().await
    }

    /// `DELETE /api/v1/users/{id}`.
    pub async fn delete_user(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::DELETE, format!("/api/v1/users/{id}")).by(who).send().await
    }

    // --- projects ---------------------------------------------------------------------------

    /// `POST /api/v1/projects`.
    pub async fn create_project(&self, who: &Caller, body: &Value) -> Reply {
        self.call(Method::POST, "/api/v1/projects").by(who).json(body).send().await
    }

    /// `GET /api/v1/projects?query`.
    pub async fn list_projects(&self, who: &Caller, query: &str) -> Reply {
        self.call(Method::GET, with_query("/api/v1/projects", query)).by(who).send().await
    }

    /// `GET /api/v1/projects/{id}`.
    pub async fn get_project(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::GET, format!("/api/v1/projects/{id}")).by(who).send().await
    }

    /// `PATCH /api/v1/projects/{id}`.
    pub async fn update_project(&self, who: &Caller, id: &str, body: &Value) -> Reply {
        let path = format!("/api/v1/projects/{id}");
        self.call(Method::PATCH, path).by(who).json(body).send().await
    }

    /// `DELETE /api/v1/projects/{id}`.
    pub async fn delete_project(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::DELETE, format!("/api/v1/projects/{id}")).by(who).send().await
    }

    /// `GET /api/v1/projects/{id}/members`.
    pub async fn list_members(&self, who: &Caller, project: &str) -> Reply {
        let path = format!("/api/v1/projects/{project}/members");
        self.call(Method::GET, path).by(who).send().await
    }

    /// `PUT /api/v1/projects/{id}/members/{user_id}`.
    pub async fn add_member(&self, who: &Caller, project: &str, user: &str) -> Reply {
        let path = format!("/api/v1/projects/{project}/members/{user}");
        self.call(Method::PUT, path).by(who).send().await
    }

    /// `PUT /api/v1/projects/{id}/members/by-username/{username}`.
    pub async fn add_member_by_username(&self, who: &Caller, project: &str, name: &str) -> Reply {
        let path = format!("/api/v1/projects/{project}/members/by-username/{name}");
        self.call(Method::PUT, path).by(who).send().await
    }

    /// `DELETE /api/v1/projects/{id}/members/{user_id}`.
    pub async fn remove_member(&self, who: &Caller, project: &str, user: &str) -> Reply {
        let path = format!("/api/v1/projects/{project}/members/{user}");
        self.call(Method::DELETE, path).by(who).send().await
    }

    // --- categories -------------------------------------------------------------------------

    /// `GET /api/v1/categories?query`.
    pub async fn list_categories(&self, who: &Caller, query: &str) -> Reply {
        self.call(Method::GET, with_query("/api/v1/categories", query)).by(who).send().await
    }

    /// `POST /api/v1/categories`.
    pub async fn create_category(&self, who: &Caller, body: &Value) -> Reply {
        self.call(Method::POST, "/api/v1/categories").by(who).json(body).send().await
    }

    /// `GET /api/v1/categories/{id}`.
    pub async fn get_category(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::GET, format!("/api/v1/categories/{id}")).by(who).send().await
    }

    /// `PATCH /api/v1/categories/{id}`.
    pub async fn update_category(&self, who: &Caller, id: &str, body: &Value) -> Reply {
        let path = format!("/api/v1/categories/{id}");
        self.call(Method::PATCH, path).by(who).json(body).send().await
    }

    /// `DELETE /api/v1/categories/{id}`.
    pub async fn delete_category(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::DELETE, format!("/api/v1/categories/{id}")).by(who).send().await
    }

    // --- tasks ------------------------------------------------------------------------------

    /// `POST /api/v1/tasks`.
    pub async fn create_task(&self, who: &Caller, body: &Value) -> Reply {
        self.call(Method::POST, "/api/v1/tasks").by(who).json(body).send().await
    }

    /// `GET /api/v1/tasks?query`.
    pub async fn list_tasks(&self, who: &Caller, query: &str) -> Reply {
        self.call(Method::GET, with_query("/api/v1/tasks", query)).by(who).send().await
    }

    /// `GET /api/v1/tasks/{id}`.
    pub async fn get_task(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::GET, format!("/api/v1/tasks/{id}")).by(who).send().await
    }

    /// `PATCH /api/v1/tasks/{id}` without `If-Match`.
    pub async fn update_task(&self, who: &Caller, id: &str, body: &Value) -> Reply {
        let path = format!("/api/v1/tasks/{id}");
        self.call(Method::PATCH, path).by(who).json(body).send().await
    }

    /// `PATCH /api/v1/tasks/{id}` with `If-Match: if_match`.
    pub async fn update_task_if_match(
        &self,
        who: &Caller,
        id: &str,
        if_match: &str,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/tasks/{id}");
        let call = self.call(Method::PATCH, path).by(who).header("if-match", if_match);
        call.json(body).send().await
    }

    /// `DELETE /api/v1/tasks/{id}`.
    pub async fn delete_task(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::DELETE, format!("/api/v1/tasks/{id}")).by(who).send().await
    }

    /// `POST /api/v1/tasks/{id}/move` with `{project_id}`.
    pub async fn move_task(&self, who: &Caller, id: &str, project: &str) -> Reply {
        let path = format!("/api/v1/tasks/{id}/move");
        self.call(Method::POST, path).by(who).json(&json!({"project_id": project})).send().await
    }

    /// `GET /api/v1/tasks/{id}/history?{query}`.
    pub async fn task_history(&self, who: &Caller, id: &str, query: &str) -> Reply {
        self.call(Method::GET, format!("/api/v1/tasks/{id}/history?{query}")).by(who).send().await
    }

    /// `GET /api/v1/projects/{id}/activity?{query}`.
    pub async fn project_activity(&self, who: &Caller, id: &str, query: &str) -> Reply {
        let path = format!("/api/v1/projects/{id}/activity?{query}");
        self.call(Method::GET, path).by(who).send().await
    }

    /// `POST /api/v1/tasks/{id}/history/{entry}/revert`.
    pub async fn revert(&self, who: &Caller, id: &str, entry: u64) -> Reply {
        let path = format!("/api/v1/tasks/{id}/history/{entry}/revert");
        self.call(Method::POST, path).by(who).send().await
    }

    /// `GET /api/v1/trash?project_id={project}`.
    pub async fn list_trash(&self, who: &Caller, project: &str) -> Reply {
        let path = format!("/api/v1/trash?project_id={project}");
        self.call(Method::GET, path).by(who).send().await
    }

    /// `POST /api/v1/tasks/{id}/restore`.
    pub async fn restore_task(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::POST, format!("/api/v1/tasks/{id}/restore")).by(who).send().await
    }

    /// `DELETE /api/v1/trash/{id}`.
    pub async fn purge(&self, who: &Caller, id: &str) -> Reply {
        self.call(Method::DELETE, format!("/api/v1/trash/{id}")).by(who).send().await
    }

    // --- arranging --------------------------------------------------------------------------

    /// A new project owned by `owner`, with `editor` and `viewer` as members; its id.
    pub async fn new_project(&self) -> String {
        let people = &self.people;
        let body = json!({"name": unique("Project"), "description": "arranged by a test"});
        let project = id_of(&self.create_project(&people.owner, &body).await.expect(201));
        for member in [&people.editor, &people.viewer] {
            self.add_member(&people.owner, &project, &member.id).await.expect(204);
        }
        project
    }

    /// A new task in `project`, created by `editor`, with `extra` members in its body.
    pub async fn new_task(&self, project: &str, extra: &Value) -> Value {
        self.create_task(&self.people.editor, &task_body(project, extra)).await.expect(201)
    }

    /// A new category with a unique name, created by `admin`.
    pub async fn new_category(&self) -> Value {
        let body = json!({"name": unique("Category")});
        self.create_category(&self.people.admin, &body).await.expect(201)
    }

    /// A new account with `role`, registered through the API (and given its role by
    /// `admin`), logged in.
    pub async fn new_user(&self, role: &str) -> Caller {
        let username = unique("user");
        let password = format!("{username}-secret-words");
        let body = json!({"username": username, "password": password});
        let user = self.register(&body).await.expect(201);
        let id = id_of(&user);
        if user["role"] != role {
            self.set_role(&self.people.admin, &id, role).await.expect(200);
        }
        self.logged_in(&username, &password, id).await
    }
}
