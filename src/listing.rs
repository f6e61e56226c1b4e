//! Filtering and sorting of the library list, kept pure so 10,000 entries can be tested
//! and benchmarked without a browser.

use mde_wire::LibraryFile;

/// Columns the list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// File name.
    Name,
    /// Extension.
    Type,
    /// Description.
    Description,
    /// Has parameters, then their description.
    Parameters,
    /// Creator.
    CreatedBy,
    /// Creation time.
    Created,
    /// Last update time.
    Updated,
    /// SHA-256.
    Sha256,
}

impl SortKey {
    /// Every column, in table order.
    pub const ALL: [SortKey; 8] = [
        SortKey::Name,
        SortKey::Type,
        SortKey::Description,
        SortKey::Parameters,
        SortKey::CreatedBy,
        SortKey::Created,
        SortKey::Updated,
        SortKey::Sha256,
    ];

    /// CSS class of the column, for its width.
    pub fn class(self) -> &'static str {
        match self {
            SortKey::Name => "col-name",
            SortKey::Type => "col-type",
            SortKey::Description => "col-description",
            SortKey::Parameters => "col-parameters",
            SortKey::CreatedBy => "col-createdby",
            SortKey::Created => "col-created",
            SortKey::Updated => "col-updated",
            SortKey::Sha256 => "col-sha256",
        }
    }

    /// Column heading.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Type => "Type",
            SortKey::Description => "Description",
            SortKey::Parameters => "Parameters",
            SortKey::CreatedBy => "Created by",
            SortKey::Created => "Created",
            SortKey::Updated => "Last updated",
            SortKey::Sha256 => "SHA-256",
        }
    }
}

/// Sort column and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    /// Column.
    pub key: SortKey,
    /// Ascending when true.
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            key: SortKey::Name,
            ascending: true,
        }
    }
}

impl Sort {
    /// The sort after a click on `key`'s heading: flip if already sorted by it.
    pub fn clicked(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                ascending: !self.ascending,
            }
        } else {
            Sort {
                key,
                ascending: true,
            }
        }
    }
}

/// The extension in lower case ("ps1"), or "" when there is none.
pub fn file_type(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Whether `sha` is a SHA-256 as the API documents it: 64 lower-case hex digits. Anything
/// else is shown as invalid and never offered for copying.
pub fn is_sha256(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The first 8 hex digits, enough to tell files apart at a glance (the full hash is on hover).
pub fn short_sha(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// Lower-cases text as the browser does (`String.prototype.toLowerCase`), which keeps
/// Rust's Unicode case tables out of the wasm (size lead L48, bench/size-leads.md); native
/// builds use `str`'s.
pub fn fold(s: &str) -> String {
    // Most library text is ASCII: folded here, without a round trip through a JS string.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(s).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.to_lowercase()
    }
}

/// One file's text folded once per load, so typing in the filter and sorting never
/// lower-case 10,000 entries again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folded {
    name: String,
    kind: String,
    description: String,
    parameters: String,
    created_by: String,
}

/// Folds every file's searchable and sortable text.
pub fn fold_all(files: &[LibraryFile]) -> Vec<Folded> {
    let opt = |x: &Option<String>| fold(x.as_deref().unwrap_or_default());
    files
        .iter()
        .map(|f| Folded {
            name: fold(&f.file_name),
            kind: file_type(&f.file_name),
            description: opt(&f.description),
            parameters: opt(&f.parameters_description),
            created_by: opt(&f.created_by),
        })
        .collect()
}

/// Whether a file matches a filter (name, description, creator; case-insensitive).
/// `needle` must already be folded.
pub fn matches(f: &Folded, needle: &str) -> bool {
    needle.is_empty()
        || f.name.contains(needle)
        || f.description.contains(needle)
        || f.created_by.contains(needle)
}

/// What a column sorts by: a leading flag (has parameters) and text, folded where it is
/// words and as sent where it is a timestamp or a hash (ISO 8601 UTC sorts as text).
fn sort_key<'a>(f: &'a LibraryFile, d: &'a Folded, key: SortKey) -> (bool, &'a str) {
    match key {
        SortKey::Name => (false, &d.name),
        SortKey::Type => (false, &d.kind),
        SortKey::Description => (false, &d.description),
        SortKey::Parameters => (f.has_parameters, &d.parameters),
        SortKey::CreatedBy => (false, &d.created_by),
        SortKey::Created => (false, &f.creation_time),
        SortKey::Updated => (false, &f.last_updated_time),
        SortKey::Sha256 => (false, &f.sha256),
    }
}

