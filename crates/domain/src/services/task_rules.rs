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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::UserId;
    use crate::values::Timestamp;
    use crate::values::{Description, Labels, Priority, Status, TaskTitle, Version};

    fn task(id: u8, project: ProjectId, parent: Option<&Task>, version: u64) -> Task {
        let at = Timestamp::from_unix_micros(0).unwrap();
        Task {
            id: TaskId::from_bytes([id; 16]),
            project_id: project,
            title: TaskTitle::parse(&format!("task {id}")).unwrap(),
            description: Description::empty(),
            status: Status::Todo,
            priority: Priority::Medium,
            category_id: None,
            assignee_id: None,
            labels: Labels::none(),
            due_date: None,
            parent_id: parent.map(|p| p.id),
            is_public: false,
            created_by: UserId::from_bytes([0; 16]),
            created_at: at,
            updated_at: at,
            version: Version::new(version).unwrap(),
        }
    }

    fn project(n: u8) -> ProjectId {
        ProjectId::from_bytes([n; 16])
    }

    /// A chain of `len` tasks in `project`, root first; ids start at `first_id`.
    fn chain(first_id: u8, len: usize, project: ProjectId) -> Vec<Task> {
        let mut tasks: Vec<Task> = Vec::new();
        for i in 0..len {
            let id = first_id + u8::try_from(i).unwrap();
            let t = task(id, project, tasks.last(), u64::from(id) + 10);
            tasks.push(t);
        }
        tasks
    }

    /// The ancestors of `chain[i]` as the repository returns them: parent first, root last.
    fn ancestors_of(chain: &[Task], i: usize) -> Vec<Task> {
        chain[..i].iter().rev().cloned().collect()
    }

    fn guards(tasks: &[&Task]) -> Vec<VersionGuard> {
        tasks.iter().map(|t| VersionGuard { task_id: t.id, version: t.version }).collect()
    }

    #[test]
    fn a_leaf_has_height_one() {
        assert_eq!(subtree_height(TaskId::from_bytes([1; 16]), &[]), 1);
    }

    #[test]
    fn height_counts_the_longest_branch() {
        let p = project(1);
        let root = task(1, p, None, 1);
        let a = task(2, p, Some(&root), 1);
        let b = task(3, p, Some(&root), 1);
        let c = task(4, p, Some(&a), 1);
        let d = task(5, p, Some(&c), 1);
        assert_eq!(subtree_height(root.id, std::slice::from_ref(&a)), 2);
        assert_eq!(subtree_height(root.id, &[a.clone(), b.clone()]), 2);
        assert_eq!(subtree_height(root.id, &[a.clone(), b.clone(), c.clone()]), 3);
        // Breadth first or depth first, as long as parents come before their children.
        assert_eq!(subtree_height(root.id, &[a.clone(), b.clone(), c.clone(), d.clone()]), 4);
        assert_eq!(subtree_height(root.id, &[b, a.clone(), c.clone(), d.clone()]), 4);
        // The height of a subtree, not of the whole tree.
        assert_eq!(subtree_height(a.id, &[c, d]), 3);
    }

    #[test]
    fn height_of_a_full_chain_is_its_length() {
        let tasks = chain(1, MAX_DEPTH, project(1));
        assert_eq!(subtree_height(tasks[0].id, &tasks[1..]), MAX_DEPTH);
    }

    #[test]
    fn a_parent_in_another_project_is_refused() {
        let parent = task(1, project(1), None, 1);
        assert_eq!(
            check_parent(None, project(2), 1, &parent, &[]),
            Err(TaskRule::ParentInOtherProject)
        );
        let child = task(2, project(2), None, 1);
        assert_eq!(
            check_parent(Some(child.id), project(2), 1, &parent, &[]),
            Err(TaskRule::ParentInOtherProject)
        );
    }

    #[test]
    fn a_task_cannot_be_its_own_parent() {
        let t = task(1, project(1), None, 1);
        assert_eq!(check_parent(Some(t.id), project(1), 1, &t, &[]), Err(TaskRule::Cycle));
    }

    #[test]
    fn a_task_cannot_take_one_of_its_descendants_as_parent() {
        // 1 → 2 → 3 → 4: re-parenting 2 under 3 or 4 would close a loop.
        let tasks = chain(1, 4, project(1));
        let moving = &tasks[1];
        let height = subtree_height(moving.id, &tasks[2..]);
        assert_eq!(height, 3);
        for i in 2..4 {
            assert_eq!(
                check_parent(
                    Some(moving.id),
                    project(1),
                    height,
                    &tasks[i],
                    &ancestors_of(&tasks, i)
                ),
                Err(TaskRule::Cycle),
                "parent {i}"
            );
        }
        // The root of the chain too, when the descendant is deeper.
        let root = &tasks[0];
        assert_eq!(
            check_parent(Some(root.id), project(1), 4, &tasks[3], &ancestors_of(&tasks, 3)),
            Err(TaskRule::Cycle)
        );
    }

    #[test]
    fn depth_five_is_allowed_for_a_new_task() {
        // The parent sits at depth 4 (three ancestors): the new task lands at depth 5.
        let tasks = chain(1, 4, project(1));
        let parent = &tasks[3];
        let ancestors = ancestors_of(&tasks, 3);
        assert_eq!(ancestors.len() + 2, MAX_DEPTH);
        let got = check_parent(None, project(1), 1, parent, &ancestors).unwrap();
        assert_eq!(got, guards(&[&tasks[3], &tasks[2], &tasks[1], &tasks[0]]));
    }

    #[test]
    fn depth_six_is_refused_for_a_new_task() {
        // The parent sits at depth 5: the new task would land at depth 6.
        let tasks = chain(1, 5, project(1));
        assert_eq!(
            check_parent(None, project(1), 1, &tasks[4], &ancestors_of(&tasks, 4)),
            Err(TaskRule::TooDeep)
        );
    }

    #[test]
    fn the_moved_subtree_counts_towards_the_depth() {
        let p = project(1);
        // A subtree two levels tall (10 → 11).
        let top = task(10, p, None, 1);
        let below = task(11, p, Some(&top), 1);
        let height = subtree_height(top.id, &[below]);
        assert_eq!(height, 2);
        let tasks = chain(1, 4, p);
        // Under the depth-3 task: 10 at depth 4, 11 at depth 5 — allowed.
        assert!(check_parent(Some(top.id), p, height, &tasks[2], &ancestors_of(&tasks, 2)).is_ok());
        // Under the depth-4 task: 11 would land at depth 6 — refused.
        assert_eq!(
            check_parent(Some(top.id), p, height, &tasks[3], &ancestors_of(&tasks, 3)),
            Err(TaskRule::TooDeep)
        );
        // A subtree five tall fits only at the top: it cannot go under anything.
        let tall = chain(20, MAX_DEPTH, p);
        let tall_height = subtree_height(tall[0].id, &tall[1..]);
        assert_eq!(
            check_parent(Some(tall[0].id), p, tall_height, &tasks[0], &[]),
            Err(TaskRule::TooDeep)
        );
    }

    #[test]
    fn guards_cover_the_parent_and_every_ancestor_in_order() {
        let tasks = chain(1, 3, project(1));
        let child = task(9, project(1), None, 1);
        let got = check_parent(Some(child.id), project(1), 1, &tasks[2], &ancestors_of(&tasks, 2))
            .unwrap();
        assert_eq!(got, guards(&[&tasks[2], &tasks[1], &tasks[0]]));
        assert_eq!(got[0].version, Version::new(13).unwrap());
        // A root parent: one guard.
        let got = check_parent(Some(child.id), project(1), 1, &tasks[0], &[]).unwrap();
        assert_eq!(got, guards(&[&tasks[0]]));
    }

    #[test]
    fn the_project_is_checked_before_the_depth_and_the_cycle() {
        let tasks = chain(1, 5, project(1));
        assert_eq!(
            check_parent(Some(tasks[0].id), project(2), 1, &tasks[4], &ancestors_of(&tasks, 4)),
            Err(TaskRule::ParentInOtherProject)
        );
    }
}
