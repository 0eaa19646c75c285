//! `/reports`: tasks by status and by priority, and overdue, as server-drawn SVG bar charts
//! with the same numbers in tables — for every project the viewer sees.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::services::ReportError;
use taskforge_domain::values::{PageLimit, Priority, Status};

use super::projects::{project_error, status_label};
use crate::pages::{Bar, Chart, Layout, ProjectReport, ReportsPage};
use crate::response::{WebError, render};
use crate::session::require_viewer;
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/reports", "GET, HEAD").route(web::get().to(show)));
}

fn report_error(e: ReportError) -> WebError {
    match e {
        ReportError::ProjectNotFound => WebError::NotFound,
        ReportError::Store(e) => WebError::internal(e),
    }
}

/// The widest bar, in SVG user units.
const BAR_SPACE: u64 = 240;

/// A horizontal bar chart of `values`.
pub(crate) fn chart(
    id: &str,
    title: &str,
    description: String,
    values: Vec<(String, u64)>,
) -> Chart {
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let bars = values
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            y: 10 + 28 * i as u64,
            width: (value * BAR_SPACE).div_ceil(max).max(u64::from(value > 0)),
            label,
            value,
        })
        .collect::<Vec<_>>();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description,
        height: 20 + 28 * bars.len() as u64,
        bars,
    }
}

/// How many weeks the created-vs-done chart shows.
const WEEKS: i32 = 8;
/// The most tasks read for that chart: it walks the export's pages, so its cost is bounded
/// on a large store (the chart says when it stopped early).
const WEEKLY_TASK_CAP: usize = 20_000;

/// The week (Monday to Sunday) a day falls in, counted from the week of 1970-01-01.
const fn week_of(days_since_epoch: i32) -> i32 {
    // 1970-01-01 was a Thursday: shift so that weeks start on Mondays.
    (days_since_epoch + 3).div_euclid(7)
}

/// Tasks created and tasks done per week over the last [`WEEKS`] weeks, and whether the cap
/// cut the count short. "Done" counts tasks whose status is done by the week of their last
/// change — the store keeps no separate completion time.
async fn weekly(
    state: &WebState,
    viewer: &crate::session::Viewer,
    today: i32,
) -> Result<(Vec<(String, u64, u64)>, bool), WebError> {
    let this_week = week_of(today);
    let first = this_week - (WEEKS - 1);
    let mut created = [0_u64; WEEKS as usize];
    let mut done = [0_u64; WEEKS as usize];
    let mut export = state
        .services
        .exports
        .start(&viewer.actor, taskforge_domain::query::TaskFilter::default(), Default::default())
        .await
        .map_err(WebError::internal)?;
    let mut read = 0;
    let mut capped = false;
    while let Some(rows) = export.next_page().await.map_err(WebError::internal)? {
        for row in &rows {
            let task = &row.task;
            let slot =
                |week: i32| usize::try_from(week - first).ok().filter(|i| *i < WEEKS as usize);
            if let Some(i) = slot(week_of(task.created_at.date().days_since_epoch())) {
                created[i] += 1;
            }
            if task.status == Status::Done
                && let Some(i) = slot(week_of(task.updated_at.date().days_since_epoch()))
            {
                done[i] += 1;
            }
        }
        read += rows.len();
        if read >= WEEKLY_TASK_CAP {
            capped = true;
            break;
        }
    }
    let weeks = (0..WEEKS)
        .map(|i| {
            let monday = (first + i) * 7 - 3;
            let label = taskforge_domain::values::DueDate::from_days_since_epoch(monday)
                .map_or_else(String::new, |d| d.to_string());
            (label, created[i as usize], done[i as usize])
        })
        .collect();
    Ok((weeks, capped))
}

async fn show(req: HttpRequest, state: web::Data<WebState>) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let services = &state.services;
    let overall = services.reports.summary(&viewer.actor, None).await.map_err(report_error)?;
    let s = &overall.summary;
    let by_status: Vec<(String, u64)> =
        Status::ALL.iter().map(|st| (status_label(*st).to_owned(), s.with_status(*st))).collect();
    let by_priority: Vec<(String, u64)> =
        Priority::ALL.iter().map(|p| (p.as_str().to_owned(), s.with_priority(*p))).collect();
    let describe = |what: &str, values: &[(String, u64)]| {
        let parts: Vec<String> = values.iter().map(|(l, v)| format!("{l}: {v}")).collect();
        format!("{what} of the {} tasks you can see: {}.", s.total(), parts.join(", "))
    };
    let mut charts = vec![
        chart("status", "Tasks by status", describe("Tasks by status", &by_status), by_status),
        chart(
            "priority",
            "Tasks by priority",
            describe("Tasks by priority", &by_priority),
            by_priority,
        ),
    ];
    let (weeks, capped) = weekly(&state, &viewer, overall.today.days_since_epoch()).await?;
    let note = if capped { " (counted over the first 20,000 tasks only)" } else { "" };
    for (id, title, created) in [
        ("created", "Tasks created per week", true),
        ("done", "Tasks done per week, by their last change", false),
    ] {
        let values: Vec<(String, u64)> = weeks
            .iter()
            .map(|(label, c, d)| (label.clone(), if created { *c } else { *d }))
            .collect();
        let description = format!(
            "{title}, the last {WEEKS} weeks{note}: {}.",
            values.iter().map(|(l, v)| format!("week of {l}: {v}")).collect::<Vec<_>>().join(", ")
        );
        charts.push(chart(id, title, description, values));
    }
    let projects = services
        .projects
        .list(&viewer.actor, None, PageLimit::DEFAULT)
        .await
        .map_err(project_error)?;
    let mut rows = Vec::new();
    for project in &projects.items {
        let report = services
            .reports
            .summary(&viewer.actor, Some(project.id))
            .await
            .map_err(report_error)?;
        let r = &report.summary;
        rows.push(ProjectReport {
            id: project.id.to_string(),
            name: project.name.as_str().to_owned(),
            by_status: Status::ALL.iter().map(|st| r.with_status(*st)).collect(),
            by_priority: Priority::ALL.iter().map(|p| r.with_priority(*p)).collect(),
            overdue: r.overdue(),
            total: r.total(),
        });
    }
    let page = ReportsPage {
        layout: Layout::for_viewer("Reports", &viewer),
        charts,
        overdue: s.overdue(),
        total: s.total(),
        today: overall.today.to_string(),
        projects: rows,
        more_projects: projects.next_cursor.is_some(),
    };
    render(StatusCode::OK, &page)
}
