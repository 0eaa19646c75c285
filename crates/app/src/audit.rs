//! The audit log: an [`EventSubscriber`](taskforge_domain::ports::EventSubscriber) that writes
//! every domain event as one structured log line. Events carry ids, names and roles, never
//! passwords, hashes or tokens.

use taskforge_domain::events::{DomainEvent, EventKind};
use taskforge_domain::ports::EventSubscriber;

/// Logs domain events at `info` (authentication failures and token reuse at `warn`) under the
/// `audit` target, so operators can route them separately (`RUST_LOG=audit=info`).
#[derive(Debug, Default, Clone, Copy)]
pub struct AuditLog;

impl EventSubscriber for AuditLog {
    fn on_event(&self, event: &DomainEvent) {
        let actor = event.actor.map(|a| a.to_string()).unwrap_or_default();
        let at = event.at.to_rfc3339();
        let name = event.kind.name();
        match &event.kind {
            EventKind::LoginFailed { username } => {
                tracing::warn!(target: "audit", event = name, %at, username = %username, "login failed");
            }
            EventKind::RefreshTokenReused(user) => {
                tracing::warn!(target: "audit", event = name, %at, user = %user, "refresh token reused; family revoked");
            }
            EventKind::RoleChanged { user_id, from, to } => {
                tracing::info!(target: "audit", event = name, %at, actor = %actor, user = %user_id, from = %from, to = %to);
            }
            _ => tracing::info!(target: "audit", event = name, %at, actor = %actor),
        }
    }
}
