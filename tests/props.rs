//! Property tests of the app's pure parts (native only): the URL codec, the DELETE path
//! segment, `Retry-After`, `config.json` and the list reader, against generated input.
#![cfg(not(target_arch = "wasm32"))]

use mde_library_admin::api::{encode_segment, parse_retry_after, read_list};
use mde_library_admin::config::{parse_config, AppConfig, AuthConfig, PkceConfig, RateLimit};
use mde_library_admin::url::{decode, encode};
use mde_wire::{LibraryFile, ListEnvelope};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Modest case counts: the whole file runs in a few seconds.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings that stress the codec: ASCII punctuation, dots, percent signs, escapes and
/// anything else Unicode has, besides arbitrary strings.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[./%#?&=+ a-zA-Z0-9~_-]{0,12}",
        Just(".".to_string()),
        Just("..".to_string()),
        Just("...".to_string()),
        "(%[0-9A-Fa-f]{2}|%|%[g-z]|[a-z]){0,6}",
        "\\PC{0,8}",
    ]
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Only unreserved characters and `%XX` escapes with upper-case hex.
fn only_unreserved_and_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
            if !(b.get(i + 1).copied().is_some_and(hex) && b.get(i + 2).copied().is_some_and(hex)) {
                return false;
            }
            i += 3;
        } else if is_unreserved(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn percent_encoding_round_trips_every_string(s in tricky_string()) {
        let e = encode(&s);
        prop_assert!(only_unreserved_and_escapes(&e), "{e:?}");
        prop_assert_eq!(decode(&e), s.as_str());
    }

    #[test]
    fn decode_never_panics(s in tricky_string()) {
        let _ = decode(&s);
    }

    #[test]
    fn a_name_is_one_segment_or_refused(name in tricky_string()) {
        let dots_only = name.chars().all(|c| c == '.');
        match encode_segment(&name) {
            Ok(seg) => {
                prop_assert!(!dots_only, "{name:?} must be refused");
                prop_assert!(!seg.is_empty());
                prop_assert!(!seg.contains('/'), "{seg:?}");
                prop_assert!(seg != "." && seg != "..", "{seg:?}");
                prop_assert!(only_unreserved_and_escapes(&seg), "{seg:?}");
                prop_assert_eq!(decode(&seg), name.as_str());
            }
            // Refused: dot-only (and empty) names, which URL parsers turn into navigation,
            // and names holding U+FFFD, which stand for bytes that were lost on the way in.
            Err(_) => prop_assert!(dots_only || name.contains('\u{fffd}'), "{name:?} refused"),
        }
        if dots_only {
            prop_assert!(encode_segment(&name).is_err(), "{name:?}");
        }
    }

    #[test]
    fn retry_after_never_panics(v in any::<String>(), now in any::<u64>()) {
        let _ = parse_retry_after(&v, now);
    }

    /// Delay seconds, of any length: never a shorter wait than asked (no wrap-around); a
    /// value too large to wait for may be refused (None).
    #[test]
    fn retry_after_seconds_are_never_shortened(
        digits in "[0-9]{1,40}",
        pad in "[ \t]{0,2}",
        now in any::<u64>(),
    ) {
        let asked = format!("{pad}{digits}{pad}");
        let trimmed = digits.trim_start_matches('0');
        // min(seconds × 1000, u64::MAX), computed without overflow.
        let floor = if trimmed.len() > 20 {
            u64::MAX
        } else {
            trimmed
                .parse::<u128>()
                .map_or(0, |s| s.saturating_mul(1000).min(u128::from(u64::MAX)) as u64)
        };
        if let Some(ms) = parse_retry_after(&asked, now) {
            prop_assert!(ms >= floor, "{asked:?} gave {ms} ms, less than {floor}");
        }
        // Small values are plain seconds.
        if trimmed.len() <= 6 {
            prop_assert_eq!(parse_retry_after(&asked, now), Some(floor));
        }
    }

    /// An HTTP date: the wait is the time from now until then, never less than zero.
    #[test]
    fn retry_after_dates_count_from_now(at_s in 0u64..4_102_444_800, now_s in 0u64..4_102_444_800) {
        let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(at_s));
        let got = parse_retry_after(&date, now_s * 1000);
        prop_assert_eq!(got, Some((at_s * 1000).saturating_sub(now_s * 1000)), "{}", date);
    }
}

// ---------------------------------------------------------------------------------------
// config.json

