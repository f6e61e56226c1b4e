//! `library.json`: what the folder says about its files beyond their bytes.
//!
//! ```json
//! { "files": { "Collect-Triage.ps1": { "description": "Collects triage",
//!                                      "hasParameters": true,
//!                                      "parametersDescription": "-OutDir <path>",
//!                                      "mayRemove": false,
//!                                      "sha256": "6e21…" } } }
//! ```
//!
//! Every member is optional. `mayRemove: true` on a name that is only in the library lets the
//! plan offer its removal (still never ticked by default); `sha256` makes the manifest a
//! baseline for the drift check. Unknown members are ignored and counted; a member of the
//! wrong type leaves that one entry out, named with its field.

use crate::json::Json;

/// What the manifest says about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The name, as written in the manifest.
    pub file_name: String,
    /// The library's description (`None`: the manifest says nothing about it).
    pub description: Option<String>,
    /// Whether the script takes parameters (`None`: not said).
    pub has_parameters: Option<bool>,
    /// How to call it (`None`: not said).
    pub parameters_description: Option<String>,
    /// Whether the file may be removed from the library when it is not in the folder.
    pub may_remove: bool,
    /// Lower-case hex SHA-256 the file should have (a baseline), if given.
    pub sha256: Option<String>,
}

/// An entry left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryProblem {
    /// The file the entry is for.
    pub file_name: String,
    /// The member, and what it must be: `"hasParameters" must be true or false`.
    pub problem: String,
}

/// A manifest as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The readable entries.
    pub entries: Vec<Entry>,
    /// Entries left out for a member of the wrong type.
    pub problems: Vec<EntryProblem>,
    /// Members the panel does not know, at any level, ignored.
    pub unknown_members: usize,
}

/// Why the manifest could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Not JSON; the parser's words (they carry the line and column).
    #[error("library.json is not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but not the shape of a manifest.
    #[error("library.json {0}")]
    Shape(&'static str),
}

const ENTRY_MEMBERS: [&str; 5] = [
    "description",
    "hasParameters",
    "parametersDescription",
    "mayRemove",
    "sha256",
];

impl Manifest {
    /// Reads a `library.json`.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let doc = Json::parse(text).map_err(|e| ManifestError::NotJson(e.0))?;
        if !doc.is_object() {
            return Err(ManifestError::Shape("must be an object with \"files\""));
        }
        let files = doc
            .get("files")
            .filter(Json::is_object)
            .ok_or(ManifestError::Shape(
                "must have \"files\": an object of file names",
            ))?;
        let mut out = Manifest {
            unknown_members: doc.keys().iter().filter(|k| *k != "files").count(),
            ..Manifest::default()
        };
        let mut names = files.keys();
        names.sort();
        for name in names {
            let Some(v) = files.get(&name) else { continue };
            match read_entry(&name, &v) {
                Ok((entry, unknown)) => {
                    out.unknown_members += unknown;
                    out.entries.push(entry);
                }
                Err(problem) => out.problems.push(EntryProblem {
                    file_name: name,
                    problem,
                }),
            }
        }
        Ok(out)
    }

    /// The entry for `name`, compared as the API compares names (ignoring ASCII case).
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.file_name.eq_ignore_ascii_case(name))
    }
}

/// One entry and its count of unknown members.
fn read_entry(name: &str, v: &Json) -> Result<(Entry, usize), String> {
    if !v.is_object() {
        return Err("must be an object".into());
    }
    let sha256 = v.opt_string("sha256")?.map(|s| s.to_ascii_lowercase());
    if sha256
        .as_ref()
        .is_some_and(|s| s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err("\"sha256\" must be 64 hex digits".into());
    }
    let entry = Entry {
        file_name: name.to_string(),
        description: v.opt_string("description")?,
        has_parameters: v.opt_bool("hasParameters")?,
        parameters_description: v.opt_string("parametersDescription")?,
        may_remove: v.opt_bool("mayRemove")?.unwrap_or(false),
        sha256,
    };
    let unknown = v
        .keys()
        .iter()
        .filter(|k| !ENTRY_MEMBERS.contains(&k.as_str()))
        .count();
    Ok((entry, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_counts_unknown_members_and_names_wrong_types() {
        let m = Manifest::parse(
            r#"{ "version": 1, "files": {
                "b.ps1": { "description": "B", "hasParameters": true,
                           "parametersDescription": "-X", "mayRemove": true, "owner": "secops" },
                "a.sh": {},
                "bad.ps1": { "hasParameters": "yes" },
                "sha.ps1": { "sha256": "ABCDEF" }
            } }"#,
        )
        .unwrap();
        assert_eq!(m.unknown_members, 2, "version, owner");
        assert_eq!(
            m.entries,
            vec![
                Entry {
                    file_name: "a.sh".into(),
                    ..Entry::default()
                },
                Entry {
                    file_name: "b.ps1".into(),
                    description: Some("B".into()),
                    has_parameters: Some(true),
                    parameters_description: Some("-X".into()),
                    may_remove: true,
                    sha256: None,
                },
            ]
        );
        assert_eq!(
            m.problems,
            vec![
                EntryProblem {
                    file_name: "bad.ps1".into(),
                    problem: "\"hasParameters\" must be true or false".into()
                },
                EntryProblem {
                    file_name: "sha.ps1".into(),
                    problem: "\"sha256\" must be 64 hex digits".into()
                },
            ]
        );
        assert_eq!(m.entry("B.PS1").map(|e| e.may_remove), Some(true));
    }

    #[test]
    fn a_manifest_that_is_not_one_says_why() {
        let not_json = Manifest::parse("{\n  \"files\": {,\n}").unwrap_err();
        // The parser's own words name where it stopped.
        assert!(
            matches!(&not_json, ManifestError::NotJson(w) if w.contains("line 2")),
            "{not_json}"
        );
        assert_eq!(
            Manifest::parse("[]").unwrap_err(),
            ManifestError::Shape("must be an object with \"files\"")
        );
        assert_eq!(
            Manifest::parse(r#"{"files": []}"#).unwrap_err(),
            ManifestError::Shape("must have \"files\": an object of file names")
        );
        assert!(Manifest::parse(r#"{"files": {}}"#)
            .unwrap()
            .entries
            .is_empty());
    }
}
