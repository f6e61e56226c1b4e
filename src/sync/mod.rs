//! The library as code: a folder (with an optional `library.json`) is the source of truth, and
//! the plan says what it takes to make the tenant's library match it. Pure Rust, no view types:
//! [`manifest`] reads `library.json`, [`plan`] compares the folder, the manifest and the list
//! as loaded, [`apply`] lists the calls that make the library match it, [`report`] writes what a plan or a run found (and reads one back as a
//! baseline), [`drift`] compares the library with a baseline. Hashing the folder's files and
//! running the apply are the on-demand chunk's.

pub mod apply;
pub mod drift;
pub mod manifest;
pub mod plan;
pub mod report;

/// A library entry with only a name and a SHA-256, for the tests of the comparisons.
#[cfg(test)]
pub(crate) fn library_file(name: &str, sha256: &str) -> mde_wire::LibraryFile {
    mde_wire::LibraryFile {
        file_name: name.into(),
        sha256: sha256.into(),
        description: None,
        creation_time: String::new(),
        last_updated_time: String::new(),
        created_by: None,
        has_parameters: false,
        parameters_description: None,
    }
}

/// A folder file of `size` bytes with a SHA-256, for the tests of the comparisons.
#[cfg(test)]
pub(crate) fn folder_file(name: &str, size: u64, sha256: &str) -> plan::FolderFile {
    plan::FolderFile {
        name: name.into(),
        size,
        sha256: sha256.into(),
    }
}
