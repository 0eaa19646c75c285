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
    let charts = vec![
        chart("status", "Tasks by status", describe("Tasks by status", &by_status), by_status),
        chart(
            "priority",
            "Tasks by priority",
            describe("Tasks by priority", &by_priority),
            by_priority,
        ),
    ];
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
