//! What the handlers share, built by the app crate through constructor injection.

use std::sync::Arc;

use taskforge_domain::services::ChangeFeed;

use crate::client_address::{ClientAddresses, PeerAddress};
use crate::export::{ExportFormats, NoExports};

/// The use cases the pages call: the domain's `Services` facade, the very bundle the JSON
/// API receives (a clone of it, so both share the throttles).
pub use taskforge_domain::services::Services as WebServices;

/// Settings of the web interface, read by the app crate from its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WebSettings {
    /// Marks the session cookie `Secure`: set when the public URL is https, so the cookie
    /// never travels over plain HTTP (it cannot be set over plain HTTP in development).
    pub secure_cookies: bool,
    /// Whether the register page is offered (self-registration is open).
    pub registration_open: bool,
}

/// The state every handler receives as `web::Data<WebState>`.
#[derive(Debug, Clone)]
pub struct WebState {
    /// The use cases.
    pub services: WebServices,
    /// The settings.
    pub settings: WebSettings,
    /// The export formats (the app crate hands in the API's exporters).
    pub exports: Arc<dyn ExportFormats>,
    /// Who the client is, for the login and registration throttles (the app crate hands in
    /// the API's trusted-proxy rule; by default the TCP peer).
    pub client_addresses: Arc<dyn ClientAddresses>,
    /// The live change feed the board's stream reads (`None`: the board is not live).
    pub feed: Option<ChangeFeed>,
}

impl WebState {
    /// The state from its collaborators, without export formats, taking the TCP peer as
    /// the client.
    #[must_use]
    pub fn new(services: WebServices, settings: WebSettings) -> Self {
        Self {
            services,
            settings,
            exports: Arc::new(NoExports),
            client_addresses: Arc::new(PeerAddress),
            feed: None,
        }
    }

    /// Makes the board live from `feed` (the same feed as the API's event streams).
    #[must_use]
    pub fn with_feed(mut self, feed: ChangeFeed) -> Self {
        self.feed = Some(feed);
        self
    }

    /// Serves exports in these formats.
    #[must_use]
    pub fn with_exports(mut self, exports: Arc<dyn ExportFormats>) -> Self {
        self.exports = exports;
        self
    }

    /// Resolves the client's address with `addresses` (e.g. believing `X-Forwarded-For`
    /// from trusted reverse proxies) instead of taking the TCP peer.
    #[must_use]
    pub fn with_client_addresses(mut self, addresses: Arc<dyn ClientAddresses>) -> Self {
        self.client_addresses = addresses;
        self
    }
}
