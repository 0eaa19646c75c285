//! The project repository and membership.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Entity, ProjectRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{ProjectDescription, ProjectName, Username};
use taskforge_domain::{Project, ProjectId, ProjectMember, TaskId, UserId};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::codec::{get, timestamp};
use crate::database::Inner;
use crate::error::{corrupt, map_err};
use crate::history::record;
use crate::retry::on_contention;
use crate::statements::{exec, exec_raw, exists, opt, rows, violated_constraint};
use crate::users::user_exists;

/// [`ProjectRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgProjects {
    db: Arc<Inner>,
}

impl PgProjects {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::Project, e)
}

fn project_from_row(row: &Row) -> Result<Project, RepositoryError> {
    let name: &str = get(row, 1)?;
    let description: &str = get(row, 2)?;
    Ok(Project {
        id: ProjectId::from_uuid(get(row, 0)?),
        name: ProjectName::parse(name).map_err(|e| corrupt("project name", e))?,
        description: ProjectDescription::parse(description)
            .map_err(|e| corrupt("project description", e))?,
        owner_id: UserId::from_uuid(get(row, 3)?),
        created_at: timestamp(row, 4)?,
    })
}

/// True when project `id` exists; inside a write, the row is locked against deletion
/// (`FOR KEY SHARE`) until the transaction ends.
pub(crate) async fn project_exists<C: GenericClient>(
    client: &C,
    id: ProjectId,
) -> Result<bool, RepositoryError> {
    exists(
        client,
        Entity::Project,
        "SELECT 1 FROM projects WHERE id = $1 FOR KEY SHARE",
        &[id.as_uuid()],
    )
    .await
}

/// True when `user` is a member of `project`; inside a write, the membership is locked
/// (`FOR SHARE`) until the transaction ends, so a removal waits for the write that relied on
/// it and then un-assigns what it assigned.
pub(crate) async fn member_exists<C: GenericClient>(
    client: &C,
    project: ProjectId,
    user: UserId,
) -> Result<bool, RepositoryError> {
    exists(
        client,
        Entity::Member,
        "SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2 FOR SHARE",
        &[project.as_uuid(), user.as_uuid()],
    )
    .await
}

