//! Ed25519 signatures of sign-offs: key pairs in PKCS#8 PEM files, signatures
//! and public keys as hex in `preflight/signoffs.toml`.
//!
//! A signature covers one line per field of the sign-off (see
//! [`signoff_message`]), so neither the digest, the role, the name nor the date
//! can be changed without breaking it.
//!
//! ```
//! use preflight_core::meta::Role;
//! use preflight_core::signing::{KeyPair, signoff_message, verify};
//!
//! let keys = KeyPair::generate().unwrap();
//! let date = jiff::civil::date(2026, 11, 24);
//! let message = signoff_message(Role::RiskManager, "Ann Lee", date, "sha256:00");
//! let signature = keys.sign(&message);
//! assert!(verify(&keys.public_key_hex(), &signature, &message).is_ok());
//! let forged = signoff_message(Role::RiskManager, "Ann Lee", date, "sha256:01");
//! assert!(verify(&keys.public_key_hex(), &signature, &forged).is_err());
//! ```

use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::meta::Role;

/// The bytes a sign-off signature covers.
#[must_use]
pub fn signoff_message(role: Role, name: &str, date: jiff::civil::Date, digest: &str) -> String {
    format!("preflight sign-off v1\nrole: {role}\nname: {name}\ndate: {date}\ndigest: {digest}\n")
}

/// Why a key or signature cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The operating system gave no randomness for a new key.
    #[error("cannot generate a key: the operating system's random source failed ({0})")]
    Random(String),
    /// A key file could not be read or written.
    #[error("key file `{path}`: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A key file holds no Ed25519 key in PKCS#8 PEM.
    #[error(
        "key file `{path}` holds no Ed25519 key in PEM form ({message}); make a key pair with `preflight sign --generate-key`"
    )]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// A public key that is not 32 bytes of hex on the curve.
    #[error("public key `{0}` is not an Ed25519 public key (64 hex digits)")]
    BadPublicKey(String),
    /// A signature that is not 64 bytes of hex.
    #[error("signature is not 128 hex digits")]
    BadSignature,
    /// The signature does not match the message and key.
    #[error("the signature does not match: the signed record was changed or another key signed it")]
    Mismatch,
}

/// An Ed25519 key pair.
pub struct KeyPair {
    key: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private half.
        f.debug_struct("KeyPair")
            .field("public_key", &self.public_key_hex())
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A new key pair from the operating system's random source.
    pub fn generate() -> Result<Self, SigningError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| SigningError::Random(e.to_string()))?;
        Ok(KeyPair {
            key: SigningKey::from_bytes(&secret),
        })
    }

    /// Reads a private key from a PKCS#8 PEM file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SigningError> {
        let path = path.as_ref();
        let key = read_pem(path, |text| {
            SigningKey::from_pkcs8_pem(text).map_err(|e| e.to_string())
        })?;
        Ok(KeyPair { key })
    }

    /// Writes the private key (PKCS#8 PEM, readable by its owner only on Unix)
    /// to `path` and the public key to `path` with `.pub` appended; neither
    /// file may exist already.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<PathBuf, SigningError> {
        let path = path.as_ref();
        let io = |source| SigningError::Io {
            path: path.to_owned(),
            source,
        };
        let private = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let public = self
            .key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let mut public_path = path.as_os_str().to_owned();
        public_path.push(".pub");
        let public_path = PathBuf::from(public_path);
        write_new(path, private.as_bytes(), true).map_err(io)?;
        write_new(&public_path, public.as_bytes(), false).map_err(|source| SigningError::Io {
            path: public_path.clone(),
            source,
        })?;
        Ok(public_path)
    }

    /// The public key as 64 hex digits, as sign-off records store it.
    #[must_use]
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Signs `message`; the signature as 128 hex digits.
    #[must_use]
    pub fn sign(&self, message: &str) -> String {
        hex::encode(self.key.sign(message.as_bytes()).to_bytes())
    }
}

/// Reads a public key from a PEM file (`.pub`, as [`KeyPair::save`] writes it)
/// and returns it as hex.
pub fn load_public_key(path: impl AsRef<Path>) -> Result<String, SigningError> {
    let key = read_pem(path.as_ref(), |text| {
        VerifyingKey::from_public_key_pem(text).map_err(|e| e.to_string())
    })?;
    Ok(hex::encode(key.as_bytes()))
}

/// Checks `signature` (hex) of `message` by `public_key` (hex).
pub fn verify(public_key: &str, signature: &str, message: &str) -> Result<(), SigningError> {
    let key_bytes: [u8; 32] = hex::decode(public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| SigningError::BadPublicKey(public_key.to_owned()))?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| SigningError::BadPublicKey(public_key.to_owned()))?;
    let sig_bytes: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SigningError::BadSignature)?;
    key.verify(message.as_bytes(), &Signature::from_bytes(&sig_bytes))
        .map_err(|_| SigningError::Mismatch)
}

/// Reads a PEM key file and decodes it with `decode`.
fn read_pem<K>(
    path: &Path,
    decode: impl FnOnce(&str) -> Result<K, String>,
) -> Result<K, SigningError> {
    let text = std::fs::read_to_string(path).map_err(|source| SigningError::Io {
        path: path.to_owned(),
        source,
    })?;
    decode(&text).map_err(|message| SigningError::BadKeyFile {
        path: path.to_owned(),
        message,
    })
}

fn write_new(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        let keys = KeyPair::generate().unwrap();
        let public_path = keys.save(&path).unwrap();
        let loaded = KeyPair::load(&path).unwrap();
        assert_eq!(loaded.public_key_hex(), keys.public_key_hex());
        assert_eq!(
            load_public_key(&public_path).unwrap(),
            keys.public_key_hex()
        );
        // Never overwrites a key.
        assert!(keys.save(&path).is_err());
        let err = KeyPair::load(&public_path).unwrap_err();
        assert!(err.to_string().contains("--generate-key"), "{err}");
    }

    #[test]
    fn tampered_signatures_fail() {
        let keys = KeyPair::generate().unwrap();
        let other = KeyPair::generate().unwrap();
        let sig = keys.sign("m");
        assert!(verify(&keys.public_key_hex(), &sig, "m").is_ok());
        assert!(matches!(
            verify(&other.public_key_hex(), &sig, "m"),
            Err(SigningError::Mismatch)
        ));
        assert!(matches!(
            verify(&keys.public_key_hex(), "00", "m"),
            Err(SigningError::BadSignature)
        ));
        assert!(verify("zz", &sig, "m").is_err());
    }
}
