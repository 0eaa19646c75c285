use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Entity, ProjectRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{ProjectDescription, ProjectName, Username};
use taskforge_domain::{Project, ProjectId, ProjectMember, TaskId, UserId};

use crate::codec::{bytes16, timestamp};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};
use crate::history::record;
use crate::users::user_exists;

/// [`ProjectRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteProjects {
    db: Arc<Connections>,
}

impl SqliteProjects {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Project, e)
}

fn project_from_row(row: &Row<'_>) -> rusqlite::Result<Project> {
    let name: String = row.get(1)?;
    let description: String = row.get(2)?;
    Ok(Project {
        id: ProjectId::from_bytes(bytes16(row, 0)?),
        name: ProjectName::parse(&name).map_err(|e| corrupt("project name", e))?,
        description: ProjectDescription::parse(&description)
            .map_err(|e| corrupt("project description", e))?,
        owner_id: UserId::from_bytes(bytes16(row, 3)?),
        created_at: timestamp(row, 4)?,
    })
}

pub(crate) fn project_exists(conn: &Connection, id: ProjectId) -> Result<bool, RepositoryError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM projects WHERE id = ?)")
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)
}

/// True when `user` is a member of `project`.
pub(crate) fn member_exists(
    conn: &Connection,
    project: ProjectId,
    user: UserId,
) -> Result<bool, RepositoryError> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM project_members WHERE project_id = ? AND user_id = ?)",
    )
    .and_then(|mut s| s.query_row(params![project.to_bytes(), user.to_bytes()], |r| r.get(0)))
    .map_err(err)
}

