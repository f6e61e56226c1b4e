//! `mde-sim security-headers` and `mde-sim csp-hash`: the deployment's side of the app page's
//! policy. `security-headers` writes the response headers a deployment of this build needs as
//! the nginx `add_header` lines `deploy/nginx.conf` includes (`SITE/security-headers.conf`),
//! and the methods and body size its proxy path passes (`SITE/proxy-methods.conf`);
//! `csp-hash` prints the hash of each inline script of the build's page. The policy is
//! [`mde_wire::csp`]'s, the one the simulator serves with the page.
//!
//! `scripts/security-headers.sh` and `scripts/csp-hash.sh` run these; the settings come from
//! the environment and are documented in the first. The messages and the parsing of URLs are
//! those of the Python generator this replaced, so deployment notes written for it still hold.

use std::process::ExitCode;

use mde_wire::{cloud, csp, MAX_UPLOAD_BYTES};
use serde_json::Value;

/// The tools beside the simulator, as subcommands of `mde-sim`.
#[derive(clap::Subcommand, Debug)]
pub enum Tool {
    /// Write SITE/security-headers.conf and SITE/proxy-methods.conf for deploy/nginx.conf
    /// (settings from MDE_* variables, see scripts/security-headers.sh).
    SecurityHeaders(SecurityHeadersArgs),
    /// Print the CSP source ('sha256-…') of each inline script of DIST/index.html.
    CspHash(CspHashArgs),
}

/// Flags of `mde-sim security-headers`.
#[derive(clap::Args, Debug)]
pub struct SecurityHeadersArgs {
    /// The build (Trunk's `dist`): its index.html's inline scripts are hashed.
    #[arg(long, default_value = "dist")]
    pub dist: String,
    /// The deployment's folder, holding a copy of the build; default: --dist.
    pub site: Option<String>,
}

/// Flags of `mde-sim csp-hash`.
#[derive(clap::Args, Debug)]
pub struct CspHashArgs {
    /// The build (Trunk's `dist`).
    #[arg(long, default_value = "dist")]
    pub dist: String,
}

