//! URL safety in one place: which URLs may be used at all (https, or http on loopback),
//! and the RFC 3986 percent-encoding of path segments, query and form values.
//!
//! Hand-written rather than the `percent-encoding` crate: its `Display`-based encoder pulled
//! the formatting machinery into every call site, and these two loops are fully tested.

/// RFC 3986 unreserved characters: the only ones left as they are.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every byte of `s`'s UTF-8 except the unreserved characters, so the
/// result is safe as one path segment, a query value or a form value.
pub fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes (a malformed escape stays as it is); invalid UTF-8 becomes U+FFFD.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |k: usize| bytes.get(k).and_then(|&c| (c as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The host of an absolute `scheme://host[:port]/...` URL, without port or user info;
/// `None` for anything else.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if host_port.starts_with('[') {
        &host_port[..host_port.find(']')? + 1]
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Whether two origins are certainly of different sites (scheme and registrable domain;
/// ports do not count), as browsers key storage partitions by. Without the public suffix
/// list a registrable domain is at least the host's last two labels, so hosts whose last two
/// labels differ are of different sites; an IP address or a one-label host is a site of its
/// own. Hosts that share their last two labels are not said to differ (they may, under a
/// suffix such as `github.io`), so this errs towards trying.
pub fn certainly_cross_site(a: &str, b: &str) -> bool {
    let scheme = |u: &str| u.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let site = |u: &str| {
        let host = host_of(u)?.to_ascii_lowercase();
        let ip = host.starts_with('[') || host.bytes().all(|c| c.is_ascii_digit() || c == b'.');
        let labels: Vec<&str> = host.trim_end_matches('.').rsplit('.').take(2).collect();
        Some(if ip { host.clone() } else { labels.join(".") })
    };
    match (scheme(a), scheme(b), site(a), site(b)) {
        (Some(sa), Some(sb), Some(ha), Some(hb)) => sa != sb || ha != hb,
        _ => false,
    }
}

/// Whether `url` is `http://` to this machine: the one place plain HTTP is acceptable.
pub fn is_loopback_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        && host_of(url).is_some_and(|h| {
            matches!(
                h.to_ascii_lowercase().as_str(),
                "localhost" | "127.0.0.1" | "[::1]"
            )
        })
}

/// Whether `url` is absolute `https://` with a host, or loopback `http://`.
pub fn is_secure(url: &str) -> bool {
    let https = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    (https && host_of(url).is_some()) || is_loopback_http(url)
}

/// Whether `origin` (`https://host`) is one of Microsoft's Defender API hosts (commercial,
/// regional, GCC, GCC High, DoD): the only absolute next links mapped onto a proxy path.
pub fn is_defender_api_origin(origin: &str) -> bool {
    const DOMAINS: [&str; 4] = [
        "security.microsoft.com",
        "securitycenter.microsoft.com",
        "security.microsoft.us",
        "securitycenter.microsoft.us",
    ];
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    DOMAINS.iter().any(|d| {
        host.strip_suffix(d)
            .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_is_scheme_or_registrable_domain_never_the_port() {
        let cross = [
            ("http://127.0.0.1:8799", "http://localhost:8800"),
            ("https://contoso.com", "https://contoso.net"),
            ("https://portal.contoso.com", "https://panel.fabrikam.com"),
            ("http://portal.contoso.com", "https://portal.contoso.com"),
            ("http://127.0.0.1:1", "http://127.0.0.2:1"),
            ("http://[::1]:1", "http://localhost:1"),
        ];
        for (a, b) in cross {
            assert!(certainly_cross_site(a, b), "{a} {b}");
            assert!(certainly_cross_site(b, a), "{b} {a}");
        }
        let same = [
            ("http://127.0.0.1:8799", "http://127.0.0.1:8800"),
            ("https://portal.contoso.com", "https://panel.contoso.com"),
            ("https://contoso.com", "https://admin.CONTOSO.com."),
            ("http://localhost:1", "http://localhost:2"),
            // Sharing the last two labels: not said to differ (co.uk, github.io: unknown).
            ("https://a.contoso.co.uk", "https://b.fabrikam.co.uk"),
            // Unreadable: not said to differ.
            ("null", "https://contoso.com"),
        ];
        for (a, b) in same {
            assert!(!certainly_cross_site(a, b), "{a} {b}");
        }
    }

    #[test]
    fn encodes_all_but_unreserved() {
        assert_eq!(encode("Get-Info_v2.ps1~"), "Get-Info_v2.ps1~");
        assert_eq!(
            encode("a b#c%d?e/f\u{e9}+&="),
            "a%20b%23c%25d%3Fe%2Ff%C3%A9%2B%26%3D"
        );
    }

    #[test]
    fn decodes_escapes_and_keeps_malformed_ones() {
        assert_eq!(decode("a%20b%2Fc%C3%A9"), "a b/c\u{e9}");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{fffd}");
        for s in ["", ".", "..", "a b", "\u{1F600}/%?#&=+", "%41"] {
            assert_eq!(decode(&encode(s)), s);
        }
    }

    #[test]
    fn loopback_means_the_host_not_a_prefix() {
        for ok in [
            "http://localhost",
            "http://localhost:8787/x",
            "http://127.0.0.1:1/",
            "http://[::1]:9/",
            "HTTP://LOCALHOST/",
        ] {
            assert!(is_loopback_http(ok), "{ok}");
            assert!(is_secure(ok), "{ok}");
        }
        for bad in [
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/",
            "http://localhost@evil.example/",
            "http://evil.example/?localhost",
            "http://evil.example\\@localhost/",
            "https://localhost.evil.example/",
        ] {
            assert!(!is_loopback_http(bad), "{bad}");
        }
        assert!(is_secure("https://login.microsoftonline.com/t/v2.0"));
        assert!(!is_secure("https://"));
        assert!(!is_secure("http://login.microsoftonline.com/"));
        assert!(!is_secure("javascript:alert(1)"));
    }

    #[test]
    fn defender_api_hosts_only() {
        for ok in [
            "https://api.security.microsoft.com",
            "https://eu.api.security.microsoft.com",
            "https://api-gcc.securitycenter.microsoft.us",
            "https://api.securitycenter.microsoft.com",
        ] {
            assert!(is_defender_api_origin(ok), "{ok}");
        }
        for bad in [
            "https://security.microsoft.com",
            "https://evilsecurity.microsoft.com",
            "https://api.security.microsoft.com.evil.example",
            "http://api.security.microsoft.com",
            "https://evil.example",
        ] {
            assert!(!is_defender_api_origin(bad), "{bad}");
        }
    }
}
