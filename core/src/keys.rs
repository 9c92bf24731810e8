//! Keys seen in a packet, in fixed-size memory per key.
//!
//! Duplicate detection needs every key of a packet until the packet ends: with a million
//! records, keeping the key texts would cost more than the rest of the validator. A
//! [`KeySet`] keeps a 128-bit digest (truncated SHA-256, so no two keys of real data
//! collide) and where the key was first seen: 24 bytes a key, whatever its length. New
//! keys go to a small hash table; when it fills up it is sorted and merged into one
//! sorted vector, in place, so memory is the keys themselves and no more.

use std::collections::hash_map::Entry as Slot;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

/// New keys held in the hash table before they are merged into the sorted vector.
const RECENT: usize = 1 << 16;

/// A key's digest: the first 16 bytes of its SHA-256 as two big-endian words, so that
/// comparing and sorting are integer comparisons (in WebAssembly, comparing byte arrays
/// calls a `memcmp` that goes byte by byte).
type Digest16 = [u64; 2];

/// One key: its digest and where it was first seen (the caller's number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    digest: Digest16,
    first: u64,
}

/// A set of keys, each with where it was first seen.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    sorted: Vec<Entry>,
    /// Where each value of a digest's first two bytes starts in `sorted` (65 537 entries
    /// once there is a merge): digests are uniform, so a search looks at a handful of
    /// entries rather than binary-searching a million (a cache miss per step).
    starts: Vec<u32>,
    recent: HashMap<Digest16, u64, BuildHasherDefault<DigestBits>>,
}

/// Hashes a key digest by taking eight of its bytes: they are already uniformly spread
/// (SHA-256), so hashing them again (SipHash, the map's default) is wasted work.
#[derive(Debug, Default)]
struct DigestBits(u64);

impl Hasher for DigestBits {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = self.0.rotate_left(29) ^ word;
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

fn digest_of(key: &str) -> Digest16 {
    let full = Sha256::digest(key.as_bytes());
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&full[at..at + 8]);
        u64::from_be_bytes(w)
    };
    [word(0), word(8)]
}

/// The bucket of a digest: its first two bytes.
fn bucket_of(digest: &Digest16) -> usize {
    (digest[0] >> 48) as usize
}

impl KeySet {
    /// Records `key` as seen at `here`; returns where it was first seen when it is a repeat.
    pub(crate) fn first_or_insert(&mut self, key: &str, here: u64) -> Option<u64> {
        let digest = digest_of(key);
        // One probe of the table for both the look-up and the insertion.
        let slot = match self.recent.entry(digest) {
            Slot::Occupied(seen) => return Some(*seen.get()),
            Slot::Vacant(slot) => slot,
        };
        let bucket = bucket_of(&digest);
        let range = match (self.starts.get(bucket), self.starts.get(bucket + 1)) {
            (Some(&from), Some(&to)) => from as usize..to as usize,
            _ => 0..self.sorted.len(),
        };
        if let Some(run) = self.sorted.get(range) {
            if let Ok(i) = run.binary_search_by(|e| e.digest.cmp(&digest)) {
                return run.get(i).map(|e| e.first);
            }
        }
        slot.insert(here);
        if self.recent.len() >= RECENT {
            self.merge();
        }
        None
    }

    /// Moves the recent keys into the sorted vector (a merge from the back, in place).
    fn merge(&mut self) {
        let mut fresh: Vec<Entry> = self
            .recent
            .drain()
            .map(|(digest, first)| Entry { digest, first })
            .collect();
        fresh.sort_unstable();
        let old = self.sorted.len();
        self.sorted.reserve_exact(fresh.len());
        // Fill the new tail with placeholders, then merge the two sorted runs from the back.
        self.sorted.extend(fresh.iter().copied());
        let (mut i, mut j, mut k) = (old, fresh.len(), self.sorted.len());
        while j > 0 {
            if i > 0 && self.sorted[i - 1] > fresh[j - 1] {
                self.sorted[k - 1] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k - 1] = fresh[j - 1];
                j -= 1;
            }
            k -= 1;
        }
        self.recent.shrink_to(RECENT);
        // Bucket starts: one pass over the sorted digests. Past 4 G keys, plain search.
        self.starts.clear();
        if u32::try_from(self.sorted.len()).is_ok() {
            self.starts.reserve_exact((1 << 16) + 1);
            let mut at = 0usize;
            for bucket in 0..=(1usize << 16) {
                while self.sorted.get(at).is_some_and(|e| bucket_of(&e.digest) < bucket) {
                    at += 1;
                }
                self.starts.push(u32::try_from(at).unwrap_or(u32::MAX));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn repeats_are_found_across_merges() {
        let mut set = KeySet::default();
        let n = (RECENT as u64) * 2 + 123;
        for i in 0..n {
            assert_eq!(set.first_or_insert(&format!("id={i}"), i), None, "{i}");
        }
        assert!(set.sorted.windows(2).all(|w| w[0] < w[1]), "sorted after merges");
        for i in (0..n).step_by(997) {
            assert_eq!(set.first_or_insert(&format!("id={i}"), n + i), Some(i));
        }
        assert_eq!(set.first_or_insert("id=new", 7), None);
        assert_eq!(set.first_or_insert("id=new", 8), Some(7));
    }
}
