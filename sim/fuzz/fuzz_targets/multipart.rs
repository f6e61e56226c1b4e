//! The upload endpoint's multipart reading and rules, on arbitrary bodies.
//!
//! The first line of the input, when there is one, is the request's `Content-Type` (so the
//! fuzzer also varies the boundary and the parameters); the rest is the body. Inputs
//! without a newline are a body under a fixed boundary. Anything may be refused with a 400,
//! nothing may panic or hang.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mde_sim::api::{check_upload, parse_upload_form};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) if i < 200 => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        _ => ("multipart/form-data; boundary=XyZ".to_string(), data),
    };
    // A Content-Type no header can carry is refused before the parser; skip it.
    if axum_header_ok(&content_type) {
        runtime().block_on(async {
            if let Ok(form) = parse_upload_form(&content_type, body.to_vec()).await {
                let _ = check_upload(form);
            }
        });
    }
});

fn axum_header_ok(v: &str) -> bool {
    v.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80)
}
