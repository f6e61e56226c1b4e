//! The app page's Content-Security-Policy, in one place: the simulator serves it with the
//! page, and `mde-sim security-headers` writes it for nginx, so the two cannot drift.

use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers the app page carries besides its policy, in the order nginx sends them.
pub const PAGE_HEADERS: [(&str, &str); 2] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

/// The policy of the app page: its own files, the inline scripts of `hashes`
/// (`'sha256-…'`, see [`inline_script_hashes`]), WebAssembly, fetches to `connect` and
/// framing by `ancestors` only. No `'unsafe-inline'`, no `'unsafe-eval'`.
pub fn content_security_policy<H, C, A>(hashes: &[H], connect: &[C], ancestors: &[A]) -> String
where
    H: AsRef<str>,
    C: AsRef<str>,
    A: AsRef<str>,
{
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
         img-src 'self' data:; connect-src {}; base-uri 'none'; form-action 'none'; \
         frame-ancestors {}",
        join(hashes),
        join(connect),
        join(ancestors)
    )
}

fn join<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CSP source (`'sha256-…'`) of every inline `<script>` of a page with a body that is not
/// only white space, in page order; scripts with a `src` are left out.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim_matches(is_space).is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &after[body_start + close..];
    }
    out
}

/// White space as Python's `str.isspace` sees it (Rust's, plus the four ASCII separators
/// U+001C to U+001F), so the generator splits and trims as the Python one it replaced did.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_source(body: &str) -> String {
        let digest = Sha256::digest(body.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    }

    #[test]
    fn hashes_only_inline_scripts_with_a_body() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        assert_eq!(inline_script_hashes(html), vec![sha256_source("init()")]);
        let html = "<script> \n\u{1c} </script><SCRIPT>x</SCRIPT><script\n>b</script><script>é";
        assert_eq!(inline_script_hashes(html), vec![sha256_source("b")]);
    }

    #[test]
    fn known_hash_of_a_known_body() {
        // The digest of "init()" as `openssl dgst -sha256 -binary | base64` prints it.
        assert_eq!(
            inline_script_hashes("<script>init()</script>"),
            vec!["'sha256-w4ujnOpjBoH2vcasx+reJRUwYivG8Q3afx/XevGJod8='".to_string()]
        );
    }

    #[test]
    fn the_policy_names_hashes_connect_and_ancestors_in_their_places() {
        let csp = content_security_policy(
            &["'sha256-a='", "'sha256-b='"],
            &["'self'", "https://login.microsoftonline.com"],
            &["'self'", "https://portal.contoso.com"],
        );
        assert_eq!(
            csp,
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-a=' 'sha256-b='; \
             style-src 'self'; img-src 'self' data:; \
             connect-src 'self' https://login.microsoftonline.com; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'self' https://portal.contoso.com"
        );
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"));
    }

    #[test]
    fn python_white_space() {
        for c in [
            ' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{1c}', '\u{1f}', '\u{a0}',
        ] {
            assert!(is_space(c), "{c:?}");
        }
        for c in ['x', '\u{0}', '\u{1b}', '\u{200b}'] {
            assert!(!is_space(c), "{c:?}");
        }
    }
}
