use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Why a label was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Empty, or more than 50 characters.
    #[error("label must be 1 to 50 characters, got {actual}")]
    Length {
        /// The length that was given, in characters.
        actual: usize,
    },
    /// A character other than a letter, a digit or `_ - . :`.
    #[error("label may only contain letters, digits and _ - . :")]
    InvalidCharacter,
}

/// A tag on a task: 1–50 characters of letters, digits and `_ - . :`, stored lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    /// The longest label accepted, in characters.
    pub const MAX_CHARS: usize = 50;

    /// Checks `raw` and lower-cases it.
    ///
    /// # Errors
    /// [`LabelError::Length`] or [`LabelError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, LabelError> {
        if !raw.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
            return Err(LabelError::InvalidCharacter);
        }
        let lower = raw.to_lowercase();
        // Lower-casing can change the length of some letters; the stored form is what counts.
        let actual = lower.chars().count();
        if actual == 0 || actual > Self::MAX_CHARS {
            return Err(LabelError::Length { actual });
        }
        // Lower-casing may produce combining marks (e.g. 'İ' → "i̇"); re-check the stored form.
        if !lower.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
            return Err(LabelError::InvalidCharacter);
        }
        Ok(Self(lower))
    }

    /// The label, lower case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Label {
    type Err = LabelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Why a set of labels was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelsError {
    /// More than 20 distinct labels.
    #[error("a task may have at most {max} labels", max = Labels::MAX)]
    TooMany,
    /// One of the labels is invalid.
    #[error("label {index}: {source}")]
    Invalid {
        /// Position of the offending label in the input.
        index: usize,
        /// What is wrong with it.
        source: LabelError,
    },
}

/// A task's labels: 0–20 distinct [`Label`]s, kept sorted so every adapter returns them in the
/// same order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Labels(BTreeSet<Label>);

impl Labels {
    /// The most labels a task may have (after de-duplication).
    pub const MAX: usize = 20;

    /// Parses, lower-cases and de-duplicates `raw`.
    ///
    /// # Errors
    /// [`LabelsError::Invalid`] naming the first bad label, or [`LabelsError::TooMany`] — checked
    /// as soon as the 21st distinct label appears, so a hostile list of thousands costs little.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, LabelsError> {
        let mut set = BTreeSet::new();
        for (index, item) in raw.iter().enumerate() {
            let label = Label::parse(item.as_ref())
                .map_err(|source| LabelsError::Invalid { index, source })?;
            set.insert(label);
            if set.len() > Self::MAX {
                return Err(LabelsError::TooMany);
            }
        }
        Ok(Self(set))
    }

    /// Builds from labels already parsed, de-duplicating them.
    ///
    /// # Errors
    /// [`LabelsError::TooMany`] for more than 20 distinct labels.
    pub fn from_labels<I: IntoIterator<Item = Label>>(labels: I) -> Result<Self, LabelsError> {
        let set: BTreeSet<Label> = labels.into_iter().collect();
        if set.len() > Self::MAX {
            return Err(LabelsError::TooMany);
        }
        Ok(Self(set))
    }

    /// No labels.
    #[must_use]
    pub const fn none() -> Self {
        Self(BTreeSet::new())
    }

    /// The labels in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter()
    }

    /// True when `label` is one of them.
    #[must_use]
    pub fn contains(&self, label: &Label) -> bool {
        self.0.contains(label)
    }

    /// How many labels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = &'a Label;
    type IntoIter = std::collections::btree_set::Iter<'a, Label>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
