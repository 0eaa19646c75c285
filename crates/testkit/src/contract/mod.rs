//! The repository contract suite: one async function per sentence of the repository ports'
//! rustdoc, run unchanged against every adapter.
//!
//! Each contract test is a `pub async fn some_sentence(repos: Repositories)` that panics when
//! the adapter behind `repos` breaks the documented contract. The functions need no executor
//! (this crate depends on none); an adapter runs all of them, each as its own test, with
//! [`contract_tests!`](crate::contract_tests):
//!
//! ```ignore
//! // crates/memory/tests/contract.rs
//! taskforge_testkit::contract_tests!(async {
//!     taskforge_memory::MemoryDatabase::new().repositories()
//! });
//! ```
//!
//! The factory is evaluated once per test and must return an **empty** store: tests assert on
//! exact listings. Every test builds its own data with [`fixtures`], so tests are independent.
//!
//! [`ALL`] lists the same tests as the macro (both are generated from one list), for runners
//! that want to iterate, e.g. to prove that a deliberately broken adapter fails one of them.
//!
//! Where the port documents an error, the suite also checks the [`Entity`](taskforge_domain::ports::Entity)
//! it names: for `MissingReference` the entity that is missing (a task with an unknown project
//! is `MissingReference(Entity::Project)`), otherwise the entity addressed by the call. The
//! services map errors by that entity.

// Contract tests are test code: a panic is a failed test, not a dead worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::pin::Pin;

use taskforge_domain::ports::Repositories;

/// Asserts that `$result` is `Err` matching `$pattern`, naming the case on failure.
macro_rules! assert_err {
    ($result:expr, $pattern:pat, $($context:tt)+) => {
        match $result {
            Err($pattern) => {}
            other => panic!(
                "{}: expected Err({}), got {:?}",
                format_args!($($context)+),
                stringify!($pattern),
                other
            ),
        }
    };
}

pub mod fixtures;

/// The contract of [`CategoryRepository`](taskforge_domain::ports::CategoryRepository).
pub mod categories;
/// The contract of [`HistoryRepository`](taskforge_domain::ports::HistoryRepository) and of
/// the entries the task and project writes record.
pub mod history;
/// The contract of [`ProjectRepository`](taskforge_domain::ports::ProjectRepository).
pub mod projects;
/// The contract of [`RefreshTokenRepository`](taskforge_domain::ports::RefreshTokenRepository).
pub mod refresh_tokens;
/// The contract of [`ReportRepository`](taskforge_domain::ports::ReportRepository).
pub mod reports;
/// The contract of [`TaskRepository::list`](taskforge_domain::ports::TaskRepository::list).
pub mod task_listing;
/// The contract of [`TaskRepository`](taskforge_domain::ports::TaskRepository), listing aside.
pub mod tasks;
/// The contract of [`TrashRepository`](taskforge_domain::ports::TrashRepository).
pub mod trash;
/// The contract of [`UserRepository`](taskforge_domain::ports::UserRepository).
pub mod users;

/// The future a contract test returns, boxed so tests can be kept in a table.
pub type ContractFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One contract test: its name (`module::function`) and how to run it.
#[derive(Debug, Clone, Copy)]
pub struct ContractTest {
    /// `module::function`, e.g. `tasks::updating_with_a_stale_version_is_a_version_conflict`.
    pub name: &'static str,
    /// Runs the test against a store; the future panics when the contract is broken.
    pub run: fn(Repositories) -> ContractFuture,
}

