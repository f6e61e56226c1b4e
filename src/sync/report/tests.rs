//! Tests of [`super`] (`src/sync/report.rs`).
use super::*;
use crate::sync::folder_file;
use crate::sync::manifest::Manifest;
use crate::sync::plan::plan;

use crate::sync::library_file as lib;

fn a_plan() -> Plan {
    let folder = [
        folder_file("=cmd.ps1", 1, "aa"),
        folder_file("same.ps1", 1, "bb"),
        folder_file("empty.ps1", 0, "cc"),
    ];
    plan(
        &folder,
        None,
        &[lib("same.ps1", "bb"), lib("old.ps1", "dd")],
    )
}

#[test]
fn the_report_lists_every_file_in_json_and_formula_safe_csv() {
    let r = Report::of_plan(&a_plan(), Some("t1".into()), "2026-12-04T19:00:00Z".into());
    let kinds: Vec<(&str, &str)> = r
        .rows
        .iter()
        .map(|r| (r.file_name.as_str(), r.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("=cmd.ps1", "refused"),
            ("empty.ps1", "refused"),
            ("old.ps1", "only-in-library"),
            ("same.ps1", "unchanged"),
        ]
    );
    let csv = r.to_csv();
    assert!(csv.starts_with("fileName,kind,folderSha256,librarySha256,outcome\r\n"));
    assert!(
        csv.contains("\r\n'=cmd.ps1,refused,,,refused: the library cannot hold it\r\n"),
        "{csv}"
    );
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["format"], FORMAT);
    assert_eq!(v["tenant"], "t1");
    assert_eq!(v["files"][3]["folderSha256"], "bb");
    assert_eq!(v["files"][2]["folderSha256"], serde_json::Value::Null);
}

#[test]
fn a_report_reads_back_as_the_baseline_of_what_was_reviewed() {
    let mut r = Report::of_plan(&a_plan(), Some("t1".into()), "now".into());
    let b = Baseline::parse(&r.to_json()).unwrap();
    assert_eq!(b.tenant.as_deref(), Some("t1"));
    // The folder's files as reviewed, and what stayed only in the library; refusals say nothing.
    assert_eq!(
        b.files,
        vec![
            ("old.ps1".into(), "dd".into()),
            ("same.ps1".into(), "bb".into())
        ]
    );
    // Once a run has removed a library-only file, it is no longer expected.
    r.rows[2].outcome = Some("deleted".into());
    let b = Baseline::parse(&r.to_json()).unwrap();
    assert_eq!(b.files, vec![("same.ps1".into(), "bb".into())]);
}

#[test]
fn a_manifest_with_sha256s_is_a_baseline_and_anything_else_is_refused() {
    let sha = "6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf";
    let b = Baseline::parse(&format!(
        r#"{{"files": {{"a.ps1": {{"sha256": "{}"}}}}}}"#,
        sha.to_uppercase()
    ))
    .unwrap();
    assert_eq!(b.files, vec![("a.ps1".into(), sha.into())]);
    assert!(Manifest::parse(r#"{"files": {"a.ps1": {}}}"#).is_ok());
    for not_ours in [
        r#"{"files": {"a.ps1": {}}}"#,
        "[1, 2]",
        r#"{"format": "other"}"#,
    ] {
        assert_eq!(
            Baseline::parse(not_ours),
            Err(BaselineError::NotOurs),
            "{not_ours}"
        );
    }
    assert!(matches!(
        Baseline::parse("{"),
        Err(BaselineError::NotJson(_))
    ));
}

#[test]
fn after_a_run_every_file_says_how_it_ended_or_why_it_was_not_sent() {
    let folder = [
        folder_file("new.ps1", 1, "aa"),
        folder_file("late.ps1", 1, "ab"),
        folder_file("same.ps1", 1, "bb"),
        folder_file("empty.ps1", 0, "cc"),
    ];
    let p = plan(
        &folder,
        None,
        &[
            lib("same.ps1", "bb"),
            lib("old.ps1", "dd"),
            lib("gone.ps1", "ee"),
        ],
    );
    // The run sent new.ps1 and deleted gone.ps1, then was canceled before late.ps1.
    let r = Report::of_plan(&p, None, "now".into()).with_run(
        |n| match n {
            "new.ps1" => Some("uploaded"),
            "gone.ps1" => Some("deleted"),
            _ => None,
        },
        |n| ["new.ps1", "late.ps1", "gone.ps1"].contains(&n),
    );
    let outcomes: Vec<(&str, Option<&str>)> = r
        .rows
        .iter()
        .map(|r| (r.file_name.as_str(), r.outcome.as_deref()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("empty.ps1", Some("refused: the library cannot hold it")),
            ("gone.ps1", Some("deleted")),
            ("late.ps1", Some("not-sent")),
            ("new.ps1", Some("uploaded")),
            ("old.ps1", Some("kept")),
            ("same.ps1", Some("unchanged")),
        ]
    );
    // As a baseline: what was deleted is no longer expected; the rest is as reviewed.
    let b = Baseline::parse(&r.to_json()).unwrap();
    let names: Vec<&str> = b.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["late.ps1", "new.ps1", "old.ps1", "same.ps1"]);
}
