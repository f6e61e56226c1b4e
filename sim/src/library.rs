//! The library store: seeded from JSON, kept in memory, optionally persisted to a folder.

use std::path::{Path, PathBuf};

use mde_wire::LibraryFile;

use crate::StartError;

/// The seed used when no `--seed` is given: about twenty realistic entries.
pub const DEFAULT_SEED: &str = include_str!("seed.json");

/// The library of one tenant.
pub struct Library {
    files: Vec<LibraryFile>,
    seed: Vec<LibraryFile>,
    data_file: Option<PathBuf>,
}

/// Why a mutation could not be persisted.
#[derive(Debug, thiserror::Error)]
#[error("cannot persist the library to {path}: {source}")]
pub struct PersistError {
    path: String,
    source: std::io::Error,
}

/// Parses a seed: a JSON array of library file entities.
pub fn parse_seed(text: &str) -> Result<Vec<LibraryFile>, String> {
    let files: Vec<LibraryFile> = serde_json::from_str(text)
        .map_err(|e| format!("not a JSON array of library files: {e}"))?;
    Ok(files)
}

impl Library {
    /// Opens the library: the persisted copy if there is one, else the seed.
    pub fn open(seed: Option<&Path>, data_dir: Option<&Path>) -> Result<Self, StartError> {
        let seed_files = match seed {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| StartError::Seed(p.display().to_string(), e.to_string()))?;
                parse_seed(&text).map_err(|e| StartError::Seed(p.display().to_string(), e))?
            }
            None => {
                parse_seed(DEFAULT_SEED).map_err(|e| StartError::Seed("(built-in)".into(), e))?
            }
        };
        let data_file = match data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StartError::DataDir(dir.display().to_string(), e.to_string()))?;
                Some(dir.join("library.json"))
            }
            None => None,
        };
        let files = match &data_file {
            Some(f) if f.exists() => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| StartError::DataDir(f.display().to_string(), e.to_string()))?;
                parse_seed(&text).map_err(|e| StartError::DataDir(f.display().to_string(), e))?
            }
            _ => seed_files.clone(),
        };
        Ok(Self {
            files,
            seed: seed_files,
            data_file,
        })
    }

    /// All entries, in insertion order.
    pub fn list(&self) -> &[LibraryFile] {
        &self.files
    }

    fn position(&self, name: &str, ignore_case: bool) -> Option<usize> {
        self.files.iter().position(|f| {
            if ignore_case {
                f.file_name.eq_ignore_ascii_case(name)
            } else {
                f.file_name == name
            }
        })
    }

    /// The entry with this name.
    pub fn get(&self, name: &str, ignore_case: bool) -> Option<&LibraryFile> {
        self.position(name, ignore_case).map(|i| &self.files[i])
    }

    /// Removes an entry; false when there was none.
    pub fn remove(&mut self, name: &str, ignore_case: bool) -> Result<bool, PersistError> {
        match self.position(name, ignore_case) {
            Some(i) => {
                self.files.remove(i);
                self.persist()?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Inserts or replaces an entry by name.
    pub fn upsert(&mut self, file: LibraryFile, ignore_case: bool) -> Result<(), PersistError> {
        match self.position(&file.file_name, ignore_case) {
            Some(i) => self.files[i] = file,
            None => self.files.push(file),
        }
        self.persist()
    }

    /// Back to the seed, or to the given entries.
    pub fn reset(&mut self, files: Option<Vec<LibraryFile>>) -> Result<(), PersistError> {
        self.files = files.unwrap_or_else(|| self.seed.clone());
        self.persist()
    }

    // A crash mid-write must never leave a truncated library behind, so write aside and rename.
    fn persist(&self) -> Result<(), PersistError> {
        let Some(path) = &self.data_file else {
            return Ok(());
        };
        let err = |source| PersistError {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(&self.files).map_err(|e| err(e.into()))?;
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }
}
