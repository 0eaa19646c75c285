-- TaskForge schema, version 3: repairs rows that earlier builds could write under racing
-- requests, now that every task write keeps them out (adr/0012-tree-and-membership-rules-in-the-write.md).
-- Data only: the schema does not change, so a build of version 2 still reads the result.
--
-- Each repaired task gets a new version and updated_at, like any other change, so clients
-- holding its old ETag learn that it changed.

-- A subtask whose parent is in another project (it was created while its parent was being
-- moved): it becomes a root of its own project, where it was created. Left as it was, a move
-- or a deletion of the parent would have carried it into a project its readers may not see.
UPDATE tasks
   SET parent_id = NULL,
       version = version + 1,
       updated_at = CAST(unixepoch('subsec') * 1000000 AS INTEGER)
 WHERE parent_id IS NOT NULL
   AND project_id IS NOT (SELECT p.project_id FROM tasks p WHERE p.id = tasks.parent_id);

-- A task assigned to someone who is not a member of its project (they were assigned while
-- being removed): un-assigned, as removing them would have done.
UPDATE tasks
   SET assignee_id = NULL,
       version = version + 1,
       updated_at = CAST(unixepoch('subsec') * 1000000 AS INTEGER)
 WHERE assignee_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM project_members m
                    WHERE m.project_id = tasks.project_id AND m.user_id = tasks.assignee_id);