impl Tool {
    /// Runs the tool: its output on stdout, a refusal on stderr and exit status 1.
    pub fn run(self) -> ExitCode {
        let name = match self {
            Tool::SecurityHeaders(_) => "security-headers",
            Tool::CspHash(_) => "csp-hash",
        };
        let result = match self {
            Tool::SecurityHeaders(a) => write_security_headers(
                &a.dist,
                a.site.as_deref().filter(|s| !s.is_empty()),
                &Settings::from_env(),
            ),
            Tool::CspHash(a) => build_page(&a.dist).map(|html| {
                csp::inline_script_hashes(&html)
                    .into_iter()
                    .map(|h| h + "\n")
                    .collect()
            }),
        };
        match result {
            Ok(out) => {
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

/// The deployment's settings, as the environment holds them (`None`: not set).
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `MDE_FRAME_ANCESTORS`: who may frame the panel; default `'self'`.
    pub frame_ancestors: Option<String>,
    /// `MDE_HTTPS`: `1` sends Strict-Transport-Security.
    pub https: Option<String>,
    /// `MDE_UPLOADS`: `1` lets the proxy pass uploads.
    pub uploads: Option<String>,
    /// `MDE_CONNECT_SRC`: the whole connect-src list, verbatim.
    pub connect_src: Option<String>,
    /// `MDE_CONFIG`: the deployed config.json.
    pub config: Option<String>,
    /// `MDE_AUTHORITY`: the sign-in authority, without MDE_CONFIG.
    pub authority: Option<String>,
    /// `MDE_API_BASE`: the API base, without MDE_CONFIG.
    pub api_base: Option<String>,
}

impl Settings {
    /// The `MDE_*` variables of this process.
    pub fn from_env() -> Self {
        let var = |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        Self {
            frame_ancestors: var("MDE_FRAME_ANCESTORS"),
            https: var("MDE_HTTPS"),
            uploads: var("MDE_UPLOADS"),
            connect_src: var("MDE_CONNECT_SRC"),
            config: var("MDE_CONFIG"),
            authority: var("MDE_AUTHORITY"),
            api_base: var("MDE_API_BASE"),
        }
    }
}

/// The two files for nginx, and the one-line summary printed after writing them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Files {
    /// `security-headers.conf`.
    pub headers: String,
    /// `proxy-methods.conf`.
    pub methods: String,
    /// `frame-ancestors …; connect-src …; proxy: …`.
    pub summary: String,
}

/// One year; `includeSubDomains` is the site owner's decision, not this panel's.
const HSTS: (&str, &str) = ("Strict-Transport-Security", "max-age=31536000");
/// Without uploads the proxy passes no request with a body worth the name.
const SMALL_BODY: &str = "1m";

/// The page of the build in `dist`: its `index.html`.
fn build_page(dist: &str) -> Result<String, String> {
    let bytes = std::fs::read(format!("{dist}/index.html"))
        .map_err(|_| "dist/index.html is missing; run trunk build".to_string())?;
    String::from_utf8(bytes).map_err(|_| "dist/index.html is not UTF-8".to_string())
}

/// Checks `site` against the build in `dist`, writes both files into `site` and returns the
/// line to print.
pub fn write_security_headers(
    dist: &str,
    site: Option<&str>,
    settings: &Settings,
) -> Result<String, String> {
    let html = build_page(dist)?;
    let site = site.unwrap_or(dist);
    match std::fs::read(format!("{site}/index.html")) {
        Ok(copy) if copy == html.as_bytes() => {}
        _ => {
            return Err(format!(
                "{site}/index.html is not this build's dist/index.html"
            ))
        }
    }
    let files = generate(settings, &csp::inline_script_hashes(&html), |path| {
        let text = std::fs::read_to_string(path).map_err(|e| format!("MDE_CONFIG {path}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("MDE_CONFIG {path}: {e}"))
    })?;
    let out = format!("{site}/security-headers.conf");
    let methods_out = format!("{site}/proxy-methods.conf");
    std::fs::write(&out, &files.headers).map_err(|e| format!("{out}: {e}"))?;
    std::fs::write(&methods_out, &files.methods).map_err(|e| format!("{methods_out}: {e}"))?;
    Ok(format!("  {out}: {}\n", files.summary))
}

/// Both files for a page with the inline scripts `hashes`, or why the settings are refused.
/// `read_config` loads MDE_CONFIG, only when it is set.
pub fn generate(
    settings: &Settings,
    hashes: &[String],
    read_config: impl FnOnce(&str) -> Result<Value, String>,
) -> Result<Files, String> {
    if hashes.is_empty() {
        return Err("no inline bootstrap script found in dist/index.html".into());
    }
    let frame = source_list(
        "MDE_FRAME_ANCESTORS",
        settings.frame_ancestors.as_deref().unwrap_or("'self'"),
    )?;
    for src in frame.split(' ') {
        if src.contains('*') || is_bare_scheme(src) {
            return Err(format!(
                "MDE_FRAME_ANCESTORS must name the portals that may frame the panel; {} lets \
                 pages nobody named frame it",
                py_repr(src)
            ));
        }
    }
    let config_path = settings.config.as_deref().filter(|p| !p.is_empty());
    let config = match config_path {
        Some(path) => Some(Config::new(read_config(path)?)?),
        None => None,
    };
    let redirect = match &config {
        Some(c) => text(c.auth.get("redirectUri"), "auth.redirectUri")?,
        None => String::new(),
    };
    let default_https = if redirect.starts_with("https://") {
        "1"
    } else {
        "0"
    };
    let https = settings.https.as_deref().unwrap_or(default_https);
    if !matches!(https, "0" | "1") {
        return Err(format!("MDE_HTTPS must be 0 or 1, got {}", py_repr(https)));
    }
    let uploads = settings.uploads.as_deref().unwrap_or("0");
    if !matches!(uploads, "0" | "1") {
        return Err(format!(
            "MDE_UPLOADS must be 0 or 1, got {}",
            py_repr(uploads)
        ));
    }
    let connect = match settings.connect_src.as_deref().filter(|c| !c.is_empty()) {
        Some(list) => source_list("MDE_CONNECT_SRC", list)?,
        None => {
            let urls = match &config {
                Some(c) => {
                    // The app fills what the config leaves out from its cloud; the
                    // policy must allow the hosts it will call.
                    let name = text(c.doc.get("cloud"), "cloud")?;
                    let name = if name.is_empty() { "commercial" } else { &name };
                    let cloud = cloud::find(name)
                        .ok_or_else(|| format!("cloud in MDE_CONFIG {}", cloud::NAMES))?;
                    let or = |given: String, default: &str| {
                        if given.is_empty() {
                            default.to_string()
                        } else {
                            given
                        }
                    };
                    // Only sign-in by the panel itself (pkce) calls the sign-in host.
                    let pkce = c.auth.get("mode").and_then(Value::as_str) == Some("pkce");
                    let login = if pkce { cloud.login } else { "" };
                    [
                        or(text(c.auth.get("authority"), "auth.authority")?, login),
                        or(text(c.doc.get("apiBase"), "apiBase")?, &cloud.api),
                    ]
                }
                None => [
                    settings
                        .authority
                        .clone()
                        .unwrap_or_else(|| "https://login.microsoftonline.com".into()),
                    settings
                        .api_base
                        .clone()
                        .unwrap_or_else(|| "/mde-proxy".into()),
                ],
            };
            let mut sources = vec!["'self'".to_string()];
            for url in urls.iter().filter(|u| !u.is_empty()) {
                if let Some(o) = origin(url)? {
                    if !sources.contains(&o) {
                        sources.push(o);
                    }
                }
            }
            source_list("connect-src", &sources.join(" "))?
        }
    };

    let policy = csp::content_security_policy(
        hashes,
        &connect.split(' ').collect::<Vec<_>>(),
        &frame.split(' ').collect::<Vec<_>>(),
    );
    let mut headers = String::from(
        "# Written by scripts/security-headers.sh for this build; included by deploy/nginx.conf.\n\
         # `always`: error answers carry them too. No Cross-Origin-Opener-Policy: the page is the\n\
         # sign-in popup's redirect URI, which hands its answer back over a BroadcastChannel.\n",
    );
    let hsts = (https == "1").then_some(HSTS);
    for (name, value) in std::iter::once(("Content-Security-Policy", policy.as_str()))
        .chain(csp::PAGE_HEADERS)
        .chain(hsts)
    {
        headers.push_str(&format!("add_header {name} \"{value}\" always;\n"));
    }
    // With uploads: the largest file and one more MiB for the multipart form around it.
    let upload_body = format!("{}m", MAX_UPLOAD_BYTES / (1024 * 1024) + 1);
    let (methods, body) = if uploads == "1" {
        ("GET DELETE POST", upload_body.as_str())
    } else {
        ("GET DELETE", SMALL_BODY)
    };
    Ok(Files {
        headers,
        methods: format!(
            "# Written by scripts/security-headers.sh (MDE_UPLOADS); included by \
             deploy/nginx.conf's proxy path.\n\
             limit_except {methods} {{\n    deny all;\n}}\nclient_max_body_size {body};\n"
        ),
        summary: format!(
            "frame-ancestors {frame}; connect-src {connect}; proxy: {methods}, {body}"
        ),
    })
}

/// The deployed config.json, as far as the headers need it.
struct Config {
    doc: serde_json::Map<String, Value>,
    auth: serde_json::Map<String, Value>,
}

impl Config {
    fn new(doc: Value) -> Result<Self, String> {
        let Value::Object(doc) = doc else {
            return Err("MDE_CONFIG must hold a JSON object".into());
        };
        let auth = match doc.get("auth") {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(auth)) => auth.clone(),
            Some(_) => return Err("auth in MDE_CONFIG must be an object".into()),
        };
        Ok(Self { doc, auth })
    }
}

/// A text field of the config; absent and null are empty.
fn text(value: Option<&Value>, name: &str) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("{name} in MDE_CONFIG must be a string")),
    }
}

