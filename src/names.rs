//! A set of file names: a sorted `Vec`, looked up by binary search.
//!
//! Instead of `HashSet<String>`: the hash table code and SipHash weighed about 3 KB gzip of
//! wasm for sets that hold a few names (busy, canceled) or at most the loaded list (deleted).

/// File names, each once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameSet(Vec<String>);

impl NameSet {
    /// Whether `name` is in the set.
    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }

    /// Adds `name`; false if it was there already.
    pub fn insert(&mut self, name: &str) -> bool {
        match self.0.binary_search_by(|n| n.as_str().cmp(name)) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, name.to_string());
                true
            }
        }
    }

    /// Removes `name`; false if it was not there.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.0.binary_search_by(|n| n.as_str().cmp(name)) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_each_name_once() {
        let mut s = NameSet::default();
        assert!(s.insert("b.ps1") && s.insert("a.ps1") && !s.insert("b.ps1"));
        assert_eq!(s.len(), 2);
        assert!(s.contains("a.ps1") && !s.contains("A.ps1"));
        assert!(s.remove("a.ps1") && !s.remove("a.ps1"));
        assert!(!s.is_empty() && s.contains("b.ps1"));
    }
}
