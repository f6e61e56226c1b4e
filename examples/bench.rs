//! Prints how long the list work takes at 10,000 entries: parsing the API's JSON, filtering
//! and sorting. Run with `make bench` (release, native; the wasm build is within ~2x).

use std::time::Instant;

use mde_library_admin::listing::{fold_all, synthetic_library, view_indices, Sort, SortKey};
use mde_wire::ListEnvelope;

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f();
    let start = Instant::now();
    for _ in 0..runs {
        out = f();
    }
    let per = start.elapsed() / runs;
    println!("{label:<48} {:>9.3} ms", per.as_secs_f64() * 1e3);
    out
}

fn main() {
    let n = 10_000;
    let files = synthetic_library(n);
    let json = serde_json::to_string(&ListEnvelope {
        context: Some("https://api.security.microsoft.com/api/$metadata#LibraryFiles".into()),
        value: files.clone(),
        next_link: None,
    })
    .unwrap();
    println!("{n} entries, {} KB of JSON", json.len() / 1024);
    let parsed = time("parse list JSON (native reader)", 20, || {
        mde_library_admin::api::read_list(&json).unwrap()
    });
    assert_eq!(parsed.value.len(), n);
    let folded = time("fold text once per load", 20, || fold_all(&files));
    time("filter \"\" + sort by name", 20, || {
        view_indices(&files, &folded, "", Sort::default())
    });
    let hits = time("filter \"priya\" (case-insensitive) + sort", 20, || {
        view_indices(&files, &folded, "priya", Sort::default())
    });
    println!("  {} matches", hits.len());
    time(
        "filter \"evidence set 4\" + sort by updated desc",
        20,
        || {
            view_indices(
                &files,
                &folded,
                "evidence set 4",
                Sort {
                    key: SortKey::Updated,
                    ascending: false,
                },
            )
        },
    );
    for key in SortKey::ALL {
        time(&format!("sort all by {key:?}"), 10, || {
            view_indices(
                &files,
                &folded,
                "",
                Sort {
                    key,
                    ascending: true,
                },
            )
        });
    }
    println!(
        "rows rendered at once: ~{} (windowed, 44 px rows)",
        (900.0f64 / 44.0).ceil() as usize + 24
    );
}
