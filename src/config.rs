//! The runtime configuration read from `config.json` beside `index.html`.
//!
//! One build serves any tenant, so everything tenant-specific lives here; the field names
//! are part of the public interface.

use crate::json::Json;

/// Name of the file, used in every message about it.
pub const CONFIG_FILE: &str = "config.json";

/// Scopes the app always adds to the configured ones.
pub const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// The whole configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct AppConfig {
    /// Origin (and optional path) of the MDE API, without a trailing slash.
    pub api_base: String,
    /// How the app obtains a token.
    pub auth: AuthConfig,
    /// Client-side budget, normally the API's documented limits.
    pub rate_limit: RateLimit,
    /// `light` or `dark` to force a theme; `None` (`auto`) follows `prefers-color-scheme`.
    pub theme: Option<&'static str>,
}

/// Where tokens come from.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthConfig {
    /// The app signs in by itself: authorization code + PKCE.
    Pkce(PkceConfig),
    /// The page that mounted the panel (`embed.js` `mount()`) provides tokens through the
    /// `getToken({ forceRefresh })` option.
    Host,
    /// The panel is in the portal's iframe and asks the portal at `host_origin` for tokens
    /// over `postMessage` (`host-bridge.js` answers).
    Bridge {
        /// The portal's exact origin, such as `https://portal.contoso.com`.
        host_origin: String,
    },
    /// No token in the browser at all: `apiBase` is a same-origin path of the portal's
    /// backend, which holds the token and answers for the portal's session cookie.
    Proxy,
}

/// Settings of the PKCE sign-in.
#[derive(Clone, Debug, PartialEq)]
pub struct PkceConfig {
    /// OpenID authority, such as `https://login.microsoftonline.com/{tenant}/v2.0`.
    pub authority: String,
    /// Application (client) id of the SPA registration.
    pub client_id: String,
    /// API scopes; `openid profile offline_access` are added by the app.
    pub scopes: Vec<String>,
    /// Redirect URI; `None` means the page's own URL without query and fragment.
    pub redirect_uri: Option<String>,
}

/// Calls allowed per sliding minute and hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Per minute (per `window_seconds`).
    pub per_minute: u32,
    /// Per hour.
    pub per_hour: u32,
    /// Length of the short window in seconds: 60 for the real API. Simulators and tests
    /// shorten it (20 per 10 s) to run a paced bulk delete in seconds.
    pub window_seconds: u32,
}