/// The one list of contract tests. It calls back `$callback!((args) module: [test, …], …)`,
/// so [`ALL`] and [`contract_tests!`](crate::contract_tests) cannot drift apart; a unit test
/// below checks that every `pub async fn` of the test modules is on it.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_list {
    ($callback:ident ($($args:tt)*)) => {
        $crate::$callback! {
            ($($args)*)
            users: [
                an_inserted_user_can_be_read_back_by_id,
                getting_an_unknown_user_returns_none,
                inserting_a_user_with_a_taken_id_is_a_duplicate,
                inserting_a_user_with_a_taken_username_is_a_duplicate,
                a_user_can_be_found_by_username,
                users_are_listed_by_username_after_the_given_one,
                usernames_maps_known_ids_and_leaves_unknown_ones_out,
                count_with_role_counts_the_users_with_that_role,
                updating_a_user_replaces_username_email_hash_and_role,
                updating_a_user_keeps_their_created_at,
                updating_a_user_to_a_taken_username_is_a_duplicate,
                updating_an_unknown_user_is_not_found,
                deleting_a_user_removes_their_memberships_and_refresh_tokens,
                deleting_a_user_unassigns_them_from_every_task,
                deleting_a_project_owner_is_in_use_and_changes_nothing,
                deleting_an_unknown_user_is_not_found,
                guarded_writes_of_the_only_admin_are_refused_and_change_nothing,
                guarded_writes_apply_while_another_admin_remains,
                guarded_writes_keep_the_errors_of_the_plain_ones,
            ],
            projects: [
                an_inserted_project_can_be_read_back_by_id,
                getting_an_unknown_project_returns_none,
                inserting_a_project_makes_its_owner_a_member,
                inserting_a_project_with_a_taken_id_is_a_duplicate,
                inserting_a_project_with_an_unknown_owner_is_a_missing_reference,
                projects_are_listed_by_id_after_the_given_one,
                a_user_lists_only_the_projects_they_are_a_member_of,
                updating_a_project_replaces_name_description_and_owner,
                updating_a_project_keeps_its_created_at,
                updating_a_project_to_an_unknown_owner_is_a_missing_reference,
                updating_an_unknown_project_is_not_found,
                deleting_a_project_deletes_its_tasks_and_memberships,
                deleting_an_unknown_project_is_not_found,
                is_member_is_false_for_non_members_and_unknown_ids,
                members_are_listed_by_username,
                adding_a_member_makes_them_a_member,
                adding_an_existing_member_returns_false_and_changes_nothing,
                adding_a_member_to_an_unknown_project_is_not_found,
                adding_an_unknown_user_as_a_member_is_a_missing_reference,
                removing_a_member_unassigns_them_from_that_projects_tasks_only,
                removing_a_non_member_returns_false_and_changes_nothing,
                removing_a_member_from_an_unknown_project_is_not_found,
            ],
            categories: [
                an_inserted_category_can_be_read_back_by_id,
                getting_an_unknown_category_returns_none,
                inserting_a_category_with_a_taken_id_is_a_duplicate,
                inserting_a_category_with_a_taken_name_ignoring_case_is_a_duplicate,
                category_names_are_unique_ignoring_case_beyond_ascii,
                categories_are_listed_by_name_ignoring_case,
                categories_are_listed_a_page_at_a_time_after_the_given_name,
                names_maps_known_category_ids_and_leaves_unknown_ones_out,
                updating_a_category_renames_it,
                updating_a_category_keeps_its_created_at,
                renaming_a_category_to_a_taken_name_ignoring_case_is_a_duplicate,
                updating_an_unknown_category_is_not_found,
                deleting_a_category_clears_it_from_its_tasks,
                deleting_an_unknown_category_is_not_found,
            ],
            tasks: [
                an_inserted_task_can_be_read_back_by_id,
                getting_an_unknown_task_returns_none,
                labels_are_stored_replaced_and_returned_sorted,
                inserting_a_task_with_a_taken_id_is_a_duplicate,
                inserting_a_task_with_a_missing_reference_is_refused,
                updating_a_task_replaces_every_field,
                updating_with_a_stale_version_is_a_version_conflict,
                updating_with_a_failing_version_guard_is_a_changed_tree,
                updating_with_holding_version_guards_succeeds,
                updating_an_unknown_task_is_not_found,
                updating_a_task_with_a_missing_reference_is_refused,
                ancestors_run_from_the_parent_to_the_root,
                descendants_list_parents_before_their_children,
                ancestors_stop_after_64_steps_on_cyclic_data,
                deleting_a_task_removes_its_subtree_and_returns_the_ids_task_first,
                deleting_an_unknown_task_is_not_found,
                moving_a_task_moves_it_and_all_its_descendants,
                moving_a_task_with_a_stale_version_is_a_version_conflict,
                moving_a_task_to_an_unknown_project_is_a_missing_reference,
                moving_an_unknown_task_is_not_found,
                inserting_with_a_failing_version_guard_is_a_changed_tree,
                a_parent_in_another_project_is_a_missing_reference,
                an_assignee_who_is_not_a_member_is_a_missing_reference,
                updating_a_task_keeps_its_project,
                updating_with_a_subtree_taller_than_guarded_is_a_grown_subtree,
                moving_a_task_whose_subtask_has_an_outside_assignee_is_a_missing_reference,
            ],
            task_listing: [
                listing_without_filters_returns_every_task,
                filtering_by_project_returns_only_its_tasks,
                filtering_by_status_returns_only_tasks_with_it,
                filtering_by_several_statuses_returns_tasks_with_any_of_them,
                filtering_by_priority_returns_only_tasks_with_it,
                filtering_by_category_returns_only_tasks_in_it,
                filtering_by_assignee_returns_only_their_tasks,
                filtering_by_label_returns_only_tasks_carrying_it,
                filtering_by_parent_returns_only_direct_subtasks,
                filtering_by_due_before_is_strict_and_skips_undated_tasks,
                filtering_by_due_after_is_strict_and_skips_undated_tasks,
                filtering_by_title_text_matches_substrings_ignoring_case,
                filtering_by_title_text_ignores_case_beyond_ascii,
                filters_combine_so_every_condition_must_hold,
                a_member_sees_their_projects_tasks_and_public_tasks_elsewhere,
                a_non_member_sees_only_public_tasks,
                visibility_and_filters_apply_together,
                sorting_by_created_at_ascending_follows_task_sort_order,
                sorting_by_created_at_descending_follows_task_sort_order,
                sorting_by_priority_ascending_follows_task_sort_order,
                sorting_by_priority_descending_follows_task_sort_order,
                sorting_by_due_date_ascending_follows_task_sort_order,
                sorting_by_due_date_descending_follows_task_sort_order,
                sorting_by_title_ascending_follows_task_sort_order,
                sorting_by_title_descending_follows_task_sort_order,
                fetch_limits_how_many_tasks_are_returned,
                walking_every_page_returns_each_task_once_in_order,
                walking_pages_keeps_visibility_and_filters,
                a_cursor_still_works_after_its_task_is_deleted,
                a_page_after_a_concurrent_insert_stays_stable,
            ],
            reports: [
                summary_counts_every_task_by_status_priority_and_category,
                summary_under_member_visibility_counts_member_and_public_tasks,
                summary_of_one_project_counts_only_its_visible_tasks,
                summary_counts_open_tasks_due_before_today_as_overdue,
                summary_of_nothing_visible_is_empty,
                summary_names_each_category_by_its_current_name,
                top_open_ranks_each_categorys_open_tasks_and_keeps_the_first,
                top_open_under_member_visibility_keeps_only_visible_tasks,
                top_open_with_zero_per_category_returns_nothing,
                top_open_of_one_project_ranks_only_its_visible_tasks,
            ],
            history: [
                a_recorded_entry_reads_back_by_id_task_project_and_log,
                every_write_records_one_entry_in_increasing_id_order,
                a_refused_write_records_nothing,
                a_tasks_history_is_newest_first_a_page_at_a_time,
                a_projects_activity_holds_its_own_and_its_tasks_entries,
                after_lists_the_log_in_id_order_from_the_given_id,
                a_deleted_tasks_history_stays,
                moving_a_tree_records_a_moved_entry_for_each_subtask,
                deleting_a_category_records_an_update_for_each_task_it_clears,
                removing_a_member_records_an_update_for_each_task_it_unassigns,
            ],
            trash: [
                deleting_a_task_puts_its_subtree_in_the_trash_whole,
                a_projects_trash_is_listed_by_root_a_page_at_a_time,
                restoring_puts_the_tasks_back_and_records_the_entry,
                restoring_into_a_deleted_project_is_a_missing_project,
                restoring_with_a_reference_gone_is_refused_and_changes_nothing,
                restoring_or_purging_what_is_not_in_the_trash_is_not_found,
                purging_removes_subtrees_for_good,
            ],
            refresh_tokens: [
                an_inserted_token_can_be_found_by_digest,
                inserting_a_token_with_a_stored_digest_is_a_duplicate,
                inserting_a_token_of_an_unknown_user_is_a_missing_reference,
                rotating_marks_the_old_token_used_and_stores_the_successor,
                rotating_a_used_token_is_a_spent_token,
                rotating_a_revoked_token_is_a_spent_token,
                rotating_an_unknown_token_is_not_found,
                rotating_into_a_stored_digest_is_a_duplicate,
                revoking_a_family_revokes_its_unrevoked_tokens,
                revoking_all_tokens_of_a_user_spares_other_users,
                deleting_expired_tokens_removes_only_those_expired_before_the_instant,
            ],
        }
    };
}

