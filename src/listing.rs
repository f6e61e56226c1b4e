//! Filtering and sorting of the library list, kept pure so 10,000 entries can be tested
//! and benchmarked without a browser.

use std::cmp::Ordering;

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

/// The first 8 hex digits, enough to tell files apart at a glance (the full hash is on hover).
pub fn short_sha(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// Whether a file matches a filter (name, description, creator; case-insensitive).
/// `needle` must already be lower case.
pub fn matches(f: &LibraryFile, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let has = |s: &str| s.to_lowercase().contains(needle);
    has(&f.file_name)
        || f.description.as_deref().is_some_and(has)
        || f.created_by.as_deref().is_some_and(has)
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    // Case-insensitive first so "a.ps1" and "B.ps1" sort as people expect; then stable by bytes.
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

fn compare(a: &LibraryFile, b: &LibraryFile, key: SortKey) -> Ordering {
    let opt = |x: &Option<String>| x.clone().unwrap_or_default();
    match key {
        SortKey::Name => cmp_text(&a.file_name, &b.file_name),
        SortKey::Type => cmp_text(&file_type(&a.file_name), &file_type(&b.file_name)),
        SortKey::Description => cmp_text(&opt(&a.description), &opt(&b.description)),
        SortKey::Parameters => a.has_parameters.cmp(&b.has_parameters).then_with(|| {
            cmp_text(
                &opt(&a.parameters_description),
                &opt(&b.parameters_description),
            )
        }),
        SortKey::CreatedBy => cmp_text(&opt(&a.created_by), &opt(&b.created_by)),
        // ISO 8601 UTC with fixed digits sorts correctly as text.
        SortKey::Created => a.creation_time.cmp(&b.creation_time),
        SortKey::Updated => a.last_updated_time.cmp(&b.last_updated_time),
        SortKey::Sha256 => a.sha256.cmp(&b.sha256),
    }
    .then_with(|| a.file_name.cmp(&b.file_name))
}

/// The lower-cased text a column sorts by, or `None` for columns compared as they are.
fn folded_key(f: &LibraryFile, key: SortKey) -> Option<String> {
    let opt = |x: &Option<String>| x.as_deref().unwrap_or_default().to_lowercase();
    match key {
        SortKey::Name => Some(f.file_name.to_lowercase()),
        SortKey::Type => Some(file_type(&f.file_name)),
        SortKey::Description => Some(opt(&f.description)),
        SortKey::Parameters => Some(format!(
            "{}{}",
            u8::from(f.has_parameters),
            opt(&f.parameters_description)
        )),
        SortKey::CreatedBy => Some(opt(&f.created_by)),
        SortKey::Created | SortKey::Updated | SortKey::Sha256 => None,
    }
}

/// Indices of the files that match `filter`, in `sort` order.
pub fn view_indices(files: &[LibraryFile], filter: &str, sort: Sort) -> Vec<usize> {
    let needle = filter.trim().to_lowercase();
    let idx: Vec<usize> = (0..files.len())
        .filter(|&i| matches(&files[i], &needle))
        .collect();
    // Fold case once per entry, not once per comparison: 10,000 entries sort in a few ms.
    let mut keyed: Vec<(Option<String>, usize)> = idx
        .into_iter()
        .map(|i| (folded_key(&files[i], sort.key), i))
        .collect();
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        let o = match (ka, kb) {
            // Equal folded text: the name decides, without folding again.
            (Some(x), Some(y)) => x
                .cmp(y)
                .then_with(|| files[*a].file_name.cmp(&files[*b].file_name)),
            _ => compare(&files[*a], &files[*b], sort.key),
        };
        if sort.ascending {
            o
        } else {
            o.reverse()
        }
    });
    keyed.into_iter().map(|(_, i)| i).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
                assert_ne!(compare(&files[w[0]], &files[w[1]], key), Ordering::Greater);
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
            "script-09",
            Sort {
                key: SortKey::Updated,
                ascending: false,
            },
        );
        assert_eq!(v.len(), 1_000);
    }
}
