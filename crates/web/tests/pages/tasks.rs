//! Projects and tasks: list, filters, keyset paging, board, create, edit with a version,
//! conflict, move, delete, and the access policy of the API on every page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::Actor;
use taskforge_domain::commands::CreateTask;
use taskforge_domain::values::{Role, Status, TaskTitle};
use taskforge_domain::{ProjectId, TaskId};

use crate::support::{Browser, web_app};

const XSS: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>{{ 7*7 }}";

/// The new id at the end of a `Location` such as `/projects/{id}` (before any `#`).
fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().split(['#', '?']).next().unwrap().to_owned()
}

#[actix_web::test]
async fn an_editor_creates_a_project_and_a_task_and_sees_them_as_text() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let created = app.post(&alice, "/projects", &[("name", XSS)]).await;
    created.expect(303);
    let project = id_in(created.header("location").unwrap());
    let page = app.get(&alice, &format!("/projects/{project}")).await;
    page.expect(200);
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(!page.body.contains("<img src=x"));
    assert!(
        page.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.body.contains("&lt;script&gt;")
    );
    assert!(page.body.contains("{{ 7*7 }}"), "template syntax is shown, not evaluated");

    let task = app
        .post(
            &alice,
            &format!("/projects/{project}/tasks"),
            &[
                ("title", XSS),
                ("description", "javascript:alert(3)"),
                ("status", "in_progress"),
                ("priority", "high"),
                ("due_date", "2030-01-31"),
                ("labels", "web, ui"),
                ("is_public", "false"),
            ],
        )
        .await;
    task.expect(303);
    let list = app.get(&alice, &format!("/projects/{project}")).await;
    assert!(list.body.contains("In progress") && list.body.contains("2030-01-31"));
    assert!(list.body.contains("<span>web</span>") && list.body.contains("<span>ui</span>"));
    assert!(!list.body.contains("<script>alert(1)"));
    assert!(!list.body.contains("href=\"javascript:"));
    // The projects page lists it, escaped too.
    let projects = app.get(&alice, "/projects").await;
    assert!(projects.body.contains(&format!("href=\"/projects/{project}\"")));
    assert!(!projects.body.contains("<script>alert(1)"));
}

#[actix_web::test]
async fn an_invalid_task_field_re_shows_the_form_with_a_message_beside_it() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let reply = app
        .post(
            &alice,
            &format!("/projects/{project}/tasks"),
            &[("title", "ok"), ("due_date", "someday"), ("labels", "bad label!")],
        )
        .await;
    reply.expect(422);
    assert!(reply.body.contains("id=\"due_date-error\""), "{}", reply.body);
    assert!(reply.body.contains("id=\"labels-error\""));
    assert!(reply.body.contains("value=\"someday\""), "typed values are kept");
    let empty = app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "  ")]).await;
    empty.expect(422);
    assert!(empty.body.contains("id=\"title-error\""));
    let bad_name = app.post(&alice, "/projects", &[("name", "")]).await;
    bad_name.expect(422);
    assert!(bad_name.body.contains("id=\"name-error\""));
}

#[actix_web::test]
async fn the_list_filters_with_the_api_parameters_and_pages_by_cursor() {
    let app = web_app().await;
    let alice_id = app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let project_id: ProjectId = project.parse().unwrap();
    let actor = Actor::new(alice_id, Role::Editor);
    for n in 0..55 {
        let mut cmd =
            CreateTask::new(project_id, TaskTitle::parse(&format!("task {n:02}")).unwrap());
        if n % 5 == 0 {
            cmd.status = Some(Status::Done);
        }
        app.state.services.tasks.create(&actor, cmd).await.unwrap();
    }
    let first = app.get(&alice, &format!("/projects/{project}?sort=title")).await;
    first.expect(200);
    assert_eq!(first.body.matches("<tr id=\"task-").count(), 50);
    assert!(first.body.contains("task 00") && !first.body.contains("task 50"));
    let at = first.body.find("rel=\"next\"").expect("a next link");
    let start = first.body[..at].rfind("href=\"").unwrap() + 6;
    let href =
        first.body[start..].split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
    assert!(href.contains("sort=title") && href.contains("cursor="), "{href}");
    let second = app.get(&alice, &href).await;
    second.expect(200);
    assert_eq!(second.body.matches("<tr id=\"task-").count(), 5);
    assert!(second.body.contains("task 54") && !second.body.contains("task 00<"));
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second.body.contains("First page"));

    let done = app.get(&alice, &format!("/projects/{project}?status=done")).await;
    assert_eq!(done.body.matches("<tr id=\"task-").count(), 11);
    // Several statuses, as the API's listing takes them.
    let both = app.get(&alice, &format!("/projects/{project}?status=todo,done&sort=title")).await;
    assert_eq!(both.body.matches("<tr id=\"task-").count(), 50);
    let searched = app.get(&alice, &format!("/projects/{project}?q=task+1")).await;
    assert_eq!(searched.body.matches("<tr id=\"task-").count(), 10);
    app.get(&alice, &format!("/projects/{project}?status=nope")).await.expect(400);
    app.get(&alice, &format!("/projects/{project}?cursor=forged")).await.expect(400);

    let board = app.get(&alice, &format!("/projects/{project}?view=board")).await;
    assert!(
        board.body.contains("<h2 id=\"col-done\">Done (10)</h2>"),
        "the first page of 50, by status"
    );
    assert!(board.body.contains("action=\"/tasks/"));
}

