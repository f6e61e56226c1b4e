//! The report of a plan or a run (JSON and CSV, with the activity export's formula safety),
//! and reading one back as the baseline of a drift check.

use super::plan::{Kind, Plan, Refusal};
use crate::activity::{csv_cell, json_string};
use crate::json::Json;

/// What a report says it is: a baseline without it is not one of ours.
pub const FORMAT: &str = "mde-library-admin/library-report/1";

/// One file of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    /// The file.
    pub file_name: String,
    /// `new`, `changed`, `unchanged`, `only-in-library` or `refused`.
    pub kind: &'static str,
    /// Its SHA-256 in the folder.
    pub folder_sha256: Option<String>,
    /// Its SHA-256 in the library when planned.
    pub library_sha256: Option<String>,
    /// How it ended (`uploaded`, `deleted`, `failed`, …) once applied; `None` for a plan.
    pub outcome: Option<String>,
}

/// A report: whose library, when, and every file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The tenant (`tid`) whose library it describes, when known.
    pub tenant: Option<String>,
    /// When (ISO 8601).
    pub created: String,
    /// Every file of the plan, by name.
    pub rows: Vec<ReportRow>,
}

const COLUMNS: [&str; 5] = [
    "fileName",
    "kind",
    "folderSha256",
    "librarySha256",
    "outcome",
];

impl Report {
    /// The report of `plan` (outcomes to be filled in by a run).
    pub fn of_plan(plan: &Plan, tenant: Option<String>, created: String) -> Report {
        let mut rows: Vec<ReportRow> = plan
            .rows
            .iter()
            .map(|r| ReportRow {
                file_name: r.name.clone(),
                kind: match r.kind {
                    Kind::New => "new",
                    Kind::Changed { .. } => "changed",
                    Kind::Unchanged => "unchanged",
                    Kind::OnlyInLibrary { .. } => "only-in-library",
                },
                folder_sha256: r.folder_sha256.clone(),
                library_sha256: r.library_sha256.clone(),
                outcome: None,
            })
            .collect();
        rows.extend(plan.refused.iter().map(|(name, why)| {
            ReportRow {
                file_name: name.clone(),
                kind: "refused",
                folder_sha256: None,
                library_sha256: None,
                outcome: Some(
                    match why {
                        Refusal::Upload(_) => "refused: the library cannot hold it",
                        Refusal::SameName(_) => "refused: a name twice ignoring case",
                        Refusal::NoFile => "refused: in library.json, not in the folder",
                        Refusal::Manifest(_) => "refused: its library.json entry",
                    }
                    .into(),
                ),
            }
        }));
        rows.sort_by_key(|r| r.file_name.to_ascii_lowercase());
        Report {
            tenant,
            created,
            rows,
        }
    }

    /// The same report after an apply: each file the run sent says how it ended (`ended`: the
    /// activity export's words, `uploaded`, `deleted`, `failed`, …), one it was to send but did
    /// not reach (`planned`, canceled or stopped first) says `not-sent`, an unchanged one
    /// `unchanged`, a library file left alone `kept`.
    pub fn with_run(
        mut self,
        ended: impl Fn(&str) -> Option<&'static str>,
        planned: impl Fn(&str) -> bool,
    ) -> Report {
        for r in &mut self.rows {
            if r.kind == "refused" {
                continue;
            }
            let word = match (ended(&r.file_name), r.kind) {
                (Some(word), _) => word,
                _ if planned(&r.file_name) => "not-sent",
                (None, "unchanged") => "unchanged",
                (None, _) => "kept",
            };
            r.outcome = Some(word.into());
        }
        self
    }

    fn values(r: &ReportRow) -> [Option<&str>; 5] {
        [
            Some(&r.file_name),
            Some(r.kind),
            r.folder_sha256.as_deref(),
            r.library_sha256.as_deref(),
            r.outcome.as_deref(),
        ]
    }

    /// The rows as CSV (RFC 4180, CRLF), formula-safe like the activity export.
    pub fn to_csv(&self) -> String {
        let mut out = COLUMNS.join(",");
        out.push_str("\r\n");
        for r in &self.rows {
            let cells: Vec<String> = Self::values(r)
                .iter()
                .map(|v| csv_cell(v.unwrap_or_default()))
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The report as JSON: `format`, `tenant`, `created` and `files`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"format\":");
        json_string(&mut out, FORMAT);
        out.push_str(",\"tenant\":");
        match &self.tenant {
            Some(t) => json_string(&mut out, t),
            None => out.push_str("null"),
        }
        out.push_str(",\"created\":");
        json_string(&mut out, &self.created);
        out.push_str(",\"files\":[");
        for (i, r) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            for (j, (key, value)) in COLUMNS.iter().zip(Self::values(r)).enumerate() {
                if j > 0 {
                    out.push(',');
                }
                json_string(&mut out, key);
                out.push(':');
                match value {
                    Some(v) => json_string(&mut out, v),
                    None => out.push_str("null"),
                }
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// The file names and SHA-256s a library is expected to have, and whose library.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The tenant the baseline was taken from, when it says.
    pub tenant: Option<String>,
    /// Name and expected SHA-256, lower case.
    pub files: Vec<(String, String)>,
}

/// Why a file cannot be a baseline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// Not JSON.
    #[error("The baseline is not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but neither a report of this panel nor a `library.json` with `sha256`s.
    #[error("The baseline is not a report of this panel, nor a library.json that lists a sha256 per file. Nothing was compared.")]
    NotOurs,
}

impl Baseline {
    /// Reads a report of this panel (what the folder had, plus what stayed only in the
    /// library) or a `library.json` listing `sha256` per file.
    pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
        let doc = Json::parse(text).map_err(|e| BaselineError::NotJson(e.0))?;
        if doc.get("format").and_then(|f| f.as_string()).as_deref() == Some(FORMAT) {
            let tenant = doc.opt_string("tenant").ok().flatten();
            let rows = doc
                .get("files")
                .and_then(|f| f.items())
                .ok_or(BaselineError::NotOurs)?;
            let mut files = Vec::new();
            for r in rows {
                let name = r.string("fileName").map_err(|_| BaselineError::NotOurs)?;
                let kind = r.string("kind").map_err(|_| BaselineError::NotOurs)?;
                let outcome = r.opt_string("outcome").ok().flatten();
                let sha = match kind.as_str() {
                    "only-in-library" if outcome.as_deref() == Some("deleted") => None,
                    "only-in-library" => r.opt_string("librarySha256").ok().flatten(),
                    "refused" => None,
                    _ => r.opt_string("folderSha256").ok().flatten(),
                };
                if let Some(sha) = sha {
                    files.push((name, sha.to_ascii_lowercase()));
                }
            }
            return Ok(Baseline { tenant, files });
        }
        let manifest =
            super::manifest::Manifest::parse(text).map_err(|_| BaselineError::NotOurs)?;
        let files: Vec<(String, String)> = manifest
            .entries
            .iter()
            .filter_map(|e| Some((e.file_name.clone(), e.sha256.clone()?)))
            .collect();
        if files.is_empty() {
            return Err(BaselineError::NotOurs);
        }
        Ok(Baseline {
            tenant: None,
            files,
        })
    }
}

#[cfg(test)]
mod tests;