#[async_trait]
impl ProjectRepository for PgProjects {
    async fn insert(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            if !user_exists(&tx, project.owner_id).await? {
                return Err(RepositoryError::MissingReference(Entity::User));
            }
            let inserted = exec(
                &tx,
                Entity::Project,
                "INSERT INTO projects (id, name, description, owner_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                &[
                    project.id.as_uuid(),
                    &project.name.as_str(),
                    &project.description.as_str(),
                    project.owner_id.as_uuid(),
                    &project.created_at.unix_micros(),
                ],
            )
            .await?;
            if inserted == 0 {
                return Err(RepositoryError::Duplicate(Entity::Project));
            }
            exec(
                &tx,
                Entity::Member,
                "INSERT INTO project_members (project_id, user_id, added_at) VALUES ($1, $2, $3)",
                &[
                    project.id.as_uuid(),
                    project.owner_id.as_uuid(),
                    &project.created_at.unix_micros(),
                ],
            )
            .await?;
            // Last before COMMIT: see `record`.
            let entry = record(&tx, entry).await?;
            tx.commit().await.map_err(err)?;
            Ok(entry)
        })
        .await
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::Project,
            "SELECT id, name, description, owner_id, created_at FROM projects WHERE id = $1",
            &[id.as_uuid()],
        )
        .await?
        .as_ref()
        .map(project_from_row)
        .transpose()
    }

    async fn list(
        &self,
        visibility: Visibility,
        after: Option<ProjectId>,
        limit: usize,
    ) -> Result<Vec<Project>, RepositoryError> {
        // The nil UUID sorts before every UUIDv7: "from the start".
        let after: Uuid = after.map_or(Uuid::nil(), |p| *p.as_uuid());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.db.client().await?;
        let found = match visibility {
            Visibility::All => {
                rows(
                    &client,
                    Entity::Project,
                    "SELECT id, name, description, owner_id, created_at FROM projects \
                     WHERE id > $1 ORDER BY id LIMIT $2",
                    &[&after, &limit],
                )
                .await?
            }
            Visibility::MemberOrPublic(user) => {
                rows(
                    &client,
                    Entity::Project,
                    "SELECT p.id, p.name, p.description, p.owner_id, p.created_at \
                     FROM project_members m JOIN projects p ON p.id = m.project_id \
                     WHERE m.user_id = $1 AND m.project_id > $2 \
                     ORDER BY m.project_id LIMIT $3",
                    &[user.as_uuid(), &after, &limit],
                )
                .await?
            }
        };
        found.iter().map(project_from_row).collect()
    }

    async fn update(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            if !exists(
                &tx,
                Entity::Project,
                "SELECT 1 FROM projects WHERE id = $1 FOR UPDATE",
                &[project.id.as_uuid()],
            )
            .await?
            {
                return Err(RepositoryError::NotFound(Entity::Project));
            }
            if !user_exists(&tx, project.owner_id).await? {
                return Err(RepositoryError::MissingReference(Entity::User));
            }
            exec(
                &tx,
                Entity::Project,
                "UPDATE projects SET name = $1, description = $2, owner_id = $3 WHERE id = $4",
                &[
                    &project.name.as_str(),
                    &project.description.as_str(),
                    project.owner_id.as_uuid(),
                    project.id.as_uuid(),
                ],
            )
            .await?;
            let entry = record(&tx, entry).await?;
            tx.commit().await.map_err(err)?;
            Ok(entry)
        })
        .await
    }

    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        // Tasks, labels and memberships follow by cascade, in the same statement.
        let deleted =
            exec(&client, Entity::Project, "DELETE FROM projects WHERE id = $1", &[id.as_uuid()])
                .await?;
        if deleted == 0 {
            return Err(RepositoryError::NotFound(Entity::Project));
        }
        Ok(())
    }

    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError> {
        let client = self.db.client().await?;
        exists(
            &client,
            Entity::Member,
            "SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2",
            &[project.as_uuid(), user.as_uuid()],
        )
        .await
    }

    async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError> {
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::Member,
            "SELECT m.user_id, u.username, m.added_at \
             FROM project_members m JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = $1 ORDER BY u.username",
            &[project.as_uuid()],
        )
        .await?;
        found
            .iter()
            .map(|row| {
                let username: &str = get(row, 1)?;
                Ok(ProjectMember {
                    user_id: UserId::from_uuid(get(row, 0)?),
                    username: Username::parse(username).map_err(|e| corrupt("username", e))?,
                    added_at: timestamp(row, 2)?,
                })
            })
            .collect()
    }

    async fn add_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            if !project_exists(&tx, project).await? {
                return Err(RepositoryError::NotFound(Entity::Project));
            }
            if !user_exists(&tx, user).await? {
                return Err(RepositoryError::MissingReference(Entity::User));
            }
            let added = exec_raw(
                &tx,
                "INSERT INTO project_members (project_id, user_id, added_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[project.as_uuid(), user.as_uuid(), &at.unix_micros()],
            )
            .await
            .map_err(|e| {
                if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION)
                    && violated_constraint(&e) == Some("project_members_project_id_fkey")
                {
                    RepositoryError::NotFound(Entity::Project)
                } else if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
                    RepositoryError::MissingReference(Entity::User)
                } else {
                    map_err(Entity::Member, e)
                }
            })?;
            tx.commit().await.map_err(err)?;
            Ok(added == 1)
        })
        .await
    }

    async fn remove_member(
        &self,
        project: ProjectId,
        user: UserId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            if !project_exists(&tx, project).await? {
                return Err(RepositoryError::NotFound(Entity::Project));
            }
            // The delete locks the membership: a task write that checked it (FOR SHARE) finishes
            // first, and the un-assignment below, a later statement, then sees what it wrote.
            let removed = exec(
                &tx,
                Entity::Member,
                "DELETE FROM project_members WHERE project_id = $1 AND user_id = $2",
                &[project.as_uuid(), user.as_uuid()],
            )
            .await?;
            if removed == 0 {
                return Ok(false);
            }
            let found = rows(
                &tx,
                Entity::Task,
                "UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = $1 \
                 WHERE project_id = $2 AND assignee_id = $3 RETURNING id",
                &[&at.unix_micros(), project.as_uuid(), user.as_uuid()],
            )
            .await?;
            let mut cleared = Vec::with_capacity(found.len());
            for row in &found {
                cleared.push(TaskId::from_uuid(get(row, 0)?));
            }
            cleared.sort_unstable();
            for task in cleared {
                record(&tx, &EntryDraft::assignee_cleared(task, project, user, actor, at)).await?;
            }
            tx.commit().await.map_err(err)?;
            Ok(true)
        })
        .await
    }
}
