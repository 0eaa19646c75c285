/// Seals the positions a listing hands out as `next_cursor`, so that a cursor reveals nothing
/// of what it holds (a title sort's cursor holds the last title) and cannot be forged or
/// altered: authenticated encryption under a key only the service knows.
///
/// Unlike the other ports it is synchronous: sealing a few hundred bytes costs microseconds
/// and touches no I/O, so making every listing await it would buy nothing.
///
/// The domain decides *what* a cursor holds ([`crate::query::Cursor::to_bytes`]) and how it is
/// written ([`crate::query::CursorCodec`]); an adapter decides how it is sealed (ADR 0011).
pub trait CursorSealer: Send + Sync + std::fmt::Debug {
    /// `plain`, encrypted and authenticated. Sealing the same bytes twice may give different
    /// results (a fresh nonce each time).
    fn seal(&self, plain: &[u8]) -> Vec<u8>;

    /// The bytes [`CursorSealer::seal`] sealed, or `None` for anything it did not seal under a
    /// key it still holds — altered, truncated, forged, or sealed by another deployment.
    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>>;
}