/// Every index, in `sort` order; `folded` is `fold_all(files)`. Computed when the sort (or
/// the list) changes, not on each filter keystroke.
pub fn sorted_indices(files: &[LibraryFile], folded: &[Folded], sort: Sort) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..files.len().min(folded.len())).collect();
    // Names are unique in a library, so the tie-break makes the order total and an
    // unstable sort (smaller code than a stable one) gives the same result.
    idx.sort_unstable_by(|&a, &b| {
        let o = sort_key(&files[a], &folded[a], sort.key)
            .cmp(&sort_key(&files[b], &folded[b], sort.key))
            .then_with(|| files[a].file_name.cmp(&files[b].file_name));
        if sort.ascending {
            o
        } else {
            o.reverse()
        }
    });
    idx
}

/// The indices of `order` whose files match `filter`, keeping the order.
pub fn filter_indices(order: &[usize], folded: &[Folded], filter: &str) -> Vec<usize> {
    let needle = fold(filter.trim());
    order
        .iter()
        .copied()
        .filter(|&i| matches(&folded[i], &needle))
        .collect()
}

/// Indices of the files that match `filter`, in `sort` order; `folded` is `fold_all(files)`.
pub fn view_indices(
    files: &[LibraryFile],
    folded: &[Folded],
    filter: &str,
    sort: Sort,
) -> Vec<usize> {
    filter_indices(&sorted_indices(files, folded, sort), folded, filter)
}

