//! Value objects: each has a validating constructor, so once built it is valid.
//!
//! Parse, don't validate: a driving adapter turns wire text into these types at the edge and the
//! rest of the code never checks them again.

mod description;
mod due_date;
mod email;
mod label;
mod names;
mod page_limit;
mod password;
mod per_category;
mod priority;
mod role;
mod search_text;
mod status;
mod status_set;
mod text;
mod timestamp;
mod title;
mod username;
mod version;

pub use description::{Description, DescriptionError, ProjectDescription};
pub use due_date::{DueDate, DueDateError};
pub use email::{EmailAddress, EmailError};
pub use label::{Label, LabelError, Labels, LabelsError};
pub use names::{CategoryName, NameError, ProjectName};
pub use page_limit::{PageLimit, PageLimitError};
pub use password::{Password, PasswordError, PasswordHash, PasswordHashError};
pub use per_category::{PerCategory, PerCategoryError};
pub use priority::{Priority, PriorityError};
pub use role::{Role, RoleError};
pub use search_text::{SearchText, SearchTextError};
pub use status::{Status, StatusError};
pub use status_set::{StatusSet, StatusSetError};
pub use text::is_invisible;
pub use timestamp::Timestamp;
pub use title::{TaskTitle, TitleError};
pub use username::{Username, UsernameError};
pub use version::Version;