/// `value` with its white space runs made single spaces, if it holds only what a CSP source
/// list can: nothing nginx would read as a variable (`$`), the end of a string or directive
/// (`"`, `;`, `{`) or a line break.
fn source_list(name: &str, value: &str) -> Result<String, String> {
    let list = value
        .split(csp::is_space)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let allowed = |c: char| c.is_ascii_alphanumeric() || " '*:/._-[]".contains(c);
    if list.is_empty() || !list.chars().all(allowed) {
        return Err(format!(
            "{name} must be CSP sources separated by spaces, got {}",
            py_repr(&list)
        ));
    }
    Ok(list)
}

/// A scheme alone (`https:`, `data:`): every page of that scheme.
fn is_bare_scheme(src: &str) -> bool {
    let Some(scheme) = src.strip_suffix(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

/// The origin of an absolute http(s) URL (`scheme://host:port`, without user info), `None`
/// for one without a scheme such as `/mde-proxy`; refused when it is not http(s) or has no
/// host. Split as Python's `urllib.parse.urlsplit` splits, scheme lower-cased, host as given.
fn origin(url: &str) -> Result<Option<String>, String> {
    let refuse = || format!("not an http(s) URL: {}", py_repr(url));
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let scheme_end = url.find(':').filter(|&i| {
        i > 0
            && url.as_bytes()[0].is_ascii_alphabetic()
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(i) = scheme_end else {
        return Ok(None);
    };
    let scheme = url[..i].to_ascii_lowercase();
    let rest = &url[i + 1..];
    let netloc = match rest.strip_prefix("//") {
        Some(r) => &r[..r.find(['/', '?', '#']).unwrap_or(r.len())],
        None => "",
    };
    if netloc.contains('[') != netloc.contains(']') {
        return Err(refuse());
    }
    if netloc.contains('[') {
        let bracketed = netloc.split('[').nth(1).unwrap_or("");
        let bracketed = bracketed.split(']').next().unwrap_or("");
        let address = bracketed.split('%').next().unwrap_or("");
        if address.parse::<std::net::Ipv6Addr>().is_err() && !bracketed.starts_with('v') {
            return Err(refuse());
        }
    }
    let host_port = netloc.rsplit('@').next().unwrap_or("");
    let host = match host_port.split_once('[') {
        Some((_, bracketed)) => bracketed.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    if !matches!(scheme.as_str(), "http" | "https") || host.is_empty() {
        return Err(refuse());
    }
    Ok(Some(format!("{scheme}://{host_port}")))
}

/// `s` quoted as Python's `repr()` quotes a string: in single quotes unless it holds one and
/// no double quote, with backslash escapes for what does not print. Exact for Latin-1 and the
/// Unicode spaces and format characters; other characters are kept as they are.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c != ' ' && (c.is_control() || c.is_whitespace() || is_format(c)) => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The invisible format characters (Unicode category Cf) that appear in pasted text.
fn is_format(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

#[cfg(test)]
mod tests;
