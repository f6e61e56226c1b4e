//! The plan: the folder (each file's name, size and SHA-256), its manifest and the library as
//! loaded, compared. Every folder file appears exactly once, as a row or as a refusal; every
//! library file as a row, or through the refusal of the folder file of its name (it is then
//! left as it is). Nothing is sent for a refusal, and an unchanged file is never sent.

use std::collections::BTreeMap;

use mde_wire::LibraryFile;

use super::manifest::{Entry, Manifest};
use crate::upload::{self, Problem};

/// One file of the folder, after hashing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderFile {
    /// Its name (subfolders do not count: the library's names are flat).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
}

/// What the plan does with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// In the folder, not in the library: uploaded.
    New,
    /// In both, and different: uploaded over it (`OverrideIfExists=true`).
    Changed {
        /// The bytes differ (another SHA-256).
        content: bool,
        /// The manifest's description or parameters differ from the library's.
        metadata: bool,
    },
    /// In both, the same: nothing is sent.
    Unchanged,
    /// Only in the library: removed only if the person ticks it, and offered only when the
    /// manifest says `mayRemove`.
    OnlyInLibrary {
        /// The manifest lets it be removed.
        may_remove: bool,
    },
}

/// One row of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The name: the folder's for a folder file, the library's for a library-only one.
    pub name: String,
    /// What happens to it.
    pub kind: Kind,
    /// Its SHA-256 in the folder.
    pub folder_sha256: Option<String>,
    /// Its SHA-256 in the library.
    pub library_sha256: Option<String>,
}

/// Why a file of the folder (or an entry of the manifest) is left out of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The library could never hold it as it is (the name rule, 20 MB, empty).
    Upload(Problem),
    /// Another file of the folder has the same name ignoring case (named here).
    SameName(String),
    /// `library.json` lists it, but the folder has no such file (and does not allow its
    /// removal).
    NoFile,
    /// Its manifest entry has a member of the wrong type.
    Manifest(String),
}

/// The plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// One row per file in the folder or the library that the plan can act on, by name.
    pub rows: Vec<Row>,
    /// What is left out, with why, by name.
    pub refused: Vec<(String, Refusal)>,
}

/// How many rows of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New files.
    pub new: usize,
    /// Changed files.
    pub changed: usize,
    /// Unchanged files.
    pub unchanged: usize,
    /// Files only in the library.
    pub only_in_library: usize,
}

impl Plan {
    /// The rows that an apply uploads: new and changed.
    pub fn uploads(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| matches!(r.kind, Kind::New | Kind::Changed { .. }))
    }

    /// Rows per kind.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            match r.kind {
                Kind::New => c.new += 1,
                Kind::Changed { .. } => c.changed += 1,
                Kind::Unchanged => c.unchanged += 1,
                Kind::OnlyInLibrary { .. } => c.only_in_library += 1,
            }
        }
        c
    }
}

/// `None` and `""` say the same: no text.
fn text(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// Whether the manifest's metadata differs from the library's, for what it says.
fn metadata_differs(entry: Option<&Entry>, lib: &LibraryFile) -> bool {
    let Some(e) = entry else { return false };
    e.description
        .as_ref()
        .is_some_and(|d| d.as_str() != text(&lib.description))
        || e.has_parameters.is_some_and(|h| h != lib.has_parameters)
        || e.parameters_description
            .as_ref()
            .is_some_and(|p| p.as_str() != text(&lib.parameters_description))
}

/// Compares the folder, its manifest and the library (names compared ignoring ASCII case, as
/// the API does). Each side is indexed by its lower-case names first: a folder of 10,000 files
/// against a library of as many is a few lookups per file, not a scan of the other side.
pub fn plan(folder: &[FolderFile], manifest: Option<&Manifest>, library: &[LibraryFile]) -> Plan {
    let key = |n: &str| n.to_ascii_lowercase();
    // The first of each name wins, as a search in order would find it.
    fn index<'a, T>(items: impl Iterator<Item = (String, &'a T)>) -> BTreeMap<String, &'a T> {
        let mut out = BTreeMap::new();
        for (k, v) in items {
            out.entry(k).or_insert(v);
        }
        out
    }
    let mut twins: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in folder.iter().enumerate() {
        twins.entry(key(&f.name)).or_default().push(i);
    }
    let in_library = index(library.iter().map(|l| (key(&l.file_name), l)));
    let entries = index(
        manifest
            .iter()
            .flat_map(|m| &m.entries)
            .map(|e| (key(&e.file_name), e)),
    );
    let problems = index(
        manifest
            .iter()
            .flat_map(|m| &m.problems)
            .map(|p| (key(&p.file_name), p)),
    );
    let mut out = Plan::default();
    for (i, f) in folder.iter().enumerate() {
        let k = key(&f.name);
        // Another file of the folder by this name: the first other one is named.
        let group = &twins[&k];
        if group.len() > 1 {
            let twin = if group[0] == i { group[1] } else { group[0] };
            out.refused
                .push((f.name.clone(), Refusal::SameName(folder[twin].name.clone())));
            continue;
        }
        // Overwriting is what the plan is for: only the file's own problems count here.
        if let Some(p) = upload::check(&f.name, f.size, true, []).into_iter().next() {
            out.refused.push((f.name.clone(), Refusal::Upload(p)));
            continue;
        }
        if let Some(p) = problems.get(&k) {
            out.refused
                .push((f.name.clone(), Refusal::Manifest(p.problem.clone())));
            continue;
        }
        let lib = in_library.get(&k).copied();
        let kind = match lib {
            None => Kind::New,
            Some(lib) => {
                let content = !lib.sha256.eq_ignore_ascii_case(&f.sha256);
                let metadata = metadata_differs(entries.get(&k).copied(), lib);
                if content || metadata {
                    Kind::Changed { content, metadata }
                } else {
                    Kind::Unchanged
                }
            }
        };
        out.rows.push(Row {
            name: f.name.clone(),
            kind,
            folder_sha256: Some(f.sha256.clone()),
            library_sha256: lib.map(|l| l.sha256.clone()),
        });
    }
    for lib in library {
        if twins.contains_key(&key(&lib.file_name)) {
            continue;
        }
        let may_remove = entries
            .get(&key(&lib.file_name))
            .is_some_and(|e| e.may_remove);
        out.rows.push(Row {
            name: lib.file_name.clone(),
            kind: Kind::OnlyInLibrary { may_remove },
            folder_sha256: None,
            library_sha256: Some(lib.sha256.clone()),
        });
    }
    for e in manifest.iter().flat_map(|m| &m.entries) {
        let k = key(&e.file_name);
        // A removal permission for a library file is what an entry without a file is for.
        if !(twins.contains_key(&k) || (in_library.contains_key(&k) && e.may_remove)) {
            out.refused.push((e.file_name.clone(), Refusal::NoFile));
        }
    }
    out.rows.sort_by_key(|r| key(&r.name));
    out.refused.sort_by_key(|(name, _)| key(name));
    out
}

#[cfg(test)]
mod tests;
