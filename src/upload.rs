//! The checks an upload passes before anything is sent, as the API documents its rules: the
//! name (letters, digits, `.`, `_`, `-`), the 20 MB limit, an existing name without
//! "Overwrite if it exists" (names compared ignoring case, as public clients do), and an empty
//! file. Plain Rust, tested natively; the wording is in `messages`.

/// Largest file the API takes ([`mde_wire::MAX_UPLOAD_BYTES`], as a file size).
pub const MAX_BYTES: u64 = mde_wire::MAX_UPLOAD_BYTES as u64;

/// Why a file cannot be uploaded as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The name has characters the API refuses; `suggested` is the name with them replaced.
    Name {
        /// The corrected name.
        suggested: String,
    },
    /// Over [`MAX_BYTES`].
    TooLarge,
    /// Nothing in it.
    Empty,
    /// A file of that name is in the library and overwriting was not asked for.
    Exists,
}

/// Whether the API accepts `name`: `^[A-Za-z0-9._-]+$`.
pub use mde_wire::is_valid_file_name as name_is_valid;

/// `name` with every refused character replaced by `_` (runs of them by one).
pub fn corrected_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if mde_wire::is_file_name_char(c) {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    if out.chars().all(|c| c == '_' || c == '.') {
        out = format!("file{out}");
    }
    out
}

/// Every problem of a file named `name` of `size` bytes, given the names in the library.
pub fn check<'a>(
    name: &str,
    size: u64,
    overwrite: bool,
    library: impl IntoIterator<Item = &'a str>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if !name_is_valid(name) {
        out.push(Problem::Name {
            suggested: corrected_name(name),
        });
    }
    if size == 0 {
        out.push(Problem::Empty);
    } else if size > MAX_BYTES {
        out.push(Problem::TooLarge);
    }
    if !overwrite && library.into_iter().any(|n| n.eq_ignore_ascii_case(name)) {
        out.push(Problem::Exists);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rule() {
        for ok in ["a.ps1", "Collect-Triage_v2.ps1", "x", "...", "A-1.b_c"] {
            assert!(name_is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "my script.ps1",
            "a/b.ps1",
            "café.sh",
            "a;rm.sh",
            "a\u{0}.ps1",
        ] {
            assert!(!name_is_valid(bad), "{bad:?}");
        }
        assert_eq!(corrected_name("my script (v2).ps1"), "my_script_v2_.ps1");
        assert_eq!(corrected_name("café.sh"), "caf_.sh");
        assert_eq!(corrected_name("***"), "file_");
        assert!(name_is_valid(&corrected_name("../../etc/passwd")));
    }

    #[test]
    fn every_problem_is_found_before_sending() {
        let lib = ["Collect-Triage.ps1", "a.sh"];
        assert_eq!(check("new.ps1", 10, false, lib), vec![]);
        assert_eq!(
            check("COLLECT-TRIAGE.ps1", 10, false, lib),
            vec![Problem::Exists]
        );
        assert_eq!(check("Collect-Triage.ps1", 10, true, lib), vec![]);
        assert_eq!(check("new.ps1", 0, false, lib), vec![Problem::Empty]);
        assert_eq!(check("new.ps1", MAX_BYTES, false, lib), vec![]);
        assert_eq!(
            check("new.ps1", MAX_BYTES + 1, false, lib),
            vec![Problem::TooLarge]
        );
        assert_eq!(
            check("a b.sh", MAX_BYTES + 1, false, ["a b.sh"]),
            vec![
                Problem::Name {
                    suggested: "a_b.sh".into()
                },
                Problem::TooLarge,
                Problem::Exists
            ]
        );
    }
}
