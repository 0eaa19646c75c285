/// The page size asked for was outside 1–200.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and {max}", max = PageLimit::MAX)]
pub struct PageLimitError;

/// How many items one page of a listing holds: 1–200, 50 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageLimit(u16);

impl PageLimit {
    /// The largest page.
    pub const MAX: u16 = 200;
    /// The page size when none is asked for.
    pub const DEFAULT: Self = Self(50);

    /// Checks `n`.
    ///
    /// # Errors
    /// [`PageLimitError`] when `n` is 0 or above [`Self::MAX`].
    pub fn new(n: u64) -> Result<Self, PageLimitError> {
        u16::try_from(n)
            .ok()
            .filter(|n| (1..=Self::MAX).contains(n))
            .map(Self)
            .ok_or(PageLimitError)
    }

    /// The page size.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

impl Default for PageLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}
