//! **Not yet implemented — reserved for the authentication routes.**
//!
//! `POST /api/v1/auth/register`, `/login`, `/refresh`, `/logout` and
//! `PUT /api/v1/users/me/password` (design §5) arrive together with the domain's
//! `AuthService` (`crates/domain/src/services/auth/`, being written separately). They will be
//! mounted from here by `routes::configure` and listed in `openapi.rs`; until then none of
//! these paths is served (they answer 404), and nothing pretends otherwise.
//!
//! Notes for whoever fills this in: login answers 401 with the same body for an unknown user
//! and a wrong password, and 429 with `Retry-After` when throttled (add a `TooManyRequests`
//! kind to `error::ProblemKind`); the bodies deny unknown fields like every other.