/// Expands the list into [`ALL`].
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_table {
    (() $($module:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        /// Every contract test, in the order of the suite.
        pub const ALL: &[$crate::contract::ContractTest] = &[
            $($(
                $crate::contract::ContractTest {
                    name: concat!(stringify!($module), "::", stringify!($test)),
                    run: |repos| Box::pin($crate::contract::$module::$test(repos)),
                },
            )*)*
        ];
    };
}

/// Expands the list into one test per contract test; see [`contract_tests!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_runtime_tests {
    (($factory:expr) $($module:ident: [$($test:ident),* $(,)?]),* $(,)?) => {
        $(
            /// Contract tests of one repository port, generated by `contract_tests!`.
            mod $module {
                #[allow(unused_imports)]
                use super::*;

                $(
                    #[test]
                    fn $test() {
                        $crate::__private::block_on(async {
                            let repos: $crate::__private::taskforge_domain::ports::Repositories =
                                ($factory).await;
                            $crate::contract::$module::$test(repos).await;
                        });
                    }
                )*
            }
        )*
    };
}

/// Runs the whole repository contract suite against an adapter: expands to one `#[test]`
/// per contract test, grouped in one module per port (`users::…`, `tasks::…`), so each shows
/// as its own test.
///
/// The argument is an expression of a future that yields a fresh, empty
/// [`Repositories`](taskforge_domain::ports::Repositories); it is evaluated once per test, on
/// a current-thread tokio runtime the kit builds (as `#[tokio::test]` would), so the calling
/// crate needs no tokio of its own. Items of the calling module are in scope inside it. The
/// expansion declares modules named after the ports (`users`, `projects`, `categories`,
/// `tasks`, `task_listing`, `reports`, `refresh_tokens`), so invoke it in a test file or
/// module of its own.
///
/// ```ignore
/// taskforge_testkit::contract_tests!(async {
///     taskforge_memory::MemoryDatabase::new().repositories()
/// });
/// ```
#[macro_export]
macro_rules! contract_tests {
    ($factory:expr $(,)?) => {
        $crate::__contract_list!(__contract_runtime_tests($factory));
    };
}

