//! Project and membership bodies and responses.

use serde::{Deserialize, Serialize};
use taskforge_domain::commands::{CreateProject, UpdateProject};
use taskforge_domain::query::Page;
use taskforge_domain::values::{ProjectDescription, ProjectName};
use taskforge_domain::{Project, ProjectId, ProjectMember, UserId};
use utoipa::ToSchema;

use super::Field;
use super::validation::{Validator, id, present};
use crate::error::ApiError;

/// `POST /api/v1/projects`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectBody {
    /// 1–100 characters.
    pub name: String,
    /// At most 2,000 characters.
    pub description: Option<String>,
}

impl CreateProjectBody {
    /// The command, or a 422 naming every invalid field.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<CreateProject, ApiError> {
        let mut v = Validator::default();
        let name = v.check("name", ProjectName::parse(&self.name));
        let description = v.optional("description", self.description, ProjectDescription::try_from);
        v.finish()?;
        Ok(CreateProject { name: present(name)?, description })
    }
}

/// `PATCH /api/v1/projects/{id}`: a merge-patch; `null` empties the description.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectBody {
    /// New name (not nullable).
    #[serde(default)]
    #[schema(value_type = String, required = false)]
    pub name: Field<String>,
    /// New description; `null` empties it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Field<String>,
    /// Hand the project to this member (not nullable).
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = false)]
    pub owner_id: Field<String>,
}

impl UpdateProjectBody {
    /// The command, or a 422 naming every invalid field.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<UpdateProject, ApiError> {
        let mut v = Validator::default();
        let cmd = UpdateProject {
            name: v.non_null("name", self.name, |n| ProjectName::parse(&n)),
            description: v.patch("description", self.description, ProjectDescription::try_from),
            owner_id: v.non_null("owner_id", self.owner_id, |o| id::<UserId>(&o)),
        };
        v.finish()?;
        Ok(cmd)
    }
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    /// Identity.
    #[schema(format = Uuid)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Description (possibly empty).
    pub description: String,
    /// Owner (always a member).
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Project> for ProjectResponse {
    fn from(p: &Project) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.to_string(),
            description: p.description.to_string(),
            owner_id: p.owner_id.to_string(),
            created_at: p.created_at.to_rfc3339(),
        }
    }
}

/// One page of projects, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectPage {
    /// The projects.
    pub items: Vec<ProjectResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<Project, ProjectId>> for ProjectPage {
    fn from(page: Page<Project, ProjectId>) -> Self {
        Self {
            items: page.items.iter().map(ProjectResponse::from).collect(),
            next_cursor: page.next_cursor.map(|id| id.to_string()),
        }
    }
}

/// A member of a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    /// The user.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// Their username.
    pub username: String,
    /// When they joined, RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub added_at: String,
}

impl From<&ProjectMember> for MemberResponse {
    fn from(m: &ProjectMember) -> Self {
        Self {
            user_id: m.user_id.to_string(),
            username: m.username.to_string(),
            added_at: m.added_at.to_rfc3339(),
        }
    }
}

/// The members of a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    /// The members.
    pub items: Vec<MemberResponse>,
}

impl From<Vec<ProjectMember>> for MemberList {
    fn from(members: Vec<ProjectMember>) -> Self {
        Self { items: members.iter().map(MemberResponse::from).collect() }
    }
}