/// Any JSON value, leaning towards the shapes and keys the readers look for.
fn json_value(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        tricky_string().prop_map(Value::String),
        prop_oneof![
            Just("https://api.security.microsoft.com"),
            Just("http://127.0.0.1:8787"),
            Just("http://localhost.evil.example"),
            Just("/mde-proxy"),
            Just("pkce"),
            Just("host"),
            Just("proxy"),
            Just("bridge"),
            Just("https://login.microsoftonline.com/t/v2.0"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(keys).prop_map(str::to_string),
                        "[a-z]{1,6}"
                    ],
                    inner,
                ),
                0..6,
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const CONFIG_KEYS: &[&str] = &[
    "apiBase",
    "auth",
    "mode",
    "authority",
    "clientId",
    "scopes",
    "redirectUri",
    "rateLimit",
    "perMinute",
    "perHour",
];

fn host() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,6}){1,2}"
}

/// `https://host[:port][/path]`, without a trailing slash.
fn https_url() -> impl Strategy<Value = String> {
    (
        host(),
        prop::option::of(1u16..),
        "(/[a-zA-Z0-9_~-][a-zA-Z0-9._~-]{0,7}){0,2}",
    )
        .prop_map(|(h, port, path)| match port {
            Some(p) => format!("https://{h}:{p}{path}"),
            None => format!("https://{h}{path}"),
        })
}

fn api_base() -> impl Strategy<Value = String> {
    prop_oneof![
        https_url(),
        (
            prop::sample::select(&["127.0.0.1", "localhost", "[::1]"][..]),
            1u16..
        )
            .prop_map(|(h, p)| format!("http://{h}:{p}")),
        "/[a-z][a-z0-9-]{0,10}",
    ]
}

fn rate_limit() -> impl Strategy<Value = Option<RateLimit>> {
    prop::option::of(
        (1u32.., 1u32..).prop_map(|(per_minute, per_hour)| RateLimit {
            window_seconds: 60,
            per_minute,
            per_hour,
        }),
    )
}

