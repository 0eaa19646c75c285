/// The number of tasks per category asked for was outside 1–50.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("per_category must be a whole number from 1 to {max}", max = PerCategory::MAX)]
pub struct PerCategoryError;

/// How many open tasks the "top open tasks" report shows per category: 1–50, 3 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PerCategory(u8);

impl PerCategory {
    /// The most tasks per category.
    pub const MAX: u8 = 50;
    /// The number when none is asked for.
    pub const DEFAULT: Self = Self(3);

    /// Checks `n`.
    ///
    /// # Errors
    /// [`PerCategoryError`] when `n` is 0 or above [`Self::MAX`].
    pub fn new(n: u64) -> Result<Self, PerCategoryError> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=Self::MAX).contains(n))
            .map(Self)
            .ok_or(PerCategoryError)
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

impl Default for PerCategory {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_to_fifty_is_accepted() {
        assert_eq!(PerCategory::new(0), Err(PerCategoryError));
        assert_eq!(PerCategory::new(51), Err(PerCategoryError));
        assert_eq!(PerCategory::new(256), Err(PerCategoryError));
        assert_eq!(PerCategory::new(1).map(PerCategory::get), Ok(1));
        assert_eq!(PerCategory::new(50).map(PerCategory::get), Ok(50));
        assert_eq!(PerCategory::default().get(), 3);
    }
}