#[actix_web::test]
async fn editing_with_the_current_version_saves_and_a_stale_version_shows_a_conflict() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "First")]).await;
    let project_id: ProjectId = project.parse().unwrap();
    let task = app
        .state
        .services
        .tasks
        .list(
            &Actor::new(alice.user_id.unwrap(), Role::Editor),
            taskforge_domain::query::ListTasks {
                filter: taskforge_domain::query::TaskFilter {
                    project_id: Some(project_id),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items[0]
        .id;
    assert!(created.header("location").unwrap().contains(&task.to_string()));
    let page = app.get(&alice, &format!("/tasks/{task}")).await;
    page.expect(200);
    assert!(page.body.contains("name=\"version\" value=\"1\""));
    // htmx saves it in place; without JavaScript the same form posts and redirects.
    assert!(page.body.contains(&format!("hx-post=\"/tasks/{task}\" hx-target=\"#main\"")));

    let path = format!("/tasks/{task}");
    app.post(&alice, &path, &[("version", "1"), ("title", "Second"), ("is_public", "false")])
        .await
        .expect_redirect(&path);
    // A form still showing version 1 comes back.
    let stale = app.post(&alice, &path, &[("version", "1"), ("title", "Overwrite")]).await;
    stale.expect(409);
    assert!(stale.body.contains("id=\"conflict\""));
    assert!(stale.body.contains("value=\"Second\""), "the current values are shown");
    assert!(stale.body.contains("name=\"version\" value=\"2\""));
    let stored = app
        .state
        .services
        .tasks
        .get(&Actor::new(alice.user_id.unwrap(), Role::Editor), task)
        .await
        .unwrap();
    assert_eq!(stored.title.as_str(), "Second", "nothing was overwritten");
    // Without a version, nothing is written either.
    app.post(&alice, &path, &[("title", "No version")]).await.expect(422);
}

#[actix_web::test]
async fn moving_on_the_board_and_deleting_work_with_plain_forms() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "Card")]).await;
    let task = created.header("location").unwrap().rsplit("#task-").next().unwrap().to_owned();
    let moved = app
        .post(
            &alice,
            &format!("/tasks/{task}/move"),
            &[("version", "1"), ("status", "done"), ("view", "board")],
        )
        .await;
    moved.expect_redirect(&format!("/projects/{project}?view=board#task-{task}"));
    let board = app.get(&alice, &format!("/projects/{project}?view=board")).await;
    let done = board.body.find("id=\"col-done\"").unwrap();
    assert!(board.body[done..].contains(&format!("id=\"task-{task}\"")));
    // A stale move is a conflict, not a silent overwrite.
    app.post(&alice, &format!("/tasks/{task}/move"), &[("version", "1"), ("status", "todo")])
        .await
        .expect(409);

    let subtask = app
        .post(
            &alice,
            &format!("/projects/{project}/tasks"),
            &[("title", "Sub"), ("parent_id", &task)],
        )
        .await;
    subtask.expect_redirect(&format!("/tasks/{task}"));
    assert!(app.get(&alice, &format!("/tasks/{task}")).await.body.contains(">Sub</a>"));

    app.post(&alice, &format!("/tasks/{task}/delete"), &[("version", "2")])
        .await
        .expect_redirect(&format!("/projects/{project}"));
    app.get(&alice, &format!("/tasks/{task}")).await.expect(404);
}

#[actix_web::test]
async fn a_viewer_sees_no_edit_controls_and_is_refused_when_posting_anyway() {
    let app = web_app().await;
    let alice_id = app.account("alice", Role::Editor).await;
    let bob_id = app.account("bob", Role::Viewer).await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let project_id: ProjectId = project.parse().unwrap();
    app.state
        .services
        .projects
        .add_member(&Actor::new(alice_id, Role::Editor), project_id, bob_id)
        .await
        .unwrap();
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "Card")]).await;
    let task = created.header("location").unwrap().rsplit("#task-").next().unwrap().to_owned();

    let projects = app.get(&bob, "/projects").await;
    assert!(!projects.body.contains("action=\"/projects\""), "no create form for a viewer");
    for path in [
        format!("/projects/{project}"),
        format!("/projects/{project}?view=board"),
        format!("/tasks/{task}"),
    ] {
        let page = app.get(&bob, &path).await;
        page.expect(200);
        assert!(!page.body.contains("action=\"/tasks/"), "{path}: no edit controls");
        assert!(!page.body.contains(&format!("action=\"/projects/{project}/tasks\"")), "{path}");
    }
    app.post(&bob, &format!("/tasks/{task}"), &[("version", "1"), ("title", "Mine")])
        .await
        .expect(403);
    app.post(&bob, &format!("/tasks/{task}/move"), &[("version", "1"), ("status", "done")])
        .await
        .expect(403);
    app.post(&bob, &format!("/tasks/{task}/delete"), &[("version", "1")]).await.expect(403);
    app.post(&bob, &format!("/projects/{project}/tasks"), &[("title", "New")]).await.expect(403);
    app.post(&bob, "/projects", &[("name", "Mine")]).await.expect(403);
    let stored = app
        .state
        .services
        .tasks
        .get(&Actor::new(alice_id, Role::Editor), task.parse::<TaskId>().unwrap())
        .await
        .unwrap();
    assert_eq!((stored.title.as_str(), stored.version.get()), ("Card", 1));
}