/// A valid configuration and the JSON text that says it.
fn valid_config() -> impl Strategy<Value = (AppConfig, String)> {
    let pkce = (
        https_url(),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9._-]{1,20}",
        prop::collection::vec("[A-Za-z0-9:/._-]{1,40}", 1..4),
        prop::option::of(https_url()),
    )
        .prop_map(|(authority, client_id, scopes, redirect_uri)| {
            AuthConfig::Pkce(PkceConfig {
                authority,
                client_id,
                scopes,
                redirect_uri,
            })
        });
    (
        api_base(),
        prop_oneof![
            pkce,
            Just(AuthConfig::Host),
            Just(AuthConfig::Proxy),
            prop_oneof![
                Just("https://portal.contoso.com"),
                Just("http://127.0.0.1:8788")
            ]
            .prop_map(|o| AuthConfig::Bridge {
                host_origin: o.into()
            }),
        ],
        rate_limit(),
    )
        .prop_filter("proxy mode needs a path", |(base, auth, _)| {
            *auth != AuthConfig::Proxy || base.starts_with('/')
        })
        .prop_map(|(api_base, auth, rate)| {
            let auth_json = match &auth {
                AuthConfig::Pkce(p) => json!({
                    "mode": "pkce", "authority": p.authority, "clientId": p.client_id,
                    "scopes": p.scopes, "redirectUri": p.redirect_uri,
                }),
                AuthConfig::Host => json!({"mode": "host"}),
                AuthConfig::Proxy => json!({"mode": "proxy"}),
                AuthConfig::Bridge { host_origin } => {
                    json!({"mode": "bridge", "hostOrigin": host_origin})
                }
            };
            let mut doc = json!({"apiBase": api_base, "auth": auth_json});
            if let Some(r) = rate {
                doc["rateLimit"] = json!({"perMinute": r.per_minute, "perHour": r.per_hour});
            }
            let cfg = AppConfig {
                api_base,
                auth,
                rate_limit: rate.unwrap_or(RateLimit {
                    window_seconds: 60,
                    per_minute: 100,
                    per_hour: 1500,
                }),
                theme: None,
            };
            (cfg, doc.to_string())
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn config_never_panics_on_any_text(text in any::<String>()) {
        let _ = parse_config(&text);
    }

    #[test]
    fn config_never_panics_on_any_json(doc in json_value(CONFIG_KEYS)) {
        let _ = parse_config(&doc.to_string());
    }

    /// Config-shaped documents with every field replaced by anything: an error names the
    /// file, never a panic.
    #[test]
    fn config_fields_of_any_type_give_errors_not_panics(
        base in json_value(CONFIG_KEYS),
        auth in json_value(CONFIG_KEYS),
        mode in json_value(CONFIG_KEYS),
        scopes in json_value(CONFIG_KEYS),
        rate in json_value(CONFIG_KEYS),
    ) {
        let doc = json!({
            "apiBase": base,
            "auth": {"mode": mode, "authority": auth, "clientId": "c", "scopes": scopes},
            "rateLimit": rate,
        });
        if let Err(e) = parse_config(&doc.to_string()) {
            prop_assert!(e.to_string().contains("config.json"), "{e}");
        }
    }

    #[test]
    fn a_valid_config_round_trips((want, text) in valid_config()) {
        let got = parse_config(&text);
        prop_assert_eq!(got.as_ref().ok(), Some(&want), "{} gave {:?}", text, got);
    }
}

// ---------------------------------------------------------------------------------------
// The list reader

const LIST_KEYS: &[&str] = &[
    "value",
    "@odata.nextLink",
    "@odata.context",
    "fileName",
    "sha256",
    "description",
    "creationTime",
    "lastUpdatedTime",
    "createdBy",
    "hasParameters",
    "parametersDescription",
];

fn library_file() -> impl Strategy<Value = LibraryFile> {
    (
        (any::<String>(), any::<String>(), any::<Option<String>>()),
        (any::<String>(), any::<String>(), any::<Option<String>>()),
        (any::<bool>(), any::<Option<String>>()),
    )
        .prop_map(
            |(
                (file_name, sha256, description),
                (creation_time, last_updated_time, created_by),
                (has_parameters, parameters_description),
            )| LibraryFile {
                file_name,
                sha256,
                description,
                creation_time,
                last_updated_time,
                created_by,
                has_parameters,
                parameters_description,
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn list_reader_never_panics_on_any_text(text in any::<String>()) {
        let _ = read_list(&text);
    }

    #[test]
    fn list_reader_never_panics_on_any_json(doc in json_value(LIST_KEYS)) {
        let _ = read_list(&doc.to_string());
    }

    /// A list whose entries are anything: readable entries come back, the others are
    /// counted, and nothing panics.
    #[test]
    fn list_entries_of_any_shape_are_read_or_counted(
        entries in prop::collection::vec(json_value(LIST_KEYS), 0..8),
    ) {
        let text = json!({"value": entries}).to_string();
        let page = read_list(&text);
        prop_assert!(page.is_ok(), "{:?}", page.err());
        let page = page.unwrap();
        prop_assert_eq!(page.value.len() + page.unreadable, entries.len());
    }

    /// What the simulator writes (the wire types through serde) is read back as it was.
    #[test]
    fn wire_entries_are_read_back_equal(
        files in prop::collection::vec(library_file(), 0..6),
        context in any::<Option<String>>(),
        next_link in any::<Option<String>>(),
    ) {
        let text = serde_json::to_string(&ListEnvelope {
            context,
            value: files.clone(),
            next_link: next_link.clone(),
        })
        .unwrap();
        let page = read_list(&text);
        prop_assert!(page.is_ok(), "{:?}", page.err());
        let page = page.unwrap();
        prop_assert_eq!(page.unreadable, 0);
        prop_assert_eq!(page.value, files);
        prop_assert_eq!(page.next_link, next_link);
    }
}

mod library_as_code {
    use super::config;
    use mde_library_admin::sync::apply::{steps, Step};
    use mde_library_admin::sync::manifest::Manifest;
    use mde_library_admin::sync::plan::{plan, FolderFile, Kind};
    use mde_wire::LibraryFile;
    use proptest::prelude::*;

    /// Few names, in any case, so that twins, matches and misses all happen; sometimes a name
    /// the API refuses, sometimes an empty or too large file.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "(a|A|b|B|c|C)\\.(ps1|PS1|sh)",
            Just("bad name.ps1".to_string()),
        ]
    }

    fn folder() -> impl Strategy<Value = Vec<FolderFile>> {
        prop::collection::vec(
            (
                name(),
                prop_oneof![Just(0u64), Just(10), Just(21 * 1024 * 1024)],
                "[ab]",
            ),
            0..8,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(name, size, sha)| FolderFile {
                    name,
                    size,
                    sha256: sha,
                })
                .collect()
        })
    }

    fn library() -> impl Strategy<Value = Vec<LibraryFile>> {
        // The API holds each name once, ignoring case.
        prop::collection::btree_map("(a|b|c|d)\\.(ps1|sh)", "[ab]", 0..6).prop_map(|m| {
            m.into_iter()
                .map(|(file_name, sha256)| LibraryFile {
                    file_name,
                    sha256,
                    description: None,
                    creation_time: String::new(),
                    last_updated_time: String::new(),
                    created_by: None,
                    has_parameters: false,
                    parameters_description: None,
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn every_file_appears_exactly_once_and_unchanged_ones_are_never_sent(
            folder in folder(),
            library in library(),
        ) {
            let p = plan(&folder, None, &library);
            let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
            // Each folder file: exactly one row of its name or one refusal of it.
            for f in &folder {
                let rows = p.rows.iter().filter(|r| r.name == f.name && r.folder_sha256.is_some()).count();
                let refused = p.refused.iter().filter(|(n, _)| *n == f.name).count();
                let copies = folder.iter().filter(|g| g.name == f.name).count();
                prop_assert_eq!(rows + refused, copies, "{} in {:?}", f.name, p);
            }
            // Each library file: in exactly one row (matched by a folder file, or only in the
            // library), unless every folder file of its name was refused.
            for l in &library {
                let rows = p.rows.iter().filter(|r| same(&r.name, &l.file_name)).count();
                let refused_twins = folder.iter().any(|f| same(&f.name, &l.file_name))
                    && !p.rows.iter().any(|r| same(&r.name, &l.file_name));
                prop_assert!(rows == 1 || (rows == 0 && refused_twins), "{} in {:?}", l.file_name, p);
            }
            // Nothing unchanged or library-only is uploaded, and nothing is uploaded twice.
            let sent: Vec<&str> = p.uploads().map(|r| r.name.as_str()).collect();
            for r in p.uploads() {
                let sendable = matches!(r.kind, Kind::New | Kind::Changed { .. });
                prop_assert!(sendable, "{:?} is sent", r);
            }
            let mut unique = sent.clone();
            unique.sort_by_key(|n| n.to_ascii_lowercase());
            unique.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            prop_assert_eq!(unique.len(), sent.len());
        }
    }

    proptest! {
        #![proptest_config(config())]

        /// An apply sends each file at most once, uploads before deletes, never an unchanged
        /// or refused file, and deletes only what was ticked and library.json allows.
        #[test]
        fn an_apply_sends_each_change_once_and_removes_only_what_was_ticked_and_allowed(
            folder in folder(),
            library in library(),
            allowed in prop::collection::vec("(a|b|c|d)\\.(ps1|sh)", 0..4),
            ticked in prop::collection::vec("(a|b|c|d)\\.(ps1|sh)", 0..4),
        ) {
            let files: Vec<String> = allowed
                .iter()
                .map(|n| format!("{n:?}: {{\"mayRemove\": true}}"))
                .collect();
            let m = Manifest::parse(&format!("{{\"files\": {{{}}}}}", files.join(","))).unwrap();
            let p = plan(&folder, Some(&m), &library);
            let (sent, summary) = steps(&p, Some(&m), &library, &ticked);
            prop_assert_eq!(sent.len(), summary.total());
            let mut names: Vec<String> = sent.iter().map(|s| s.name().to_ascii_lowercase()).collect();
            names.sort();
            names.dedup();
            prop_assert_eq!(names.len(), sent.len(), "a file sent twice: {:?}", sent);
            let first_remove = sent.iter().position(|s| matches!(s, Step::Remove(_))).unwrap_or(sent.len());
            prop_assert!(sent[first_remove..].iter().all(|s| matches!(s, Step::Remove(_))), "{:?}", sent);
            for s in &sent {
                let row = p.rows.iter().find(|r| r.name == s.name());
                match s {
                    Step::Upload(u) => {
                        let row = row.expect("an upload of a planned row");
                        prop_assert!(matches!(row.kind, Kind::New | Kind::Changed { .. }), "{:?}", row);
                        prop_assert_eq!(u.overwrite, matches!(row.kind, Kind::Changed { .. }));
                    }
                    Step::Remove(n) => {
                        prop_assert!(ticked.contains(n), "{} not ticked", n);
                        prop_assert_eq!(row.map(|r| &r.kind), Some(&Kind::OnlyInLibrary { may_remove: true }));
                    }
                }
            }
        }
    }
}