/// A synthetic library of `n` entries, for benchmarks and scale tests.
pub fn synthetic_library(n: usize) -> Vec<LibraryFile> {
    (0..n)
        .map(|i| LibraryFile {
            file_name: format!("Script-{i:05}.{}", ["ps1", "sh", "exe", "txt"][i % 4]),
            sha256: format!("{:064x}", (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            description: (i % 3 != 0).then(|| format!("Collects evidence set {}", i % 97)),
            creation_time: format!("2026-{:02}-{:02}T10:00:00.0000000Z", 1 + i % 12, 1 + i % 28),
            last_updated_time: format!("2026-11-{:02}T10:00:00.0000000Z", 1 + i % 28),
            created_by: Some(["Jonathan Glass", "Priya Raman", "admin"][i % 3].to_string()),
            has_parameters: i % 2 == 0,
            parameters_description: (i % 4 == 0).then(|| "-Path <dir>".to_string()),
        })
        .collect()
}

/// The files ticked for a bulk delete, by their index in the loaded list (a new load starts
/// a new selection). Indices rather than names: "Select all shown" at 10,000 rows is then a
/// pass over the rows, where a sorted set of names needed a sort, whose code weighed on the
/// first load (size lead L17, bench/size-leads.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    picked: Vec<bool>,
    count: usize,
}

impl Selection {
    /// Whether file `i` is ticked.
    pub fn contains(&self, i: usize) -> bool {
        self.picked.get(i).copied().unwrap_or(false)
    }

    /// Ticks or unticks file `i`.
    pub fn set(&mut self, i: usize, on: bool) {
        if i >= self.picked.len() {
            if !on {
                return;
            }
            self.picked.resize(i + 1, false);
        }
        if self.picked[i] != on {
            self.picked[i] = on;
            if on {
                self.count += 1;
            } else {
                self.count -= 1;
            }
        }
    }

    /// Flips file `i`.
    pub fn toggle(&mut self, i: usize) {
        self.set(i, !self.contains(i));
    }

    /// Ticks or unticks every file of `shown`.
    pub fn set_all(&mut self, shown: &[usize], on: bool) {
        for &i in shown {
            self.set(i, on);
        }
    }

    /// Whether `shown` has files and every one is ticked ("Select all shown" is checked).
    pub fn has_all(&self, shown: &[usize]) -> bool {
        !shown.is_empty() && shown.iter().all(|&i| self.contains(i))
    }

    /// How many are ticked.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The ticked indices, in load order.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.picked
            .iter()
            .enumerate()
            .filter_map(|(i, &on)| on.then_some(i))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_is_64_lower_hex() {
        assert!(is_sha256(&"ab12".repeat(16)));
        for bad in [
            "",
            "abc",
            &"AB12".repeat(16),
            &"ab12".repeat(15),
            &format!("{}g", "a".repeat(63)),
        ] {
            assert!(!is_sha256(bad), "{bad}");
        }
    }

    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn folding_is_unicode_aware() {
        let files = vec![LibraryFile {
            file_name: "x.ps1".into(),
            sha256: String::new(),
            description: Some("Jürgen's ÉVIDENCE".into()),
            creation_time: String::new(),
            last_updated_time: String::new(),
            created_by: None,
            has_parameters: false,
            parameters_description: None,
        }];
        let folded = fold_all(&files);
        assert_eq!(
            view_indices(&files, &folded, "JÜRGEN", Sort::default()),
            vec![0]
        );
        assert_eq!(
            view_indices(&files, &folded, "évidence", Sort::default()),
            vec![0]
        );
    }

    #[test]
    fn types_and_hashes() {
        assert_eq!(file_type("Collect.PS1"), "ps1");
        assert_eq!(file_type("README"), "");
        assert_eq!(file_type(".hidden"), "");
        assert_eq!(short_sha("6e212a0db618507c44e4"), "6e212a0d");
        assert_eq!(short_sha("abc"), "abc");
    }

    #[test]
    fn filter_is_case_insensitive_over_name_description_creator() {
        let files = synthetic_library(12);
        let folded = fold_all(&files);
        let view_indices = |f: &[LibraryFile], q: &str, s: Sort| view_indices(f, &folded, q, s);
        assert_eq!(
            view_indices(&files, "SCRIPT-0000", Sort::default()).len(),
            10
        );
        assert_eq!(view_indices(&files, "priya", Sort::default()).len(), 4);
        assert_eq!(
            view_indices(&files, "evidence set 1", Sort::default()).len(),
            3
        );
        assert_eq!(view_indices(&files, "  ", Sort::default()).len(), 12);
        assert!(view_indices(&files, "nothing-like-this", Sort::default()).is_empty());
    }

    #[test]
    fn sorts_by_any_column_both_ways() {
        let files = synthetic_library(20);
        let folded = fold_all(&files);
        let view_indices = |f: &[LibraryFile], q: &str, s: Sort| view_indices(f, &folded, q, s);
        for key in SortKey::ALL {
            let up = view_indices(
                &files,
                "",
                Sort {
                    key,
                    ascending: true,
                },
            );
            let mut down = view_indices(
                &files,
                "",
                Sort {
                    key,
                    ascending: false,
                },
            );
            down.reverse();
            assert_eq!(up, down, "{key:?}");
            for w in up.windows(2) {
                let (a, b) = (w[0], w[1]);
                assert_ne!(
                    sort_key(&files[a], &folded[a], key).cmp(&sort_key(&files[b], &folded[b], key)),
                    Ordering::Greater,
                    "{key:?}"
                );
            }
        }
        assert_eq!(
            Sort::default().clicked(SortKey::Name),
            Sort {
                key: SortKey::Name,
                ascending: false
            }
        );
        assert_eq!(
            Sort::default().clicked(SortKey::Created),
            Sort {
                key: SortKey::Created,
                ascending: true
            }
        );
    }

    #[test]
    fn ten_thousand_entries_filter_and_sort() {
        let files = synthetic_library(10_000);
        let v = view_indices(
            &files,
            &fold_all(&files),
            "script-09",
            Sort {
                key: SortKey::Updated,
                ascending: false,
            },
        );
        assert_eq!(v.len(), 1_000);
    }
}