#[actix_web::test]
async fn an_outsider_gets_404_pages_for_a_project_and_its_tasks() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    app.account("carol", Role::Editor).await;
    let alice = app.login("alice").await;
    let carol = app.login("carol").await;
    let project = id_in(
        app.post(&alice, "/projects", &[("name", "Secret")]).await.header("location").unwrap(),
    );
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "Hidden")]).await;
    let task = created.header("location").unwrap().rsplit("#task-").next().unwrap().to_owned();
    for path in [
        format!("/projects/{project}"),
        format!("/tasks/{task}"),
        String::from("/tasks/not-a-uuid"),
    ] {
        let page = app.get(&carol, &path).await;
        page.expect(404);
        assert!(page.body.contains("<h1>Page not found</h1>"), "{path}");
        assert!(!page.body.contains("Secret") && !page.body.contains("Hidden"));
    }
    app.post(&carol, &format!("/tasks/{task}"), &[("version", "1"), ("title", "x")])
        .await
        .expect(404);
    app.post(&carol, &format!("/projects/{project}/tasks"), &[("title", "x")]).await.expect(404);
    assert!(!app.get(&carol, "/projects").await.body.contains("Secret"));
    // Anonymous people are sent to log in.
    app.get(&Browser::default(), &format!("/projects/{project}")).await.expect_redirect("/login");
}

#[actix_web::test]
async fn a_change_without_the_csrf_token_or_from_another_site_is_refused_and_changes_nothing() {
    let app = web_app().await;
    let alice_id = app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "Card")]).await;
    let task = created.header("location").unwrap().rsplit("#task-").next().unwrap().to_owned();
    let path = format!("/tasks/{task}");
    let fields = [("version", "1"), ("title", "Forged")];
    app.post_raw(&alice, &path, &fields, &[]).await.expect(403);
    let wrong = [("csrf_token", "f00d"), ("version", "1"), ("title", "Forged")];
    app.post_raw(&alice, &path, &wrong, &[]).await.expect(403);
    let right = [("csrf_token", alice.csrf.as_str()), ("version", "1"), ("title", "Forged")];
    app.post_raw(&alice, &path, &right, &[("origin", "https://evil.example")]).await.expect(403);
    app.post_raw(&alice, &path, &right, &[("sec-fetch-site", "cross-site")]).await.expect(403);
    let only = [("version", "1"), ("title", "Forged")];
    app.post_raw(&alice, &path, &only, &[("x-csrf-token", "nope")]).await.expect(403);
    let stored = app
        .state
        .services
        .tasks
        .get(&Actor::new(alice_id, Role::Editor), task.parse::<TaskId>().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.title.as_str(), "Card");
    // The header form of the token (htmx) is accepted.
    app.post_raw(&alice, &path, &only, &[("x-csrf-token", &alice.csrf)])
        .await
        .expect_redirect(&path);
}

#[actix_web::test]
async fn the_task_page_shows_who_changed_what_and_when() {
    let app = web_app().await;
    app.account("alice", Role::Editor).await;
    let alice = app.login("alice").await;
    let project =
        id_in(app.post(&alice, "/projects", &[("name", "P")]).await.header("location").unwrap());
    let created =
        app.post(&alice, &format!("/projects/{project}/tasks"), &[("title", "First")]).await;
    let location = created.header("location").unwrap().to_owned();
    let task = location.split("#task-").nth(1).expect("the new task's anchor");
    let path = format!("/tasks/{task}");
    app.post(
        &alice,
        &path,
        &[("version", "1"), ("title", "<b>Second</b>"), ("is_public", "false")],
    )
    .await
    .expect_redirect(&path);
    // Act
    let page = app.get(&alice, &path).await;
    // Assert: newest first, named, with the values before and after, escaped.
    page.expect(200);
    let history = &page.body[page.body.find("id=\"history\"").expect("a history section")..];
    let changed = history.find("alice changed").expect("the change, by alice");
    let created = history.find("alice created it").expect("the creation, by alice");
    assert!(changed < created, "newest first");
    assert!(
        history.contains("title</span>: First → &#60;b&#62;Second&#60;/b&#62;")
            || history.contains("title</span>: First → &lt;b&gt;Second&lt;/b&gt;"),
        "{history}"
    );
    assert!(history.contains("<time datetime=\""));
}
