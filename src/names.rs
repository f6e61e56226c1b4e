//! Maps and sets keyed by file name: a sorted `Vec`, looked up by binary search.
//!
//! Instead of `HashMap`/`HashSet`: the hash table code and SipHash weighed on the wasm (size
//! lead L8, bench/size-leads.md) for collections that hold a few names (busy files) or at
//! most the loaded list.

/// One value per file name.
#[derive(Clone, Debug, PartialEq)]
pub struct NameMap<V>(Vec<(String, V)>);

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> NameMap<V> {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    /// The value for `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    /// Whether `name` has a value.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets the value for `name`, replacing any.
    pub fn insert(&mut self, name: &str, value: V) {
        match self.find(name) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name.to_string(), value)),
        }
    }

    /// Removes `name`'s value.
    pub fn remove(&mut self, name: &str) -> Option<V> {
        self.find(name).ok().map(|i| self.0.remove(i).1)
    }

    /// Keeps the entries `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        self.0.retain(|(n, v)| keep(n, v));
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Entries in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_name_in_name_order() {
        let mut m = NameMap::default();
        m.insert("b.ps1", 1);
        m.insert("a.ps1", 2);
        m.insert("b.ps1", 3);
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("b.ps1"), Some(&3));
        assert!(m.contains("a.ps1") && !m.contains("A.ps1"));
        assert_eq!(
            m.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["a.ps1", "b.ps1"]
        );
        m.retain(|_, v| *v > 2);
        assert_eq!(m.remove("b.ps1"), Some(3));
        assert!(m.is_empty() && m.remove("b.ps1").is_none());
    }
}
