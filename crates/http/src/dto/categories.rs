//! Category bodies and responses.

use serde::{Deserialize, Serialize};
use taskforge_domain::Category;
use taskforge_domain::commands::CreateCategory;
use taskforge_domain::query::{CategoryCursor, Page};
use taskforge_domain::values::CategoryName;
use utoipa::ToSchema;

use super::validation::{Validator, present};
use crate::error::ApiError;

/// `POST /api/v1/categories` and `PATCH /api/v1/categories/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// 1–50 characters, unique ignoring case.
    pub name: String,
}

impl CategoryBody {
    /// The validated name.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_name(self) -> Result<CategoryName, ApiError> {
        let mut v = Validator::default();
        let name = v.check("name", CategoryName::parse(&self.name));
        v.finish()?;
        present(name)
    }

    /// The create command.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<CreateCategory, ApiError> {
        self.try_into_name().map(|name| CreateCategory { name })
    }
}

/// A category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    /// Identity.
    #[schema(format = Uuid)]
    pub id: String,
    /// Name.
    pub name: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Category> for CategoryResponse {
    fn from(c: &Category) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.to_string(),
            created_at: c.created_at.to_rfc3339(),
        }
    }
}

/// One page of categories, by name ignoring case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryPage {
    /// The categories.
    pub items: Vec<CategoryResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<Category, CategoryCursor>> for CategoryPage {
    fn from(page: Page<Category, CategoryCursor>) -> Self {
        Self {
            items: page.items.iter().map(CategoryResponse::from).collect(),
            next_cursor: page.next_cursor.map(|c| c.encode()),
        }
    }
}
