//! The subtask rules as pure functions: same project, no cycles, depth ≤ [`MAX_DEPTH`].

use std::collections::HashMap;

use super::TaskRule;
use crate::id::{ProjectId, TaskId};
use crate::model::{MAX_DEPTH, Task};
use crate::ports::VersionGuard;

/// The height of the tree rooted at `root`: 1 for a leaf. `descendants` lists parents before
/// their children, as [`crate::ports::TaskRepository::descendants`] returns them.
pub(crate) fn subtree_height(root: TaskId, descendants: &[Task]) -> usize {
    let mut depth: HashMap<TaskId, usize> = HashMap::with_capacity(descendants.len() + 1);
    depth.insert(root, 1);
    let mut height = 1;
    for task in descendants {
        let below = task.parent_id.and_then(|p| depth.get(&p).copied()).unwrap_or(1) + 1;
        depth.insert(task.id, below);
        height = height.max(below);
    }
    height
}

/// Checks that `parent` (with its chain of ancestors, parent's parent first) may hold, in
/// `project`, the task `child` (`None` for a task being created) whose own subtree is
/// `child_height` levels tall. Returns the version guards that make the check hold at write
/// time.
pub(crate) fn check_parent(
    child: Option<TaskId>,
    project: ProjectId,
    child_height: usize,
    parent: &Task,
    parent_ancestors: &[Task],
) -> Result<Vec<VersionGuard>, TaskRule> {
    if parent.project_id != project {
        return Err(TaskRule::ParentInOtherProject);
    }
    if let Some(child) = child {
        let chain = std::iter::once(parent).chain(parent_ancestors);
        if chain.clone().any(|t| t.id == child) {
            return Err(TaskRule::Cycle);
        }
    }
    let parent_depth = parent_ancestors.len() + 1;
    if parent_depth + child_height > MAX_DEPTH {
        return Err(TaskRule::TooDeep);
    }
    Ok(std::iter::once(parent)
        .chain(parent_ancestors)
        .map(|t| VersionGuard { task_id: t.id, version: t.version })
        .collect())
}
