//! The HTTP server: built from settings, bound to its port, run until a signal stops it.

use actix_web::HttpServer;
use actix_web::dev::Server;
use actix_web::http::KeepAlive;
use taskforge_domain::services::Registration;
use taskforge_http::{
    AppState, HttpMetrics, HttpSettings, LiveUpdates, build_app_with, watch_connections,
};
use taskforge_web::{WebSettings, WebState};

use crate::settings::{CommonSettings, JwtSecret, ServeSettings, default_workers};
use crate::store_metrics;
use crate::web_client_addresses::ProxiedClientAddresses;
use crate::wiring::{StartError, Store, Wired, wire};

/// The web interface's state: the same use cases the API calls.
fn web_state(wired: &Wired, serve: &ServeSettings) -> WebState {
    WebState::new(
        wired.services.clone(),
        WebSettings {
            secure_cookies: serve.public_url_is_https(),
            registration_open: serve.registration == Registration::Open,
        },
    )
    .with_exports(std::sync::Arc::new(crate::web_exports::ApiExportFormats))
    .with_client_addresses(std::sync::Arc::new(ProxiedClientAddresses(
        serve.trusted_proxies.clone(),
    )))
    .with_feed(wired.feed.clone())
}

/// A built, bound, not yet running server (zero-to-production's start-up shape).
pub struct Application {
    port: u16,
    server: Server,
    wired: Wired,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Application {
    /// Wires everything and binds the listener (port 0 picks a free one).
    ///
    /// # Errors
    /// [`StartError`] for unusable settings, an unopenable store or an unbindable address.
    pub async fn build(common: &CommonSettings, serve: &ServeSettings) -> Result<Self, StartError> {
        let wired = wire(common, serve).await?;
        wired
            .auth
            .warm_up()
            .await
            .map_err(|e| StartError::Other(format!("cannot prepare password hashing: {e}")))?;
        let limits = serve.limits;
        let http_settings = HttpSettings::new(serve.cors_origins.clone())
            .map_err(|e| StartError::Other(format!("invalid CORS origin {:?}", e.0)))?
            .with_trusted_proxies(serve.trusted_proxies.clone())
            .with_body_timeout(limits.client_body_timeout);
        let metrics = HttpMetrics::new();
        store_metrics::maintain(
            &metrics,
            match &wired.store {
                Store::Sqlite(db) => Some(db.clone()),
                Store::Memory(_) | Store::Postgres(_) => None,
            },
        );
        if let Store::Postgres(db) = &wired.store {
            crate::postgres_metrics::maintain(&metrics, db.clone());
        }
        crate::trash_sweep::maintain(
            wired.services.trash.clone(),
            wired.clock.clone(),
            serve.trash_retention,
        );
        let live = LiveUpdates::new(wired.feed.clone(), serve.events, &metrics);
        let state =
            AppState::new(wired.services.clone(), wired.tokens.clone(), wired.clock.clone())
                .with_readiness(wired.readiness.clone())
                .with_metrics(metrics)
                .with_live_updates(live);
        // Every connection limit is set explicitly (docs/operations.md, "Limits"), and the
        // backlog before binding, which is when it takes effect.
        let workers = serve.workers.unwrap_or_else(default_workers);
        // The web interface is a second driving adapter over the same services, mounted on
        // the same server and port behind the same middleware (crates/web).
        let web_state = web_state(&wired, serve);
        let mut server = HttpServer::new(move || {
            let web_state = web_state.clone();
            build_app_with(state.clone(), http_settings.clone(), move |cfg| {
                cfg.app_data(actix_web::web::Data::new(web_state));
                taskforge_web::configure(cfg);
                cfg.default_service(actix_web::web::to(crate::not_found::not_found));
            })
        });
        // actix times only the first request's head; the watch times the heads that follow
        // on a kept-alive connection (crates/http/src/middleware/connection_watch.rs).
        if let Some(keep_alive) = limits.keep_alive {
            server =
                server.on_connect(watch_connections(keep_alive + limits.client_request_timeout));
        }
        let server = server
            .shutdown_timeout(serve.shutdown_grace.as_secs())
            .workers(workers)
            .max_connections(limits.connections_per_worker(workers))
            .backlog(limits.backlog)
            .client_request_timeout(limits.client_request_timeout)
            .client_disconnect_timeout(limits.client_disconnect_timeout)
            .keep_alive(limits.keep_alive.map_or(KeepAlive::Disabled, KeepAlive::Timeout))
            // Every address a host name resolved to; the start fails only when none can be
            // bound (`localhost` on a machine without IPv6 still serves on 127.0.0.1).
            .bind(serve.bind.addrs())
            .map_err(|e| {
                StartError::Config(crate::settings::ConfigError {
                    variable: "TASKFORGE_BIND",
                    message: format!("cannot listen on {}: {e}", serve.bind),
                })
            })?;
        let addrs = server.addrs();
        let port = addrs.first().map(std::net::SocketAddr::port).ok_or_else(|| {
            StartError::Other(format!("{} resolved to no address to listen on", serve.bind))
        })?;
        let listening = addrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let server = server.run();
        // Only now, when nothing can refuse the start any more: a configuration error is
        // then the one line a refused start prints.
        if serve.jwt_secret == JwtSecret::Ephemeral {
            tracing::warn!(
                "TASKFORGE_JWT_SECRET is not set: using a random key for this process; \
                 every restart logs everyone out"
            );
        }
        tracing::info!(
            port,
            database = %wired.store.location(common),
            "taskforge listening on {listening}"
        );
        Ok(Self { port, server, wired })
    }

    /// The port the server listens on.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish (up to the grace
    /// period) before returning.
    ///
    /// # Errors
    /// An I/O error of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Event streams never finish by themselves: at the signal actix acts on, end them,
        // so the graceful shutdown waits only for ordinary requests (clients reconnect to
        // another instance with `Last-Event-ID`).
        let hub = self.wired.hub.clone();
        let closer = tokio::spawn(async move {
            shutdown_signal().await;
            hub.close();
        });
        let result = self.server.await;
        closer.abort();
        drop(self.wired);
        tracing::info!("taskforge stopped");
        result
    }
}

/// SIGTERM or SIGINT, the signals actix's graceful shutdown starts on.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