/// Why the configuration cannot be used; always names the file and, when known, the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be fetched.
    #[error("Could not load {CONFIG_FILE}: {0}. Put a {CONFIG_FILE} beside index.html.")]
    Unreadable(String),
    /// The file is not JSON of the expected shape.
    #[error("{CONFIG_FILE} is not valid: {0}")]
    Syntax(String),
    /// A field is missing or holds a bad value.
    #[error("{CONFIG_FILE}: field \"{field}\" {problem}")]
    Field {
        /// Dotted path of the field, such as `auth.clientId`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

fn field(field: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Field {
        field,
        problem: problem.into(),
    }
}

/// Accepts `https://…`, and `http://` only for loopback hosts (the simulator, local proxies).
fn check_url(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let v = value.trim().trim_end_matches('/');
    let rest = if let Some(r) = v.strip_prefix("https://") {
        r
    } else if let Some(r) = v.strip_prefix("http://") {
        if !crate::url::is_loopback_http(v) {
            return Err(field(
                name,
                "must use https:// (http:// is allowed only for localhost)",
            ));
        }
        r
    } else if v.starts_with('/') && name == "apiBase" {
        // A same-origin reverse-proxy path of the embedding portal.
        return Ok(v.to_string());
    } else {
        return Err(field(
            name,
            format!("must be an absolute https:// URL, not \"{value}\""),
        ));
    };
    if rest.is_empty() || rest.starts_with('/') || v.contains(['?', '#', ' ']) {
        return Err(field(name, format!("is not a usable URL: \"{value}\"")));
    }
    Ok(v.to_string())
}

/// One exact origin (`scheme://host[:port]`): messages are trusted from it alone, so no
/// wildcard, path or query.
fn check_origin(value: &str) -> Result<String, ConfigError> {
    let name = "auth.hostOrigin";
    if value.contains('*') {
        return Err(field(
            name,
            "must be one exact origin; wildcards are refused",
        ));
    }
    let origin = check_url(name, value)?;
    let after_scheme = origin.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.contains('/') || origin.contains('@') {
        return Err(field(
            name,
            format!("must be an origin such as https://portal.contoso.com, not \"{value}\""),
        ));
    }
    Ok(origin.to_ascii_lowercase())
}

/// Reads member `key` of `obj` as an optional string; a wrong type is a field error.
fn opt_string(obj: &Json, key: &str, name: &'static str) -> Result<Option<String>, ConfigError> {
    obj.opt_string(key)
        .map_err(|_| field(name, "must be a string"))
}

/// Reads member `key` as an optional count; a wrong type is a field error.
fn opt_count(obj: &Json, key: &str, name: &'static str) -> Result<Option<u32>, ConfigError> {
    match obj.opt_u64(key) {
        Ok(None) => Ok(None),
        Ok(Some(n)) if n <= u64::from(u32::MAX) => Ok(Some(n as u32)),
        _ => Err(field(name, "must be a whole number")),
    }
}

/// Parses and validates `config.json`.
pub fn parse_config(text: &str) -> Result<AppConfig, ConfigError> {
    let doc = Json::parse(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
    if !doc.is_object() {
        return Err(ConfigError::Syntax(
            "the top level must be an object".into(),
        ));
    }
    // A cloud fills what the config leaves out; explicit fields win.
    let cloud = opt_string(&doc, "cloud", "cloud")?;
    let cloud = mde_wire::cloud::find(cloud.as_deref().unwrap_or("commercial"))
        .ok_or_else(|| field("cloud", mde_wire::cloud::NAMES))?;
    let api_base = opt_string(&doc, "apiBase", "apiBase")?.unwrap_or(cloud.api);
    let api_base = check_url("apiBase", &api_base)?;
    let auth = doc
        .get("auth")
        .filter(Json::is_object)
        .ok_or_else(|| field("auth", "is missing or not an object"))?;
    let auth = match opt_string(&auth, "mode", "auth.mode")?.as_deref() {
        Some("pkce") => {
            let authority = match (
                opt_string(&auth, "authority", "auth.authority")?,
                opt_string(&auth, "tenant", "auth.tenant")?,
            ) {
                (Some(a), _) => a,
                (None, Some(t)) if !t.trim().is_empty() => {
                    format!("{}/{}/v2.0", cloud.login, t.trim())
                }
                _ => return Err(field("auth.authority", "is missing (or give auth.tenant)")),
            };
            let authority = check_url("auth.authority", &authority)?;
            if mde_wire::cloud::mismatched(&authority, &api_base) {
                return Err(field(
                    "auth.authority",
                    format!("{authority} signs in to another cloud than apiBase {api_base} serves; take both from one cloud (\"cloud\")"),
                ));
            }
            let client_id = opt_string(&auth, "clientId", "auth.clientId")?
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| field("auth.clientId", "is missing or empty"))?;
            let scopes_problem = "must list at least one scope, each a string without spaces";
            let scopes: Vec<String> = match auth.get("scopes") {
                None => vec![format!("{}/Library.Manage", cloud.resource)],
                Some(list) => list
                    .items()
                    .ok_or_else(|| field("auth.scopes", scopes_problem))?
                    .iter()
                    .map(|s| {
                        s.as_string()
                            .ok_or_else(|| field("auth.scopes", scopes_problem))
                    })
                    .collect::<Result<_, _>>()?,
            };
            if scopes.is_empty()
                || scopes
                    .iter()
                    .any(|s| s.trim().is_empty() || s.contains(' '))
            {
                return Err(field("auth.scopes", scopes_problem));
            }
            let redirect_uri = opt_string(&auth, "redirectUri", "auth.redirectUri")?
                .map(|r| check_url("auth.redirectUri", &r).map(|_| r))
                .transpose()?;
            AuthConfig::Pkce(PkceConfig {
                authority,
                client_id,
                scopes,
                redirect_uri,
            })
        }
        Some("host") => AuthConfig::Host,
        Some("bridge") => {
            let origin = opt_string(&auth, "hostOrigin", "auth.hostOrigin")?
                .ok_or_else(|| field("auth.hostOrigin", "is missing"))?;
            AuthConfig::Bridge {
                host_origin: check_origin(&origin)?,
            }
        }
        Some("proxy") if api_base.starts_with('/') => AuthConfig::Proxy,
        Some("proxy") => {
            return Err(field(
                "apiBase",
                "must be a same-origin path such as \"/mde-proxy\" with auth.mode \"proxy\"",
            ))
        }
        Some(other) => {
            return Err(field(
                "auth.mode",
                format!("must be \"pkce\", \"bridge\", \"proxy\" or \"host\", not \"{other}\""),
            ))
        }
        None => return Err(field("auth.mode", "is missing")),
    };
    let rate = doc.get("rateLimit").filter(Json::is_object);
    let count = |key, name| match &rate {
        Some(r) => opt_count(r, key, name),
        None => Ok(None),
    };
    let documented = mde_wire::RateLimit::DOCUMENTED;
    let rate_limit = RateLimit {
        per_minute: count("perMinute", "rateLimit.perMinute")?.unwrap_or(documented.per_window),
        per_hour: count("perHour", "rateLimit.perHour")?.unwrap_or(documented.per_hour),
        window_seconds: count("windowSeconds", "rateLimit.windowSeconds")?
            .unwrap_or(documented.window_seconds),
    };
    if !(1..=60).contains(&rate_limit.window_seconds) {
        return Err(field("rateLimit.windowSeconds", "must be from 1 to 60"));
    }
    if rate_limit.per_minute == 0 {
        return Err(field("rateLimit.perMinute", "must be at least 1"));
    }
    if rate_limit.per_hour == 0 {
        return Err(field("rateLimit.perHour", "must be at least 1"));
    }
    let theme = match opt_string(&doc, "theme", "theme")?.as_deref() {
        None | Some("auto") => None,
        Some("light") => Some("light"),
        Some("dark") => Some("dark"),
        Some(_) => return Err(field("theme", "must be \"light\", \"dark\" or \"auto\"")),
    };
    Ok(AppConfig {
        api_base,
        auth,
        rate_limit,
        theme,
    })
}

impl PkceConfig {
    /// Scopes to request: the configured ones plus the OpenID ones, without duplicates.
    pub fn requested_scopes(&self) -> Vec<String> {
        let mut out = self.scopes.clone();
        for s in OIDC_SCOPES {
            if !out.iter().any(|x| x == s) {
                out.push(s.to_string());
            }
        }
        out
    }
}

/// Fetches and parses `config.json` from beside `index.html`.
pub async fn load_config() -> Result<AppConfig, ConfigError> {
    let resp = crate::http::get(CONFIG_FILE)
        .await
        .map_err(|e| ConfigError::Unreadable(e.to_string()))?;
    if resp.status != 200 {
        return Err(ConfigError::Unreadable(format!("HTTP {}", resp.status)));
    }
    let cfg = parse_config(&resp.text)?;
    if cfg.auth == AuthConfig::Host {
        return Err(field("auth.mode", "\"host\" is only for embed.js mount()"));
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn theme_is_light_dark_or_auto() {
        let with = |t: &str| {
            parse_config(&format!(
                r#"{{"apiBase":"/p","auth":{{"mode":"proxy"}},"theme":{t}}}"#
            ))
        };
        assert_eq!(with(r#""dark""#).unwrap().theme, Some("dark"));
        assert_eq!(with(r#""auto""#).unwrap().theme, None);
        assert_eq!(with("null").unwrap().theme, None);
        assert!(with(r#""neon""#)
            .unwrap_err()
            .to_string()
            .contains("\"theme\""));
    }

    #[test]
    fn proxy_mode_needs_a_same_origin_path() {
        let c = parse_config(r#"{"apiBase":"/mde-proxy","auth":{"mode":"proxy"}}"#).unwrap();
        assert_eq!(
            (c.api_base.as_str(), c.auth),
            ("/mde-proxy", AuthConfig::Proxy)
        );
        let e = parse_config(
            r#"{"apiBase":"https://api.security.microsoft.com","auth":{"mode":"proxy"}}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("\"apiBase\" must be a same-origin path"),
            "{e}"
        );
    }

    use super::*;

    const GOOD: &str = r#"{
      "apiBase": "https://api.security.microsoft.com/",
      "auth": { "mode": "pkce",
        "authority": "https://login.microsoftonline.com/t/v2.0",
        "clientId": "c", "scopes": ["https://api.securitycenter.microsoft.com/Library.Manage"],
        "redirectUri": null },
      "rateLimit": { "perMinute": 100, "perHour": 1500 } }"#;

    #[test]
    fn parses_the_documented_example() {
        let c = parse_config(GOOD).unwrap();
        assert_eq!(c.api_base, "https://api.security.microsoft.com");
        let AuthConfig::Pkce(p) = &c.auth else {
            panic!("pkce expected")
        };
        assert_eq!(p.redirect_uri, None);
        assert_eq!(
            p.requested_scopes(),
            vec![
                "https://api.securitycenter.microsoft.com/Library.Manage",
                "openid",
                "profile",
                "offline_access"
            ]
        );
        assert_eq!(c.rate_limit.per_hour, 1500);
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let no_client = GOOD.replace(r#""clientId": "c","#, "");
        let e = parse_config(&no_client).unwrap_err().to_string();
        assert!(
            e.contains("config.json") && e.contains("auth.clientId"),
            "{e}"
        );
        let bad_mode = GOOD.replace(r#""pkce""#, r#""implicit""#);
        assert!(parse_config(&bad_mode)
            .unwrap_err()
            .to_string()
            .contains("auth.mode"));
        let e = parse_config("{ nope").unwrap_err().to_string();
        assert!(e.starts_with("config.json is not valid"), "{e}");
    }

    #[test]
    fn plain_http_only_for_loopback() {
        let remote = GOOD.replace("https://api.security", "http://api.security");
        assert!(matches!(
            parse_config(&remote),
            Err(ConfigError::Field {
                field: "apiBase",
                ..
            })
        ));
        let local = GOOD.replace(
            "https://api.security.microsoft.com/",
            "http://127.0.0.1:8787",
        );
        assert_eq!(
            parse_config(&local).unwrap().api_base,
            "http://127.0.0.1:8787"
        );
        let proxy = GOOD.replace("https://api.security.microsoft.com/", "/mde-proxy");
        assert_eq!(parse_config(&proxy).unwrap().api_base, "/mde-proxy");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = parse_config(&GOOD.replace(r#""clientId": "c""#, r#""clientId": 5"#)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "config.json: field \"auth.clientId\" must be a string"
        );
        let e =
            parse_config(&GOOD.replace(r#""perHour": 1500"#, r#""perHour": "lots""#)).unwrap_err();
        assert!(e.to_string().contains("rateLimit.perHour"), "{e}");
        let e = parse_config(&GOOD.replace(
            r#"["https://api.securitycenter.microsoft.com/Library.Manage"]"#,
            "[1]",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("auth.scopes"), "{e}");
        assert!(parse_config("[]")
            .unwrap_err()
            .to_string()
            .contains("object"));
    }

    #[test]
    fn bridge_mode_takes_one_exact_origin() {
        let with = |o: &str| {
            parse_config(&format!(
                r#"{{"apiBase":"https://api.security.microsoft.com","auth":{{"mode":"bridge","hostOrigin":"{o}"}}}}"#
            ))
        };
        assert_eq!(
            with("https://Portal.contoso.com").unwrap().auth,
            AuthConfig::Bridge {
                host_origin: "https://portal.contoso.com".into()
            }
        );
        assert!(with("http://127.0.0.1:8788").is_ok());
        for bad in [
            "*",
            "https://*.contoso.com",
            "https://portal.contoso.com/page",
            "http://portal.contoso.com",
            "portal.contoso.com",
            "https://user@portal.contoso.com",
            "",
        ] {
            let e = with(bad).unwrap_err().to_string();
            assert!(e.contains("auth.hostOrigin"), "{bad}: {e}");
        }
        let e = parse_config(
            r#"{"apiBase":"https://api.security.microsoft.com","auth":{"mode":"bridge"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("auth.hostOrigin"), "{e}");
    }

    #[test]
    fn the_short_window_defaults_to_a_minute_and_may_be_shortened() {
        assert_eq!(parse_config(GOOD).unwrap().rate_limit.window_seconds, 60);
        let short = GOOD.replace(
            r#""perHour": 1500"#,
            r#""perHour": 1500, "windowSeconds": 10"#,
        );
        assert_eq!(parse_config(&short).unwrap().rate_limit.window_seconds, 10);
        let bad = GOOD.replace(
            r#""perHour": 1500"#,
            r#""perHour": 1500, "windowSeconds": 0"#,
        );
        assert!(parse_config(&bad)
            .unwrap_err()
            .to_string()
            .contains("windowSeconds"));
    }

    #[test]
    fn a_cloud_fills_api_base_authority_and_scope_and_explicit_fields_win() {
        let pkce = |cloud: &str, extra: &str| {
            parse_config(&format!(
                r#"{{{cloud}"auth":{{"mode":"pkce","tenant":"contoso.us","clientId":"c"{extra}}}}}"#
            ))
        };
        let c = pkce("", "").unwrap();
        assert_eq!(c.api_base, "https://api.security.microsoft.com");
        let AuthConfig::Pkce(p) = c.auth else {
            panic!("pkce expected")
        };
        assert_eq!(
            p.authority,
            "https://login.microsoftonline.com/contoso.us/v2.0"
        );
        assert_eq!(
            p.scopes,
            ["https://api.securitycenter.microsoft.com/Library.Manage"]
        );
        let c = pkce(r#""cloud":"gcc-high","#, "").unwrap();
        assert_eq!(c.api_base, "https://api-gov.securitycenter.microsoft.us");
        let AuthConfig::Pkce(p) = c.auth else {
            panic!("pkce expected")
        };
        assert_eq!(
            p.authority,
            "https://login.microsoftonline.us/contoso.us/v2.0"
        );
        assert_eq!(
            p.scopes,
            ["https://api-gov.securitycenter.microsoft.us/Library.Manage"]
        );
        // The undocumented audience is overridden by auth.scopes; apiBase by apiBase.
        let c = pkce(
            r#""cloud":"dod","apiBase":"/mde-proxy","#,
            r#","scopes":["https://api.securitycenter.microsoft.us/Library.Manage"]"#,
        )
        .unwrap();
        assert_eq!(c.api_base, "/mde-proxy");
        let AuthConfig::Pkce(p) = c.auth else {
            panic!("pkce expected")
        };
        assert_eq!(
            p.scopes,
            ["https://api.securitycenter.microsoft.us/Library.Manage"]
        );
        let c = pkce(
            r#""cloud":"eu","#,
            r#","authority":"https://login.microsoftonline.com/t/v2.0""#,
        )
        .unwrap();
        assert_eq!(c.api_base, "https://eu.api.security.microsoft.com");
        // A mount() of host mode takes the API host of its cloud.
        let c = parse_config(r#"{"cloud":"gcc","auth":{"mode":"host"}}"#).unwrap();
        assert_eq!(c.api_base, "https://api-gcc.securitycenter.microsoft.us");
        let e = pkce(r#""cloud":"mars","#, "").unwrap_err().to_string();
        assert!(e.contains("\"cloud\" must be one of commercial"), "{e}");
        let e = parse_config(r#"{"auth":{"mode":"pkce","clientId":"c"}}"#).unwrap_err();
        assert!(e.to_string().contains("auth.authority"), "{e}");
    }

    #[test]
    fn a_sign_in_of_one_cloud_with_the_api_of_another_is_refused_naming_both() {
        let e = parse_config(
            r#"{"apiBase":"https://api-gov.securitycenter.microsoft.us","auth":{"mode":"pkce",
                "authority":"https://login.microsoftonline.com/t/v2.0","clientId":"c"}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("https://login.microsoftonline.com/t/v2.0")
                && e.contains("https://api-gov.securitycenter.microsoft.us"),
            "{e}"
        );
        // The reverse, and a cloud's default meeting an explicit field of another cloud.
        let e = parse_config(
            r#"{"cloud":"gcc-high","apiBase":"https://api.security.microsoft.com",
                "auth":{"mode":"pkce","tenant":"t","clientId":"c"}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("https://login.microsoftonline.us/t/v2.0")
                && e.contains("https://api.security.microsoft.com"),
            "{e}"
        );
        assert!(parse_config(
            r#"{"cloud":"gcc","auth":{"mode":"pkce","tenant":"t","clientId":"c"}}"#
        )
        .is_ok());
    }

    #[test]
    fn zero_rate_limit_is_refused() {
        let z = GOOD.replace(r#""perMinute": 100"#, r#""perMinute": 0"#);
        assert!(parse_config(&z)
            .unwrap_err()
            .to_string()
            .contains("rateLimit.perMinute"));
    }
}
