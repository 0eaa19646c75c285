//! What the handlers share: the domain services and the ports the edge itself needs, built by
//! the app crate through constructor injection (no globals).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::Clock;
use taskforge_domain::ports::TokenIssuer;
/// The use cases the routes call: the domain's facade, built by the app crate from the ports.
pub use taskforge_domain::services::Services;

use crate::events::LiveUpdates;
use crate::metrics::HttpMetrics;

/// Why the service is not ready, for the log and the 503 detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady(pub String);

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What `GET /ready` asks: can requests be served now (database reachable, migrations
/// applied)? The storage adapter's wiring in the app crate implements it; the domain has no
/// port for this because it is an operational question, not a use case.
#[async_trait]
pub trait ReadinessCheck: Send + Sync + fmt::Debug {
    /// `Ok` when ready.
    ///
    /// # Errors
    /// [`NotReady`] naming what is missing.
    async fn check(&self) -> Result<(), NotReady>;
}

/// Ready as soon as the process serves (for the memory store, which has nothing to wait for).
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysReady;

#[async_trait]
impl ReadinessCheck for AlwaysReady {
    async fn check(&self) -> Result<(), NotReady> {
        Ok(())
    }
}

/// The state every handler receives as `web::Data<AppState>`.
#[derive(Debug, Clone)]
pub struct AppState {
    services: Services,
    tokens: Arc<dyn TokenIssuer>,
    clock: Arc<dyn Clock>,
    readiness: Arc<dyn ReadinessCheck>,
    metrics: HttpMetrics,
    live: Option<LiveUpdates>,
}

impl AppState {
    /// The state from its collaborators; readiness defaults to [`AlwaysReady`] and metrics to
    /// a fresh registry.
    #[must_use]
    pub fn new(services: Services, tokens: Arc<dyn TokenIssuer>, clock: Arc<dyn Clock>) -> Self {
        Self {
            services,
            tokens,
            clock,
            readiness: Arc::new(AlwaysReady),
            metrics: HttpMetrics::new(),
            live: None,
        }
    }

    /// Serves `GET /api/v1/events` from `live` (without, the route answers 503).
    #[must_use]
    pub fn with_live_updates(mut self, live: LiveUpdates) -> Self {
        self.live = Some(live);
        self
    }

    /// The live updates, when configured.
    #[must_use]
    pub const fn live_updates(&self) -> Option<&LiveUpdates> {
        self.live.as_ref()
    }

    /// Uses `readiness` for `GET /ready`.
    #[must_use]
    pub fn with_readiness(mut self, readiness: Arc<dyn ReadinessCheck>) -> Self {
        self.readiness = readiness;
        self
    }

    /// Records into `metrics` (e.g. one the app also feeds with pool gauges).
    #[must_use]
    pub fn with_metrics(mut self, metrics: HttpMetrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The use cases.
    #[must_use]
    pub const fn services(&self) -> &Services {
        &self.services
    }

    /// The access-token verifier.
    #[must_use]
    pub fn tokens(&self) -> &dyn TokenIssuer {
        &*self.tokens
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// The readiness check.
    #[must_use]
    pub fn readiness(&self) -> &dyn ReadinessCheck {
        &*self.readiness
    }

    /// The metrics registry.
    #[must_use]
    pub const fn metrics(&self) -> &HttpMetrics {
        &self.metrics
    }
}
