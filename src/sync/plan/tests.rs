//! Tests of [`super`] (`src/sync/plan.rs`).
use super::*;

fn lib(name: &str, sha: &str) -> LibraryFile {
    LibraryFile {
        description: Some("D".into()),
        ..crate::sync::library_file(name, sha)
    }
}

fn file(name: &str, sha: &str) -> FolderFile {
    crate::sync::folder_file(name, 10, sha)
}

#[test]
fn each_kind_with_why() {
    let folder = [
        file("new.ps1", "aa"),
        file("Same.ps1", "bb"),
        file("bytes.ps1", "cc"),
        file("meta.ps1", "dd"),
    ];
    let library = [
        lib("same.ps1", "BB"),
        lib("bytes.ps1", "00"),
        lib("meta.ps1", "dd"),
        lib("gone.ps1", "ee"),
        lib("keep.ps1", "ff"),
    ];
    let m = Manifest::parse(
        r#"{"files": {"meta.ps1": {"description": "New words"},
                      "gone.ps1": {"mayRemove": true}}}"#,
    )
    .unwrap();
    let p = plan(&folder, Some(&m), &library);
    let kinds: Vec<(&str, &Kind)> = p.rows.iter().map(|r| (r.name.as_str(), &r.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (
                "bytes.ps1",
                &Kind::Changed {
                    content: true,
                    metadata: false
                }
            ),
            ("gone.ps1", &Kind::OnlyInLibrary { may_remove: true }),
            ("keep.ps1", &Kind::OnlyInLibrary { may_remove: false }),
            (
                "meta.ps1",
                &Kind::Changed {
                    content: false,
                    metadata: true
                }
            ),
            ("new.ps1", &Kind::New),
            ("Same.ps1", &Kind::Unchanged),
        ]
    );
    assert_eq!(
        p.counts(),
        Counts {
            new: 1,
            changed: 2,
            unchanged: 1,
            only_in_library: 2
        }
    );
    let sent: Vec<&str> = p.uploads().map(|r| r.name.as_str()).collect();
    assert_eq!(sent, ["bytes.ps1", "meta.ps1", "new.ps1"]);
    assert!(p.refused.is_empty());
}

#[test]
fn files_the_library_could_never_hold_are_named_and_left_out() {
    let mut empty = file("empty.ps1", "aa");
    empty.size = 0;
    let mut big = file("big.ps1", "aa");
    big.size = upload::MAX_BYTES + 1;
    let folder = [
        file("my script.ps1", "aa"),
        empty,
        big,
        file("Twin.ps1", "aa"),
        file("twin.PS1", "bb"),
        file("bad.ps1", "cc"),
    ];
    let m = Manifest::parse(r#"{"files": {"bad.ps1": {"hasParameters": 1}, "ghost.ps1": {}}}"#)
        .unwrap();
    let p = plan(&folder, Some(&m), &[]);
    assert!(p.rows.is_empty(), "{:?}", p.rows);
    assert_eq!(
        p.refused,
        vec![
            (
                "bad.ps1".into(),
                Refusal::Manifest("\"hasParameters\" must be true or false".into())
            ),
            ("big.ps1".into(), Refusal::Upload(Problem::TooLarge)),
            ("empty.ps1".into(), Refusal::Upload(Problem::Empty)),
            ("ghost.ps1".into(), Refusal::NoFile),
            (
                "my script.ps1".into(),
                Refusal::Upload(Problem::Name {
                    suggested: "my_script.ps1".into()
                })
            ),
            ("Twin.ps1".into(), Refusal::SameName("twin.PS1".into())),
            ("twin.PS1".into(), Refusal::SameName("Twin.ps1".into())),
        ]
    );
}

#[test]
fn without_a_manifest_only_the_bytes_count_and_nothing_may_be_removed() {
    let mut l = lib("a.ps1", "aa");
    l.description = None;
    let p = plan(&[file("a.ps1", "aa")], None, &[l, lib("b.ps1", "bb")]);
    assert_eq!(p.rows[0].kind, Kind::Unchanged);
    assert_eq!(p.rows[1].kind, Kind::OnlyInLibrary { may_remove: false });
    assert_eq!(plan(&[], None, &[]), Plan::default());
}
