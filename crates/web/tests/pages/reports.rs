//! Reports and user administration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::values::Role;

use crate::support::web_app;

fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().split(['#', '?']).next().unwrap().to_owned()
}

#[actix_web::test]
async fn reports_draw_svg_charts_with_title_desc_and_the_same_numbers_in_tables() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project = id_in(
        app.post(&alice, "/projects", &[("name", "<b>P</b>")]).await.header("location").unwrap(),
    );
    for (title, status) in [("a", "todo"), ("b", "todo"), ("c", "done")] {
        app.post(
            &alice,
            &format!("/projects/{project}/tasks"),
            &[("title", title), ("status", status), ("priority", "urgent")],
        )
        .await
        .expect(303);
    }
    let page = app.get(&alice, "/reports").await;
    page.expect(200);
    assert_eq!(page.body.matches("<svg").count(), 4);
    // Created vs done per week, this week last: three created, one done.
    let created = page.body.split("<desc id=\"created-desc\">").nth(1).unwrap();
    assert!(created.split("</desc>").next().unwrap().ends_with(": 3."), "{created}");
    let done = page.body.split("<desc id=\"done-desc\">").nth(1).unwrap();
    assert!(done.split("</desc>").next().unwrap().ends_with(": 1."), "{done}");
    assert!(page.body.contains("<title id=\"status-title\">Tasks by status</title>"));
    assert!(page.body.contains("To do: 2, In progress: 0, Done: 1"), "{}", page.body);
    assert!(page.body.contains("low: 0, medium: 0, high: 0, urgent: 3"));
    assert!(page.body.contains("aria-labelledby=\"status-title status-desc\""));
    // The longest bar is the full width; the table repeats the numbers.
    assert!(page.body.contains("width=\"240\" height=\"20\""));
    assert!(page.body.contains("<td>2</td><td>0</td><td>1</td>"));
    assert!(!page.body.contains("<b>P</b>"), "project names are text");
    assert!(!page.body.contains(" style="));
}

#[actix_web::test]
async fn only_admins_manage_roles_and_a_new_role_applies_from_the_next_login() {
    let app = web_app().await;
    app.account("root", Role::Admin).await;
    let bob_id = app.account("bob", Role::Editor).await;
    let root = app.login("root").await;
    let bob = app.login("bob").await;
    let page = app.get(&bob, "/admin/users").await;
    page.expect(403);
    assert!(page.body.contains("<h1>Not allowed</h1>"));
    app.post(&bob, &format!("/admin/users/{bob_id}/role"), &[("role", "admin")]).await.expect(403);
    let users = app.get(&root, "/admin/users").await;
    users.expect(200);
    assert!(users.body.contains("Role of bob"));
    app.post(&root, &format!("/admin/users/{bob_id}/role"), &[("role", "viewer")])
        .await
        .expect_redirect("/admin/users");
    // Bob's session ended with the change; logged in again, he is a viewer.
    app.get(&bob, "/projects").await.expect_redirect("/login");
    let bob = app.login("bob").await;
    assert!(app.get(&bob, "/projects").await.body.contains("(viewer)"));
    let root_id = root.user_id.unwrap();
    let last =
        app.post(&root, &format!("/admin/users/{root_id}/role"), &[("role", "editor")]).await;
    last.expect(409);
    assert!(last.body.contains("last admin"));
}