__contract_list!(__contract_table());

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fs;
    use std::path::Path;

    use super::ALL;

    /// `module::function` for every `pub async fn` in the test modules' sources: the files
    /// next to this one (but `fixtures.rs`) and the files of the directories next to it.
    fn defined_contract_functions() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/contract");
        let mut sources: Vec<(String, String)> = Vec::new();
        for entry in fs::read_dir(&root).expect("the contract directory is readable") {
            let path = entry.expect("a readable entry").path();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            if path.is_dir() {
                for file in fs::read_dir(&path).expect("a readable module directory") {
                    let file = file.expect("a readable entry").path();
                    sources.push((stem.clone(), fs::read_to_string(file).expect("readable")));
                }
            } else if stem != "mod" && stem != "fixtures" {
                sources.push((stem, fs::read_to_string(&path).expect("readable")));
            }
        }
        sources
            .iter()
            .flat_map(|(module, source)| {
                source.lines().filter_map(move |line| {
                    let name = line.strip_prefix("pub async fn ")?.split('(').next()?;
                    Some(format!("{module}::{name}"))
                })
            })
            .collect()
    }

    #[test]
    fn every_public_contract_function_is_on_the_list() {
        let defined = defined_contract_functions();
        let listed: BTreeSet<String> = ALL.iter().map(|t| t.name.to_owned()).collect();

        let unlisted: Vec<_> = defined.difference(&listed).collect();
        assert!(unlisted.is_empty(), "add these to __contract_list!: {unlisted:?}");
        // The other direction compiles only if each listed function exists; this also catches
        // a module the scan above stopped seeing (a moved or renamed file).
        let unscanned: Vec<_> = listed.difference(&defined).collect();
        assert!(unscanned.is_empty(), "listed but not found in the sources: {unscanned:?}");
        assert_eq!(listed.len(), ALL.len(), "a contract test is listed twice");
        assert!(defined.len() > 100, "the source scan found only {} tests", defined.len());
    }

    #[test]
    fn contract_test_names_read_as_sentences() {
        for test in ALL {
            let (_, name) = test.name.split_once("::").expect("module::function");
            assert!(name.split('_').count() >= 4, "{} should read as a sentence", test.name);
        }
    }
}
