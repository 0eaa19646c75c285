//! Ports: the traits the domain needs the outside world to implement.
//!
//! Not every port is async. The repositories, [`ThrottleStore`] and [`PasswordHasher`] wait on
//! I/O or on slow work, so they are `#[async_trait]`; [`TokenIssuer`], [`RefreshTokenMinter`], [`CursorSealer`]
//! and [`EventPublisher`] do a little CPU work and return, so they are plain synchronous traits
//! (an event subscriber that needs I/O must hand it off itself). [`Clock`] and [`EventSubscriber`]
//! are synchronous too. Every port lives here, in this one module; the values the ports deal in
//! live in `values` (`Timestamp`), `events` (`DomainEvent`) and `model`.
//!
//! All are `Send + Sync` and object-safe, used as `Arc<dyn …>` so the app crate can choose
//! adapters at run time (ADR 0002). Each method documents its contract; the `testing`
//! feature's contract suite checks exactly those sentences.
//!
//! [`PasswordHasher`]: crate::ports::PasswordHasher
//! [`ThrottleStore`]: crate::ports::ThrottleStore
//! [`TokenIssuer`]: crate::ports::TokenIssuer
//! [`RefreshTokenMinter`]: crate::ports::RefreshTokenMinter
//! [`CursorSealer`]: crate::ports::CursorSealer
//! [`EventPublisher`]: crate::ports::EventPublisher
//! [`Clock`]: crate::ports::Clock
//! [`EventSubscriber`]: crate::ports::EventSubscriber

mod category_repository;
mod clock;
mod cursor_sealer;
mod events;
mod history_repository;
mod live_changes;
mod password_hasher;
mod project_repository;
mod refresh_token_minter;
mod refresh_token_repository;
mod report_repository;
mod repositories;
mod repository_error;
mod task_repository;
mod throttle_store;
mod token_issuer;
mod trash_repository;
mod user_repository;

pub use category_repository::CategoryRepository;
pub use clock::{Clock, SystemClock};
pub use cursor_sealer::CursorSealer;
pub use events::{EventPublisher, EventSubscriber};
pub use history_repository::HistoryRepository;
pub use live_changes::{LiveChanges, LiveEntry, LiveNext, LiveSubscription};
pub use password_hasher::{HashError, PasswordHasher};
pub use project_repository::ProjectRepository;
pub use refresh_token_minter::{MintError, RefreshToken, RefreshTokenMinter};
pub use refresh_token_repository::{RefreshTokenRecord, RefreshTokenRepository, TokenDigest};
pub use report_repository::ReportRepository;
pub use repositories::Repositories;
pub use repository_error::{Entity, RepositoryError};
pub use task_repository::{TaskRepository, TreeGuards, VersionGuard};
pub use throttle_store::{ThrottleStore, ThrottleSwap};
pub use token_issuer::{AccessToken, Claims, TokenError, TokenIssuer};
pub use trash_repository::TrashRepository;
pub use user_repository::UserRepository;
