//! The common-password rule (NIST SP 800-63B §5.1.1.2: refuse passwords found in
//! lists of commonly used or compromised values).
//!
//! The list is the 30,000 most common passwords from zxcvbn (MIT), bundled in
//! `data/common-passwords.txt` with its source and licence in `data/README.md`. It is embedded
//! at compile time and turned into a hash set on first use, once per process.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::values::{Password, PasswordError};

/// The bundled list: one password per line, lower case, `#` lines are comments.
const LIST: &str = include_str!("../../../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).collect()
    })
}

/// How many passwords the bundled list holds.
#[must_use]
pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// True when `candidate` is in the bundled list, ignoring case and surrounding white space
/// (`Password1`, `PASSWORD1` and ` password1 ` are all `password1`).
#[must_use]
pub fn is_common_password(candidate: &str) -> bool {
    let set = common_passwords();
    let lower = candidate.to_lowercase();
    set.contains(lower.as_str()) || set.contains(lower.trim())
}

/// The whole policy for a *new* password: 8–128 characters, not in the common list.
///
/// # Errors
/// [`PasswordError::TooShort`], [`PasswordError::TooLong`] or [`PasswordError::TooCommon`];
/// each message names its rule.
///
/// ```
/// use taskforge_domain::services::check_new_password;
/// use taskforge_domain::values::PasswordError;
///
/// assert_eq!(check_new_password("qwertyuiop").unwrap_err(), PasswordError::TooCommon);
/// assert_eq!(check_new_password("short").unwrap_err().to_string(), "password must be at least 8 characters");
/// assert!(check_new_password("correct horse battery staple").is_ok());
/// ```
pub fn check_new_password(raw: &str) -> Result<Password, PasswordError> {
    let password = Password::parse(raw)?;
    ensure_uncommon(&password)?;
    Ok(password)
}

/// The common-list half of the policy, for a password already parsed.
///
/// # Errors
/// [`PasswordError::TooCommon`].
pub fn ensure_uncommon(password: &Password) -> Result<(), PasswordError> {
    if is_common_password(password.expose_secret()) {
        Err(PasswordError::TooCommon)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_at_least_the_10000_most_common_passwords() {
        assert!(common_password_count() >= 10_000, "{}", common_password_count());
        assert_eq!(LIST.lines().find(|l| !l.starts_with('#')), Some("123456"));
    }

    #[test]
    fn common_passwords_are_found_whatever_their_case() {
        for common in ["password", "12345678", "iloveyou", "PASSWORD1", " Qwertyuiop ", "trustno1"]
        {
            assert!(is_common_password(common), "{common}");
        }
        for rare in ["correct horse battery staple", "x7#Lq!v9@Wz", ""] {
            assert!(!is_common_password(rare), "{rare}");
        }
    }

    #[test]
    fn the_policy_names_the_rule_that_failed() {
        let messages = [
            ("1234567", "password must be at least 8 characters"),
            (&"a".repeat(129), "password must be at most 128 characters"),
            ("baseball", "password is too common"),
        ];
        for (raw, message) in messages {
            assert_eq!(check_new_password(raw).unwrap_err().to_string(), message);
        }
        assert!(check_new_password(&"a quite long passphrase! ".repeat(5)[..120]).is_ok());
    }
}
