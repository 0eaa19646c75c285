//! One pass-through [`TaskRepository`] wrapper for tests that need to watch or disturb the
//! calls a service makes: count pages, let a rival write first, or break one rule on purpose.
//! Before the kit, each such test wrote its own eight-method wrapper; a change to the port
//! then meant editing every copy.

use std::fmt::Debug;
use std::ops::Deref;
use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::id::{ProjectId, TaskId};
use taskforge_domain::model::{EntryDraft, EntryId, Task};
use taskforge_domain::ports::{RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::Version;

/// What a [`Delegating`] repository does on each call. Every method receives the wrapped
/// repository and, by default, forwards the call to it unchanged; override only the calls a
/// test cares about.
#[async_trait]
pub trait TaskHooks: Send + Sync + Debug {
    /// [`TaskRepository::insert`]; forwards by default.
    async fn insert(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        inner.insert(task, guards, entry).await
    }

    /// [`TaskRepository::get`]; forwards by default.
    async fn get(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
    ) -> Result<Option<Task>, RepositoryError> {
        inner.get(id).await
    }

    /// [`TaskRepository::ancestors`]; forwards by default.
    async fn ancestors(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
    ) -> Result<Vec<Task>, RepositoryError> {
        inner.ancestors(id).await
    }

    /// [`TaskRepository::descendants`]; forwards by default.
    async fn descendants(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
    ) -> Result<Vec<Task>, RepositoryError> {
        inner.descendants(id).await
    }

    /// [`TaskRepository::update`]; forwards by default.
    async fn update(
        &self,
        inner: &dyn TaskRepository,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        inner.update(task, expected, guards, entry).await
    }

    /// [`TaskRepository::delete`]; forwards by default.
    async fn delete(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        inner.delete(id, entry).await
    }

    /// [`TaskRepository::move_tree`]; forwards by default.
    async fn move_tree(
        &self,
        inner: &dyn TaskRepository,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        inner.move_tree(id, to, expected, at, entry).await
    }

    /// [`TaskRepository::list`]; forwards by default.
    async fn list(
        &self,
        inner: &dyn TaskRepository,
        query: &TaskQuery,
    ) -> Result<Vec<Task>, RepositoryError> {
        inner.list(query).await
    }
}

/// A [`TaskRepository`] that hands every call to its [`TaskHooks`] together with the wrapped
/// repository. With hooks that override nothing it behaves exactly like the wrapped one.
///
/// It dereferences to the hooks, so a test reaches the hooks' own controls (a counter, an
/// "arm the rival" switch) through the wrapper it installed.
///
/// ```ignore
/// #[derive(Debug, Default)]
/// struct CountPages(AtomicUsize);
///
/// #[async_trait]
/// impl TaskHooks for CountPages {
///     async fn list(&self, inner: &dyn TaskRepository, q: &TaskQuery)
///         -> Result<Vec<Task>, RepositoryError> {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         inner.list(q).await
///     }
/// }
///
/// let counting = Arc::new(Delegating::new(repos.tasks.clone(), CountPages::default()));
/// repos.tasks = counting.clone();
/// ```
#[derive(Debug)]
pub struct Delegating<H> {
    inner: Arc<dyn TaskRepository>,
    hooks: H,
}

impl<H> Delegating<H> {
    /// Wraps `inner`, sending each call through `hooks`.
    pub fn new(inner: Arc<dyn TaskRepository>, hooks: H) -> Self {
        Self { inner, hooks }
    }

    /// The hooks.
    pub fn hooks(&self) -> &H {
        &self.hooks
    }

    /// The wrapped repository, to reach the store without going through the hooks.
    pub fn inner(&self) -> &Arc<dyn TaskRepository> {
        &self.inner
    }
}

impl<H> Deref for Delegating<H> {
    type Target = H;

    fn deref(&self) -> &H {
        &self.hooks
    }
}

#[async_trait]
impl<H: TaskHooks> TaskRepository for Delegating<H> {
    async fn insert(
        &self,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        self.hooks.insert(&*self.inner, task, guards, entry).await
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, RepositoryError> {
        self.hooks.get(&*self.inner, id).await
    }

    async fn ancestors(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        self.hooks.ancestors(&*self.inner, id).await
    }

    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        self.hooks.descendants(&*self.inner, id).await
    }

    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        self.hooks.update(&*self.inner, task, expected, guards, entry).await
    }

    async fn delete(
        &self,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        self.hooks.delete(&*self.inner, id, entry).await
    }

    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        self.hooks.move_tree(&*self.inner, id, to, expected, at, entry).await
    }

    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError> {
        self.hooks.list(&*self.inner, query).await
    }
}
