//! The contract suite has teeth: deliberately broken task repositories, each wrapping the
//! in-memory one and getting one thing wrong, fail the contract test written for that thing.
//!
//! Each test runs the contract function twice on `tokio::spawn`: against the healthy memory
//! adapter it passes, against the broken wrapper it panics (the panic message printed while
//! these tests run is expected).

use std::cmp::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::id::{ProjectId, TaskId};
use taskforge_domain::model::{EntryDraft, EntryId, Task};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::Version;
use taskforge_memory::MemoryDatabase;
use taskforge_testkit::contract::{task_listing, tasks};
use taskforge_testkit::{Delegating, TaskHooks};

/// What the broken repository gets wrong.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// `update` writes whatever the stored version is, ignoring `expected` (lost updates).
    UpdateIgnoresExpectedVersion,
    /// `insert` stores the task without checking the guards the service passed (a subtask
    /// lands under a parent whose chain changed since the service checked it).
    InsertIgnoresGuards,
    /// `move_tree` moves the task itself and leaves its subtasks behind (cut off from it).
    MoveTreeMovesOnlyTheRoot,
    /// `list` after a cursor compares sort values only, so tasks that tie with the cursor's
    /// value but have a larger id are skipped.
    ListDropsTiesAfterTheCursor,
}

/// Gets the one thing its [`Fault`] names wrong; every other call passes through the kit's
/// [`Delegating`] wrapper unchanged.
#[derive(Debug)]
struct Broken(Fault);

#[async_trait]
impl TaskHooks for Broken {
    async fn insert(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let Fault::InsertIgnoresGuards = self.0 else {
            return inner.insert(task, guards, entry).await;
        };
        inner.insert(task, &TreeGuards::none(), entry).await
    }

    async fn update(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let Fault::UpdateIgnoresExpectedVersion = self.0 else {
            return inner.update(task, expected, guards, entry).await;
        };
        let stored = inner.get(task.id).await?.ok_or(RepositoryError::NotFound(Entity::Task))?;
        inner.update(task, stored.version, guards, entry).await
    }

    async fn move_tree(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        let Fault::MoveTreeMovesOnlyTheRoot = self.0 else {
            return inner.move_tree(id, to, expected, at, entry).await;
        };
        // The store keeps subtrees whole, so the bug has to cut the children off first.
        let children = inner.descendants(id).await?.into_iter().filter(|t| t.parent_id == Some(id));
        for child in children {
            let detached = Task { parent_id: None, version: child.version.next(), ..child.clone() };
            inner.update(&detached, child.version, &TreeGuards::none(), entry).await?;
        }
        inner.move_tree(id, to, expected, at, entry).await
    }

    async fn list(
        &self,
        inner: &dyn TaskRepository,
        query: &TaskQuery,
    ) -> Result<Vec<Task>, RepositoryError> {
        let (Fault::ListDropsTiesAfterTheCursor, Some(cursor)) = (self.0, &query.after) else {
            return inner.list(query).await;
        };
        let everything = TaskQuery { after: None, fetch: usize::MAX, ..query.clone() };
        let sort = query.sort;
        Ok(inner
            .list(&everything)
            .await?
            .into_iter()
            // The bug: the id is left out of the comparison, so ties count as "not after".
            .filter(|t| {
                sort.compare_positions(
                    (&sort.value_of(t), cursor.id()),
                    (cursor.value(), cursor.id()),
                ) == Ordering::Greater
            })
            .take(query.fetch)
            .collect())
    }
}

/// A fresh, correct in-memory store.
fn healthy() -> Repositories {
    MemoryDatabase::new().repositories()
}

/// A fresh in-memory store whose task repository has `fault`.
fn broken(fault: Fault) -> Repositories {
    let repos = healthy();
    Repositories { tasks: Arc::new(Delegating::new(repos.tasks.clone(), Broken(fault))), ..repos }
}

/// Runs `contract` against the healthy store and against one with `fault`, and asserts that
/// it passes the first and fails the second.
async fn assert_catches<F, Fut>(contract: F, fault: Fault)
where
    F: Fn(Repositories) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let passed = tokio::spawn(contract(healthy())).await;
    assert!(passed.is_ok(), "the contract test passes against the memory adapter: {passed:?}");

    let failed = tokio::spawn(contract(broken(fault))).await;

    match failed {
        Ok(()) => panic!("the contract test must fail against {fault:?}, but it passed"),
        Err(error) => assert!(error.is_panic(), "it fails by panicking, got {error:?}"),
    }
}

#[tokio::test]
async fn the_suite_catches_an_update_that_ignores_the_expected_version() {
    assert_catches(
        tasks::updating_with_a_stale_version_is_a_version_conflict,
        Fault::UpdateIgnoresExpectedVersion,
    )
    .await;
}

#[tokio::test]
async fn the_suite_catches_an_insert_that_ignores_its_guards() {
    assert_catches(
        tasks::inserting_with_a_failing_version_guard_is_a_changed_tree,
        Fault::InsertIgnoresGuards,
    )
    .await;
}

#[tokio::test]
async fn the_suite_catches_a_move_that_leaves_the_subtasks_behind() {
    assert_catches(
        tasks::moving_a_task_moves_it_and_all_its_descendants,
        Fault::MoveTreeMovesOnlyTheRoot,
    )
    .await;
}

#[tokio::test]
async fn the_suite_catches_a_cursor_that_skips_ties() {
    assert_catches(
        task_listing::walking_every_page_returns_each_task_once_in_order,
        Fault::ListDropsTiesAfterTheCursor,
    )
    .await;
    assert_catches(
        task_listing::a_page_after_a_concurrent_insert_stays_stable,
        Fault::ListDropsTiesAfterTheCursor,
    )
    .await;
}
