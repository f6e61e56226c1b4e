//! What applying a plan sends, decided before anything is: an upload for each new and changed
//! file (over the library's for a changed one), then a delete for each removal the person
//! ticked. Uploads go first, so an apply that stops half-way has added before it removed.
//! Unchanged files, refused files and removals not ticked (or not allowed by `library.json`)
//! are never sent.

use mde_wire::LibraryFile;

use super::manifest::Manifest;
use super::plan::{Kind, Plan};

/// One call of an apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Upload the folder's file of this name.
    Upload(UploadStep),
    /// Delete the library's file of this name.
    Remove(String),
}

/// An upload and the metadata it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadStep {
    /// The folder's (and the library's) name.
    pub name: String,
    /// `OverrideIfExists`: true for a changed file only, so a new one that appeared in the
    /// library since the plan is refused by the API rather than overwritten unseen.
    pub overwrite: bool,
    /// `Description`.
    pub description: String,
    /// `HasParameters`.
    pub has_parameters: bool,
    /// `ParametersDescription`.
    pub parameters_description: String,
}

impl Step {
    /// The file it is for.
    pub fn name(&self) -> &str {
        match self {
            Step::Upload(u) => &u.name,
            Step::Remove(n) => n,
        }
    }
}

/// What an apply will do, in the words of its confirmation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// New files uploaded.
    pub added: usize,
    /// Library files overwritten.
    pub overwritten: usize,
    /// Library files deleted.
    pub removed: usize,
}

impl Summary {
    /// Every call.
    pub fn total(&self) -> usize {
        self.added + self.overwritten + self.removed
    }

    /// Whether anything in the library is lost or replaced: then the person types the count.
    pub fn destructive(&self) -> bool {
        self.overwritten + self.removed > 0
    }
}

/// The calls applying `plan` makes, given the removals the person ticked (`ticked`, names as
/// the plan has them). Metadata comes from `library.json`; where it says nothing about a
/// member, an overwritten file keeps the library's (an upload replaces all of it).
pub fn steps(
    plan: &Plan,
    manifest: Option<&Manifest>,
    library: &[LibraryFile],
    ticked: &[String],
) -> (Vec<Step>, Summary) {
    let mut out = Vec::new();
    let mut summary = Summary::default();
    for row in plan.uploads() {
        let entry = manifest.and_then(|m| m.entry(&row.name));
        let listed = library
            .iter()
            .find(|l| l.file_name.eq_ignore_ascii_case(&row.name));
        let overwrite = matches!(row.kind, Kind::Changed { .. });
        if overwrite {
            summary.overwritten += 1;
        } else {
            summary.added += 1;
        }
        let pick = |said: Option<&String>, kept: Option<&String>| {
            said.or(kept).cloned().unwrap_or_default()
        };
        out.push(Step::Upload(UploadStep {
            name: row.name.clone(),
            overwrite,
            description: pick(
                entry.and_then(|e| e.description.as_ref()),
                listed.and_then(|l| l.description.as_ref()),
            ),
            has_parameters: entry
                .and_then(|e| e.has_parameters)
                .or(listed.map(|l| l.has_parameters))
                .unwrap_or(false),
            parameters_description: pick(
                entry.and_then(|e| e.parameters_description.as_ref()),
                listed.and_then(|l| l.parameters_description.as_ref()),
            ),
        }));
    }
    for row in &plan.rows {
        if row.kind == (Kind::OnlyInLibrary { may_remove: true }) && ticked.contains(&row.name) {
            summary.removed += 1;
            out.push(Step::Remove(row.name.clone()));
        }
    }
    (out, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::plan::{plan, FolderFile};
    use crate::sync::{folder_file, library_file};

    fn file(name: &str, sha: &str) -> FolderFile {
        folder_file(name, 3, sha)
    }

    #[test]
    fn uploads_first_then_only_the_ticked_removals_that_are_allowed() {
        let mut kept = library_file("changed.ps1", "00");
        kept.description = Some("from the library".into());
        kept.has_parameters = true;
        kept.parameters_description = Some("-Days <n>".into());
        let library = [
            kept,
            library_file("same.ps1", "bb"),
            library_file("gone.ps1", "cc"),
            library_file("allowed-not-ticked.ps1", "dd"),
            library_file("not-allowed.ps1", "ee"),
        ];
        let m = Manifest::parse(
            r#"{"files": {"new.ps1": {"description": "Fresh", "hasParameters": false},
                          "gone.ps1": {"mayRemove": true},
                          "allowed-not-ticked.ps1": {"mayRemove": true}}}"#,
        )
        .unwrap();
        let folder = [
            file("new.ps1", "aa"),
            file("changed.ps1", "11"),
            file("same.ps1", "bb"),
        ];
        let p = plan(&folder, Some(&m), &library);
        let ticked = ["gone.ps1".to_string(), "not-allowed.ps1".to_string()];
        let (steps, summary) = steps(&p, Some(&m), &library, &ticked);
        assert_eq!(
            steps,
            vec![
                Step::Upload(UploadStep {
                    name: "changed.ps1".into(),
                    overwrite: true,
                    description: "from the library".into(),
                    has_parameters: true,
                    parameters_description: "-Days <n>".into(),
                }),
                Step::Upload(UploadStep {
                    name: "new.ps1".into(),
                    overwrite: false,
                    description: "Fresh".into(),
                    has_parameters: false,
                    parameters_description: String::new(),
                }),
                Step::Remove("gone.ps1".into()),
            ]
        );
        assert_eq!(
            summary,
            Summary {
                added: 1,
                overwritten: 1,
                removed: 1
            }
        );
        assert!(summary.destructive());
        assert_eq!(summary.total(), 3);
    }

    #[test]
    fn only_new_files_need_no_typed_confirmation_and_an_unchanged_plan_sends_nothing() {
        let library = [library_file("same.ps1", "bb")];
        let p = plan(&[file("a.ps1", "aa")], None, &library);
        let (s, summary) = steps(&p, None, &library, &["same.ps1".into()]);
        assert_eq!(s.len(), 1);
        assert!(!summary.destructive());
        let p = plan(&[file("same.ps1", "BB")], None, &library);
        let (s, summary) = steps(&p, None, &library, &[]);
        assert!(s.is_empty());
        assert_eq!(summary.total(), 0);
    }
}
