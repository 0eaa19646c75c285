//! [`Pbkdf2Hasher`](crate::Pbkdf2Hasher): the [`PasswordHasher`](taskforge_domain::ports::PasswordHasher) port with PBKDF2-HMAC-SHA256.
//!
//! Why PBKDF2 and not Argon2: it is FIPS-approved, has one parameter to tune, and is what
//! OWASP's 2023 cheat sheet specifies at 600,000 iterations for SHA-256 (ADR 0006). The PHC
//! string carries its parameters, so moving to a stronger setting later is a configuration
//! change: [`PasswordHasher::needs_rehash`](taskforge_domain::ports::PasswordHasher::needs_rehash) flags older hashes and login re-hashes them.

use async_trait::async_trait;
use subtle::ConstantTimeEq as _;
use taskforge_domain::ports::{HashError, PasswordHasher};
use taskforge_domain::values::{Password, PasswordHash};

use crate::phc::{self, Pbkdf2Phc};
use crate::pool::BoundedPool;

/// Bytes of salt per hash (NIST SP 800-132 asks for at least 16).
const SALT_LEN: usize = 16;
/// Bytes of derived key: SHA-256's output size; longer would only cost the defender.
const HASH_LEN: usize = 32;

/// Settings for [`Pbkdf2Hasher`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pbkdf2Config {
    /// PBKDF2 iterations for new hashes. Default 600,000 (OWASP 2023 for PBKDF2-HMAC-SHA256).
    pub iterations: u32,
    /// How many hashes may run at once. Default: half the cores, at least one — the other
    /// half keeps serving requests while a burst of logins hashes.
    pub max_concurrent: usize,
    /// How many more may wait for a slot before further requests are refused as overloaded
    /// (503). Default 128: a burst of 50 logins (the benchmark's login burst) queues rather than
    /// failing, and at ~70 ms per hash on one worker the longest wait stays under ten seconds.
    pub max_queued: usize,
}

impl Pbkdf2Config {
    /// The default iteration count.
    pub const DEFAULT_ITERATIONS: u32 = 600_000;
    /// The lowest iteration count [`Pbkdf2Hasher::new`] accepts. It exists so that tests can run
    /// fast; it is far too low for production, where the default should be kept.
    pub const MIN_ITERATIONS: u32 = 1_000;
    /// The highest iteration count accepted (also the most a stored hash may ask for).
    pub const MAX_ITERATIONS: u32 = phc::MAX_ITERATIONS;
    /// The default wait-queue length.
    pub const DEFAULT_MAX_QUEUED: usize = 128;

    /// The defaults with another iteration count (tests use e.g. 1,000).
    #[must_use]
    pub fn with_iterations(iterations: u32) -> Self {
        Self { iterations, ..Self::default() }
    }
}

impl Default for Pbkdf2Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self {
            iterations: Self::DEFAULT_ITERATIONS,
            max_concurrent: (cores / 2).max(1),
            max_queued: Self::DEFAULT_MAX_QUEUED,
        }
    }
}

/// A [`Pbkdf2Config`] that [`Pbkdf2Hasher::new`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pbkdf2ConfigError {
    /// Fewer iterations than [`Pbkdf2Config::MIN_ITERATIONS`].
    #[error("pbkdf2 iterations must be at least {min}, got {given}", min = Pbkdf2Config::MIN_ITERATIONS)]
    TooFewIterations {
        /// The configured count.
        given: u32,
    },
    /// More iterations than [`Pbkdf2Config::MAX_ITERATIONS`].
    #[error("pbkdf2 iterations must be at most {max}, got {given}", max = Pbkdf2Config::MAX_ITERATIONS)]
    TooManyIterations {
        /// The configured count.
        given: u32,
    },
    /// `max_concurrent` is zero: nothing could ever be hashed.
    #[error("pbkdf2 hashing needs at least one concurrent worker")]
    NoWorkers,
}

/// PBKDF2-HMAC-SHA256 password hashing: 16-byte salt from the operating system's generator,
/// 32-byte output, PHC string `$pbkdf2-sha256$i=600000,l=32$<salt>$<hash>` (salt and hash in
/// unpadded standard base64), constant-time verification, work on a bounded blocking pool.
///
/// ```
/// # tokio_test_block_on(async {
/// use taskforge_crypto::{Pbkdf2Config, Pbkdf2Hasher};
/// use taskforge_domain::ports::PasswordHasher;
/// use taskforge_domain::values::Password;
///
/// let hasher = Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(1_000)).unwrap();
/// let password = Password::parse("correct horse battery staple").unwrap();
/// let hash = hasher.hash(&password).await.unwrap();
/// assert!(hash.as_str().starts_with("$pbkdf2-sha256$i=1000,l=32$"));
/// assert!(hasher.verify(&password, &hash).await.unwrap());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug)]
pub struct Pbkdf2Hasher {
    iterations: u32,
    pool: BoundedPool,
}

impl Pbkdf2Hasher {
    /// A hasher with these settings.
    ///
    /// # Errors
    /// [`Pbkdf2ConfigError`] when the iteration count is outside
    /// [`Pbkdf2Config::MIN_ITERATIONS`]..=[`Pbkdf2Config::MAX_ITERATIONS`] or no worker is
    /// allowed.
    pub fn new(config: Pbkdf2Config) -> Result<Self, Pbkdf2ConfigError> {
        let given = config.iterations;
        if given < Pbkdf2Config::MIN_ITERATIONS {
            return Err(Pbkdf2ConfigError::TooFewIterations { given });
        }
        if given > Pbkdf2Config::MAX_ITERATIONS {
            return Err(Pbkdf2ConfigError::TooManyIterations { given });
        }
        if config.max_concurrent == 0 {
            return Err(Pbkdf2ConfigError::NoWorkers);
        }
        Ok(Self {
            iterations: given,
            pool: BoundedPool::new(config.max_concurrent, config.max_queued),
        })
    }

    /// The iteration count used for new hashes.
    #[must_use]
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }
}

#[async_trait]
impl PasswordHasher for Pbkdf2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let mut salt = [0_u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| HashError::Other(Box::new(e)))?;
        // The job must own its input ('static); the copy lives only as long as the job.
        let secret = password.expose_secret().to_owned();
        let iterations = self.iterations;
        let phc = self
            .pool
            .run(move || Pbkdf2Phc::derive(secret.as_bytes(), &salt, iterations, HASH_LEN))
            .await?;
        PasswordHash::parse(&phc.to_string()).map_err(|e| HashError::Other(Box::new(e)))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HashError> {
        let stored = Pbkdf2Phc::parse(hash.as_str()).ok_or(HashError::UnsupportedFormat)?;
        let secret = password.expose_secret().to_owned();
        self.pool
            .run(move || {
                let candidate = Pbkdf2Phc::derive(
                    secret.as_bytes(),
                    &stored.salt,
                    stored.iterations,
                    stored.hash.len(),
                );
                // Constant-time: the time taken does not depend on where the bytes differ.
                bool::from(candidate.hash.ct_eq(&stored.hash))
            })
            .await
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        Pbkdf2Phc::parse(hash.as_str()).is_none_or(|stored| {
            stored.iterations < self.iterations
                || stored.hash.len() < HASH_LEN
                || stored.salt.len() < SALT_LEN
        })
    }
}

#[cfg(test)]
mod tests;