#[async_trait]
impl ProjectRepository for SqliteProjects {
    async fn insert(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let project = project.clone();
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                if project_exists(conn, project.id)? {
                    return Err(RepositoryError::Duplicate(Entity::Project));
                }
                if !user_exists(conn, project.owner_id)? {
                    return Err(RepositoryError::MissingReference(Entity::User));
                }
                conn.prepare_cached(
                    "INSERT INTO projects (id, name, description, owner_id, created_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        project.id.to_bytes(),
                        project.name.as_str(),
                        project.description.as_str(),
                        project.owner_id.to_bytes(),
                        project.created_at.unix_micros(),
                    ])
                })
                .map_err(err)?;
                conn.prepare_cached(
                    "INSERT INTO project_members (project_id, user_id, added_at) VALUES (?, ?, ?)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        project.id.to_bytes(),
                        project.owner_id.to_bytes(),
                        project.created_at.unix_micros(),
                    ])
                })
                .map_err(err)?;
                record(conn, &entry)
            })
            .await
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT id, name, description, owner_id, created_at FROM projects WHERE id = ?",
                )
                .and_then(|mut s| s.query_row([id.to_bytes()], project_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn list(
        &self,
        visibility: Visibility,
        after: Option<ProjectId>,
        limit: usize,
    ) -> Result<Vec<Project>, RepositoryError> {
        // An empty blob sorts before every 16-byte id: "after nothing" is "from the start".
        let after: Vec<u8> = after.map(|p| p.to_bytes().to_vec()).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db
            .read(move |conn| {
                match visibility {
                    Visibility::All => conn
                        .prepare_cached(
                            "SELECT id, name, description, owner_id, created_at FROM projects \
                             WHERE id > ? ORDER BY id LIMIT ?",
                        )
                        .and_then(|mut s| {
                            s.query_map(params![after, limit], project_from_row)?.collect()
                        }),
                    Visibility::MemberOrPublic(user) => conn
                        .prepare_cached(
                            "SELECT p.id, p.name, p.description, p.owner_id, p.created_at \
                             FROM project_members m JOIN projects p ON p.id = m.project_id \
                             WHERE m.user_id = ? AND m.project_id > ? \
                             ORDER BY m.project_id LIMIT ?",
                        )
                        .and_then(|mut s| {
                            s.query_map(params![user.to_bytes(), after, limit], project_from_row)?
                                .collect()
                        }),
                }
                .map_err(err)
            })
            .await
    }

    async fn update(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let project = project.clone();
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                if !project_exists(conn, project.id)? {
                    return Err(RepositoryError::NotFound(Entity::Project));
                }
                if !user_exists(conn, project.owner_id)? {
                    return Err(RepositoryError::MissingReference(Entity::User));
                }
                conn.prepare_cached(
                    "UPDATE projects SET name = ?, description = ?, owner_id = ? WHERE id = ?",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        project.name.as_str(),
                        project.description.as_str(),
                        project.owner_id.to_bytes(),
                        project.id.to_bytes(),
                    ])
                })
                .map_err(err)?;
                record(conn, &entry)
            })
            .await
    }

    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
        self.db
            .write(move |conn| {
                // Tasks (with their labels and subtasks) and memberships go by ON DELETE CASCADE,
                // in this statement, so the whole deletion is atomic.
                let deleted = conn
                    .prepare_cached("DELETE FROM projects WHERE id = ?")
                    .and_then(|mut s| s.execute([id.to_bytes()]))
                    .map_err(err)?;
                if deleted == 0 {
                    return Err(RepositoryError::NotFound(Entity::Project));
                }
                Ok(())
            })
            .await
    }

    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError> {
        self.db.read(move |conn| member_exists(conn, project, user)).await
    }

    async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT m.user_id, u.username, m.added_at \
                     FROM project_members m JOIN users u ON u.id = m.user_id \
                     WHERE m.project_id = ? ORDER BY u.username",
                )
                .and_then(|mut s| {
                    s.query_map([project.to_bytes()], |row| {
                        let username: String = row.get(1)?;
                        Ok(ProjectMember {
                            user_id: UserId::from_bytes(bytes16(row, 0)?),
                            username: Username::parse(&username)
                                .map_err(|e| corrupt("username", e))?,
                            added_at: timestamp(row, 2)?,
                        })
                    })?
                    .collect()
                })
                .map_err(err)
            })
            .await
    }

    async fn add_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        self.db
            .write(move |conn| {
                if !project_exists(conn, project)? {
                    return Err(RepositoryError::NotFound(Entity::Project));
                }
                if !user_exists(conn, user)? {
                    return Err(RepositoryError::MissingReference(Entity::User));
                }
                let added = conn
                    .prepare_cached(
                        "INSERT INTO project_members (project_id, user_id, added_at) \
                         VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    )
                    .and_then(|mut s| {
                        s.execute(params![project.to_bytes(), user.to_bytes(), at.unix_micros()])
                    })
                    .map_err(|e| map_err(Entity::Member, e))?;
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
        self.db
            .write(move |conn| {
                if !project_exists(conn, project)? {
                    return Err(RepositoryError::NotFound(Entity::Project));
                }
                let removed = conn
                    .prepare_cached(
                        "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
                    )
                    .and_then(|mut s| s.execute(params![project.to_bytes(), user.to_bytes()]))
                    .map_err(|e| map_err(Entity::Member, e))?;
                if removed == 0 {
                    return Ok(false);
                }
                let mut cleared: Vec<TaskId> = conn
                    .prepare_cached(
                        "UPDATE tasks SET assignee_id = NULL, version = version + 1, \
                         updated_at = ? WHERE project_id = ? AND assignee_id = ? RETURNING id",
                    )
                    .and_then(|mut s| {
                        s.query_map(
                            params![at.unix_micros(), project.to_bytes(), user.to_bytes()],
                            |r| Ok(TaskId::from_bytes(bytes16(r, 0)?)),
                        )?
                        .collect()
                    })
                    .map_err(|e| map_err(Entity::Task, e))?;
                cleared.sort_unstable();
                for task in cleared {
                    record(conn, &EntryDraft::assignee_cleared(task, project, user, actor, at))?;
                }
                Ok(true)
            })
            .await
    }
}
