//! The drift check: the library as loaded against a baseline (a report, or a `library.json`
//! with `sha256`s). Needs no write permission: a reader can run it.

use mde_wire::LibraryFile;

use super::report::Baseline;

/// How a file stands against the baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    /// Same name, same SHA-256.
    Same,
    /// Same name, another SHA-256: replaced since the baseline.
    Differs,
    /// In the baseline, not in the library: removed since.
    Missing,
    /// In the library, not in the baseline: added since.
    NotInBaseline,
}

/// One file of the check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftRow {
    /// The file (the library's spelling when it has it).
    pub name: String,
    /// How it stands.
    pub drift: Drift,
    /// Its SHA-256 in the baseline.
    pub expected: Option<String>,
    /// Its SHA-256 in the library.
    pub actual: Option<String>,
}

/// Why nothing was compared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DriftError {
    /// The baseline describes another tenant's library.
    #[error("The baseline is of another tenant ({baseline}) than this sign-in ({session}). Nothing was compared.")]
    OtherTenant {
        /// The baseline's tenant.
        baseline: String,
        /// The signed-in tenant.
        session: String,
    },
}

/// Compares `library` with `baseline`; `tenant` is the signed-in tenant, when known. Names are
/// compared ignoring ASCII case, as the API does; rows are by name.
pub fn check(
    baseline: &Baseline,
    library: &[LibraryFile],
    tenant: Option<&str>,
) -> Result<Vec<DriftRow>, DriftError> {
    if let (Some(b), Some(s)) = (baseline.tenant.as_deref(), tenant) {
        if !b.eq_ignore_ascii_case(s) {
            return Err(DriftError::OtherTenant {
                baseline: b.to_string(),
                session: s.to_string(),
            });
        }
    }
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let mut rows: Vec<DriftRow> = baseline
        .files
        .iter()
        .map(|(name, expected)| {
            let lib = library.iter().find(|l| same(&l.file_name, name));
            DriftRow {
                name: lib.map_or_else(|| name.clone(), |l| l.file_name.clone()),
                drift: match lib {
                    None => Drift::Missing,
                    Some(l) if l.sha256.eq_ignore_ascii_case(expected) => Drift::Same,
                    Some(_) => Drift::Differs,
                },
                expected: Some(expected.clone()),
                actual: lib.map(|l| l.sha256.clone()),
            }
        })
        .collect();
    rows.extend(
        library
            .iter()
            .filter(|l| !baseline.files.iter().any(|(n, _)| same(n, &l.file_name)))
            .map(|l| DriftRow {
                name: l.file_name.clone(),
                drift: Drift::NotInBaseline,
                expected: None,
                actual: Some(l.sha256.clone()),
            }),
    );
    rows.sort_by_key(|r| r.name.to_ascii_lowercase());
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sync::library_file as lib;

    #[test]
    fn each_file_differs_is_missing_is_new_or_is_the_same() {
        let baseline = Baseline {
            tenant: Some("t1".into()),
            files: vec![
                ("a.ps1".into(), "aa".into()),
                ("b.ps1".into(), "bb".into()),
                ("c.ps1".into(), "cc".into()),
            ],
        };
        let library = [lib("A.ps1", "AA"), lib("b.ps1", "00"), lib("d.ps1", "dd")];
        let rows = check(&baseline, &library, Some("T1")).unwrap();
        let got: Vec<(&str, &Drift)> = rows.iter().map(|r| (r.name.as_str(), &r.drift)).collect();
        assert_eq!(
            got,
            vec![
                ("A.ps1", &Drift::Same),
                ("b.ps1", &Drift::Differs),
                ("c.ps1", &Drift::Missing),
                ("d.ps1", &Drift::NotInBaseline),
            ]
        );
        assert_eq!(rows[1].expected.as_deref(), Some("bb"));
        assert_eq!(rows[1].actual.as_deref(), Some("00"));
    }

    #[test]
    fn a_baseline_of_another_tenant_compares_nothing() {
        let baseline = Baseline {
            tenant: Some("contoso".into()),
            files: vec![],
        };
        let e = check(&baseline, &[], Some("fabrikam")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The baseline is of another tenant (contoso) than this sign-in (fabrikam). Nothing was compared."
        );
        // Without a tenant on either side, it compares.
        assert!(check(&baseline, &[], None).is_ok());
    }
}
