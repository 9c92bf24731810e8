//! Hash algorithms of the integrity digest, chosen by name.
//!
//! SHA-256 is the default; GOST R 34.11-2012 (Streebog, 256 and 512 bits) is the hash of
//! the national PKI's GOST 2015 keys, and GOST 34.311-95 (GOST R 34.11-94 with the "test"
//! S-box parameter set, H0 = 0) the hash of its GOST 2004 keys. A digest is written as
//! `<algorithm>:<lowercase hex of the bytes the hash function returns>`, so that a digest
//! names the algorithm that made it. Streebog and GOST 34.11-94 bytes are the hash API's
//! output order (the standards print them reversed).

use std::fmt;
use std::str::FromStr;

use digest::common::hazmat::{SerializableState, SerializedState};
use digest::Digest as _;

/// A hash algorithm of the integrity digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Algorithm {
    /// SHA-256 (FIPS 180-4), the default.
    #[default]
    Sha256,
    /// GOST R 34.11-2012 with a 256-bit output.
    Streebog256,
    /// GOST R 34.11-2012 with a 512-bit output.
    Streebog512,
    /// GOST 34.311-95: GOST R 34.11-94 with the test parameter set.
    Gost34311,
}

/// An algorithm name tekser does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown digest algorithm {0:?}; expected sha256, streebog256, streebog512 or gost34311")]
pub struct UnknownAlgorithm(pub String);

impl Algorithm {
    /// Every algorithm, in the order of the documentation.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::Sha256,
        Algorithm::Streebog256,
        Algorithm::Streebog512,
        Algorithm::Gost34311,
    ];

    /// The name used in digests, options and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Streebog256 => "streebog256",
            Algorithm::Streebog512 => "streebog512",
            Algorithm::Gost34311 => "gost34311",
        }
    }

    /// Length of the hash in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Algorithm::Streebog512 => 64,
            _ => 32,
        }
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Hasher {
        Hasher(match self {
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Streebog256 => State::Streebog256(streebog::Streebog256::new()),
            Algorithm::Streebog512 => State::Streebog512(streebog::Streebog512::new()),
            Algorithm::Gost34311 => State::Gost34311(gost94::Gost94Test::new()),
        })
    }

    /// The hash of `bytes`, as raw bytes.
    pub fn hash(self, bytes: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(bytes);
        h.finish()
    }

    /// The digest of `bytes` in the written form `<algorithm>:<hex>`.
    pub fn digest(self, bytes: &[u8]) -> String {
        format!("{}:{}", self.as_str(), hex(&self.hash(bytes)))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| UnknownAlgorithm(name.to_owned()))
    }
}

#[derive(Clone)]
enum State {
    Sha256(sha2::Sha256),
    Streebog256(streebog::Streebog256),
    Streebog512(streebog::Streebog512),
    Gost34311(gost94::Gost94Test),
}

/// An incremental hash of one of the [`Algorithm`]s.
#[derive(Clone)]
pub struct Hasher(State);

impl Hasher {
    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.0 {
            State::Sha256(h) => h.update(bytes),
            State::Streebog256(h) => h.update(bytes),
            State::Streebog512(h) => h.update(bytes),
            State::Gost34311(h) => h.update(bytes),
        }
    }

    /// The hasher's state as bytes (the algorithm first), for [`Hasher::from_state`] in
    /// another instance of this library: a WebAssembly page hashes on a second worker so.
    pub fn to_state(&self) -> Vec<u8> {
        fn with_tag<T: SerializableState>(tag: u8, h: &T) -> Vec<u8> {
            let mut out = vec![tag];
            out.extend_from_slice(&h.serialize());
            out
        }
        match &self.0 {
            State::Sha256(h) => with_tag(0, h),
            State::Streebog256(h) => with_tag(1, h),
            State::Streebog512(h) => with_tag(2, h),
            State::Gost34311(h) => with_tag(3, h),
        }
    }

    /// A hasher from the bytes of [`Hasher::to_state`]; `None` when they are not such bytes.
    pub fn from_state(bytes: &[u8]) -> Option<Hasher> {
        fn read<T: SerializableState>(bytes: &[u8]) -> Option<T> {
            let state = SerializedState::<T>::try_from(bytes).ok()?;
            T::deserialize(&state).ok()
        }
        let (tag, rest) = bytes.split_first()?;
        Some(Hasher(match tag {
            0 => State::Sha256(read(rest)?),
            1 => State::Streebog256(read(rest)?),
            2 => State::Streebog512(read(rest)?),
            3 => State::Gost34311(read(rest)?),
            _ => return None,
        }))
    }

    /// The hash of everything fed, as raw bytes.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            State::Sha256(h) => h.finalize().to_vec(),
            State::Streebog256(h) => h.finalize().to_vec(),
            State::Streebog512(h) => h.finalize().to_vec(),
            State::Gost34311(h) => h.finalize().to_vec(),
        }
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Splits a written digest `<algorithm>:<hex>` and checks its length.
pub fn parse_digest(text: &str) -> Option<(Algorithm, &str)> {
    let (name, hex) = text.split_once(':')?;
    let algorithm: Algorithm = name.parse().ok()?;
    let well_formed = hex.len() == algorithm.output_len() * 2
        && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then_some((algorithm, hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.as_str().parse::<Algorithm>(), Ok(a));
            assert_eq!(a.hash(b"").len(), a.output_len());
            let written = a.digest(b"abc");
            assert_eq!(parse_digest(&written).map(|(b, _)| b), Some(a));
        }
        assert!("md5".parse::<Algorithm>().is_err());
        assert_eq!(parse_digest("sha256:00"), None);
    }
}
