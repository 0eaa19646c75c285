//! Authentication use cases (`docs/security.md`): registration with the password policy, login with
//! throttling and constant-cost failure, refresh-token rotation with reuse detection, logout,
//! and password change.
//!
//! Everything here is pure domain logic over ports: hashing, signing and randomness come
//! from the `PasswordHasher`, `TokenIssuer` and `RefreshTokenMinter` adapters
//! (`taskforge-crypto`), time from the `Clock`.

/// The common-password list and the new-password policy.
mod common_passwords;
/// [`AuthError`].
mod errors;
/// [`AuthService`] itself.
mod service;
/// Wiring ([`AuthPorts`]) and configuration ([`AuthSettings`]).
mod settings;
/// The login throttle (token buckets per username and per address).
mod throttle;
/// The default throttle store, in this process's memory.
mod throttle_store;

pub use common_passwords::{
    check_new_password, common_password_count, ensure_uncommon, is_common_password,
};
pub use errors::AuthError;
pub use service::{AuthService, Session};
pub use settings::{AuthPorts, AuthSettings, Registration};
pub use throttle::{
    BucketSettings, KNOWN_CLIENT_DAYS, LoginThrottle, ThrottleError, ThrottleSettings,
    ThrottleTicket,
};
pub use throttle_store::InProcessThrottleStore;

/// Runs a future of the throttle's unit tests to completion without an async runtime (the
/// domain depends on none): the in-process store never waits on anything, so each poll makes
/// progress and the loop ends.
#[cfg(test)]
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}
