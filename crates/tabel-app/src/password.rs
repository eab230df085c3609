//! Argon2id password hashing, off the async runtime and bounded: each hash takes a core for tens
//! of milliseconds, so a burst of logins must queue rather than starve every other request.

use crate::AppError;
use crate::blocking::Bounded;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes and verifies passwords.
#[derive(Debug, Clone)]
pub struct Hasher {
    pool: Bounded,
}

impl Hasher {
    /// At most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Hasher {
        Hasher {
            pool: Bounded::new(concurrency),
        }
    }

    /// A PHC string for the password.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.pool.run(move || hash_now(&password)).await?
    }

    /// Whether the password matches the stored hash. With no hash (an unknown login), a dummy hash
    /// is checked anyway so that the answer takes as long as for a real account.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, AppError> {
        self.pool
            .run(move || {
                let dummy;
                let phc = match &hash {
                    Some(h) => h.as_str(),
                    None => {
                        dummy = dummy_hash();
                        dummy.as_str()
                    }
                };
                // A one-time password from a login letter is random: kept as a fast hash.
                if let Some(otp) = phc.strip_prefix("otp$") {
                    let given = crate::setup::accounts::secret_hash(&password);
                    return constant_time_eq(otp.as_bytes(), given.as_bytes());
                }
                let ok = Argon2::default()
                    .verify_password(password.as_bytes(), phc)
                    .is_ok();
                ok && hash.is_some()
            })
            .await
    }
}

/// Hashes on the current thread (for the CLI and the generator, which are not serving requests).
pub fn hash_now(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_now("not a password of anyone").unwrap_or_default())
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let h = Hasher::new(1);
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            h.verify(Some(phc.clone()), "correct horse".into())
                .await
                .unwrap()
        );
        assert!(!h.verify(Some(phc), "Correct horse".into()).await.unwrap());
        assert!(
            !h.verify(None, "not a password of anyone".into())
                .await
                .unwrap()
        );
    }
}
