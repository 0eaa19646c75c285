//! `/api/v1/reports`: the summary counts and the top open tasks per category.

use actix_web::{HttpRequest, HttpResponse, web};

use super::resource;
use crate::auth::Authenticated;
use crate::dto::{SummaryResponse, TopCategoryResponse, TopResponse};
use crate::error::ApiError;
use crate::openapi::{AuthErrors, BadRequest, NotFound};
use crate::query::{self, SummaryParams, TopParams};
use crate::state::AppState;

/// Mounts the report routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/reports/summary", "GET").route(web::get().to(summary)))
        .service(resource("/api/v1/reports/top", "GET").route(web::get().to(top)));
}

/// Counts of the tasks the caller can see (of one project when `project_id` is given): by
/// status, by priority, by category with done counts, and how many open tasks are overdue.
#[utoipa::path(
    get, operation_id = "reports_summary", path = "/api/v1/reports/summary", tag = "reports", security(("bearer" = [])),
    params(SummaryParams),
    responses((status = 200, description = "The counts", body = SummaryResponse), BadRequest, AuthErrors, NotFound)
)]
pub async fn summary(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let project = query::report_summary(req.query_string())?;
    let report = state.services().reports.summary(&actor, project).await?;
    Ok(HttpResponse::Ok().json(SummaryResponse::from(&report)))
}

/// The first `per_category` open tasks of each category the caller can see (of one project
/// when `project_id` is given): urgent first, then the earliest due date (undated last), then
/// the oldest.
#[utoipa::path(
    get, operation_id = "reports_top", path = "/api/v1/reports/top", tag = "reports", security(("bearer" = [])),
    params(TopParams),
    responses((status = 200, description = "Open tasks per category", body = TopResponse), BadRequest, AuthErrors, NotFound)
)]
pub async fn top(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let request = query::report_top(req.query_string())?;
    let groups =
        state.services().reports.top_open(&actor, request.project, request.per_category).await?;
    Ok(HttpResponse::Ok().json(TopResponse {
        project_id: request.project.map(|p| p.to_string()),
        per_category: request.per_category.get(),
        categories: groups.iter().map(TopCategoryResponse::from).collect(),
    }))
}
