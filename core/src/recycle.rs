//! Reuse of record storage: the strings and vectors of a record the walk is done with
//! become the storage of the next record parsed.
//!
//! A record of a packet is a small tree (a `String` per key and per value, a `Vec` per
//! object and list), and a packet has millions of records of nearly the same shape.
//! Allocating and freeing each tree was a fifth of the time of a full check; taking the
//! storage back instead costs one walk over the tree and no call to the allocator once
//! the pools are warm. The pools are bounded (count and size of what they keep), so a
//! record of unusual size is freed as before and the memory stays flat.

use crate::value::Value;

/// Most strings kept for reuse (a plan item has about 60; a batch of records is in flight).
const MAX_STRINGS: usize = 1 << 16;
/// Most vectors of each kind kept for reuse.
const MAX_VECS: usize = 1 << 13;
/// Strings and vectors larger than this are freed rather than kept.
const MAX_KEPT_BYTES: usize = 4096;
/// Most bytes of storage kept in all (a batch of plan items in flight holds about 1 MiB),
/// so that the pools' memory stays flat whatever the records held.
const MAX_POOL_BYTES: usize = 8 << 20;

/// Pools of storage taken back from records the walk is done with.
#[derive(Default)]
pub(crate) struct Recycler {
    /// Bytes of storage held by the pools.
    bytes: usize,
    strings: Vec<String>,
    members: Vec<Vec<(String, Value)>>,
    items: Vec<Vec<Value>>,
}

impl Recycler {
    /// A string holding `text`, in kept storage when there is some.
    pub(crate) fn string(&mut self, text: &str) -> String {
        match self.strings.pop() {
            Some(mut s) => {
                self.bytes = self.bytes.saturating_sub(s.capacity());
                s.push_str(text);
                s
            }
            None => text.to_owned(),
        }
    }

    /// An empty member list for an object.
    pub(crate) fn members(&mut self) -> Vec<(String, Value)> {
        let members = self.members.pop().unwrap_or_default();
        self.bytes = self
            .bytes
            .saturating_sub(members.capacity() * size_of::<(String, Value)>());
        members
    }

    /// An empty item list for an array.
    pub(crate) fn items(&mut self) -> Vec<Value> {
        let items = self.items.pop().unwrap_or_default();
        self.bytes = self.bytes.saturating_sub(items.capacity() * size_of::<Value>());
        items
    }

    /// Takes back the storage of `value`. The tree is walked backwards and each piece
    /// pushed after its children, so that the next record parsed, in document order,
    /// gets back the storage of the same place in this one (of about the right size).
    pub(crate) fn reclaim(&mut self, value: Value) {
        match value {
            Value::Null | Value::Bool(_) => {}
            Value::Number(s) | Value::Text(s) => self.keep_string(s),
            Value::Array(mut items) => {
                while let Some(item) = items.pop() {
                    self.reclaim(item);
                }
                let size = items.capacity() * size_of::<Value>();
                if self.items.len() < MAX_VECS && self.fits(size) {
                    self.bytes += size;
                    self.items.push(items);
                }
            }
            Value::Object(mut members) => {
                while let Some((key, item)) = members.pop() {
                    self.reclaim(item);
                    self.keep_string(key);
                }
                let size = members.capacity() * size_of::<(String, Value)>();
                if self.members.len() < MAX_VECS && self.fits(size) {
                    self.bytes += size;
                    self.members.push(members);
                }
            }
        }
    }

    fn keep_string(&mut self, mut s: String) {
        if self.strings.len() < MAX_STRINGS && s.capacity() > 0 && self.fits(s.capacity()) {
            self.bytes += s.capacity();
            s.clear();
            self.strings.push(s);
        }
    }

    /// Whether storage of `size` bytes is worth keeping and has room.
    fn fits(&self, size: usize) -> bool {
        size <= MAX_KEPT_BYTES && self.bytes + size <= MAX_POOL_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_next_record_gets_the_storage_of_the_same_place() {
        let record = Value::Object(vec![
            ("id".to_owned(), Value::Text("abc".to_owned())),
            (
                "details".to_owned(),
                Value::Array(vec![Value::Object(vec![(
                    "n".to_owned(),
                    Value::Number("12".to_owned()),
                )])]),
            ),
        ]);
        let mut pool = Recycler::default();
        pool.reclaim(record);
        // Document order: the key "id" first, then its value, and so on.
        assert_eq!(pool.strings.len(), 5);
        assert!(pool.string("x").capacity() >= "id".len());
        let members = pool.members();
        assert!(members.capacity() >= 2, "the record's own member list comes first");
        assert!(members.is_empty());
        assert!(pool.items().is_empty());
        let inner = pool.members();
        assert!(inner.capacity() >= 1);
        assert!(pool.members().capacity() == 0, "nothing else was kept");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn large_storage_is_freed_not_kept() {
        let mut pool = Recycler::default();
        pool.reclaim(Value::Text("x".repeat(MAX_KEPT_BYTES + 1)));
        pool.reclaim(Value::Array(Vec::with_capacity(MAX_KEPT_BYTES)));
        assert!(pool.strings.is_empty());
        assert!(pool.items.is_empty());
        let mut pool = Recycler::default();
        for _ in 0..MAX_STRINGS + 10 {
            pool.reclaim(Value::Text("y".to_owned()));
        }
        assert_eq!(pool.strings.len(), MAX_STRINGS);
        // However many records come back, the pools keep at most MAX_POOL_BYTES.
        let mut pool = Recycler::default();
        for _ in 0..MAX_STRINGS {
            pool.reclaim(Value::Text("z".repeat(MAX_KEPT_BYTES)));
        }
        assert!(pool.bytes <= MAX_POOL_BYTES);
        assert_eq!(pool.strings.iter().map(String::capacity).sum::<usize>(), pool.bytes);
        let taken = pool.string("q");
        assert_eq!(pool.bytes + taken.capacity(), MAX_POOL_BYTES);
    }
}
