//! The export streams: the first chunk reaches the client while most pages are still unread,
//! and each further page is read only when the client takes the previous chunk.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use async_trait::async_trait;
use taskforge_domain::ports::{RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::services::EXPORT_PAGE_SIZE;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Description, Labels, Priority, Status, TaskTitle, Version};
use taskforge_domain::{Project, ProjectId, Task, TaskId};
use taskforge_http::{HttpSettings, build_app};
use taskforge_memory::MemoryDatabase;
use taskforge_testkit::{Delegating, TaskHooks};

use crate::support::{seed_people, state, with_auth};

/// Counts the pages `list` serves; every other call passes through unchanged.
#[derive(Debug)]
struct CountingPages(Arc<AtomicUsize>);

#[async_trait]
impl TaskHooks for CountingPages {
    async fn list(
        &self,
        inner: &dyn TaskRepository,
        query: &TaskQuery,
    ) -> Result<Vec<Task>, RepositoryError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        inner.list(query).await
    }
}

#[actix_web::test]
async fn the_first_chunk_arrives_before_the_last_page_is_read() {
    // Arrange: 2,000 tasks, four pages of 500.
    let mut repos = MemoryDatabase::new().repositories();
    let people = seed_people(&repos).await;
    let at = Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap();
    let project = Project {
        id: ProjectId::new(),
        name: taskforge_domain::values::ProjectName::parse("Big").unwrap(),
        description: taskforge_domain::values::ProjectDescription::empty(),
        owner_id: people.editor,
        created_at: at,
    };
    repos
        .projects
        .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
        .await
        .unwrap();
    const TASKS: usize = 2_000;
    for i in 0..TASKS {
        let task = Task {
            id: TaskId::new(),
            project_id: project.id,
            title: TaskTitle::parse(&format!("Task {i}")).unwrap(),
            description: Description::empty(),
            status: Status::Todo,
            priority: Priority::Medium,
            category_id: None,
            assignee_id: None,
            labels: Labels::none(),
            due_date: None,
            parent_id: None,
            is_public: false,
            created_by: people.editor,
            created_at: at,
            updated_at: at,
            version: Version::FIRST,
        };
        repos
            .tasks
            .insert(&task, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&task))
            .await
            .unwrap();
    }
    let pages = Arc::new(AtomicUsize::new(0));
    repos.tasks = Arc::new(Delegating::new(repos.tasks.clone(), CountingPages(pages.clone())));
    let service = test::init_service(build_app(state(&repos), HttpSettings::default())).await;
    let total_pages = TASKS.div_ceil(EXPORT_PAGE_SIZE);

    // Act: start the export and take only its first chunk.
    let req =
        with_auth(TestRequest::get().uri("/api/v1/tasks/export?format=csv"), Some(people.editor));
    let response = test::call_service(&service, req.to_request()).await;
    assert_eq!(response.status(), 200);
    let mut body = std::pin::pin!(response.into_body());
    let first = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await.unwrap();
    let Ok(first) = first else { panic!("the first chunk failed") };
    let read_at_first_chunk = pages.load(Ordering::SeqCst);

    // Assert: one page read when the first bytes arrived, of four.
    assert!(first.starts_with(b"id,project_id,title,"), "the first chunk holds the header");
    assert_eq!(read_at_first_chunk, 1, "only the first page was read for the first chunk");
    let mut chunks = 1;
    let mut lines = first.iter().filter(|b| **b == b'\n').count();
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let Ok(chunk) = chunk else { panic!("a chunk failed") };
        chunks += 1;
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        assert!(pages.load(Ordering::SeqCst) <= chunks, "a page is read only for its chunk");
    }
    assert_eq!(lines, TASKS + 1, "every task, and the header");
    assert_eq!(pages.load(Ordering::SeqCst), total_pages, "each page read once, no extra read");
    println!(
        "export of {TASKS} tasks: first chunk after {read_at_first_chunk} of {total_pages} pages, {chunks} chunks"
    );
}
