//! The clouds `config.json`'s `cloud` names: each one's API host, sign-in host and the
//! resource its API scope belongs to (the token audience). Sources and marks are in the
//! README's "Clouds" table; values Microsoft does not document (the US Government clouds'
//! token audience) are only defaults, and `auth.scopes` overrides them. Here, in `wire`,
//! because the app fills its configuration from it and `mde-sim security-headers` its
//! `connect-src`: both must name the same hosts.
//!
//! A match rather than a table of rows: this is in the first load, where the regional hosts
//! written out eleven times cost more than one pattern (size lead L69).

/// Entra ID's sign-in host for the commercial cloud (and GCC, whose tenants live there).
pub const LOGIN_COM: &str = "https://login.microsoftonline.com";
/// Entra ID's sign-in host for Azure Government (GCC High, DoD).
pub const LOGIN_US: &str = "https://login.microsoftonline.us";
/// The resource of the commercial API's scopes, also on the newer `api.security` hosts.
const RESOURCE_COM: &str = "https://api.securitycenter.microsoft.com";
const API_GCC: &str = "https://api-gcc.securitycenter.microsoft.us";
const API_GOV: &str = "https://api-gov.securitycenter.microsoft.us";
/// The regional API hosts, `https://{region}.api.security.microsoft.com`.
const REGIONS: [&str; 7] = ["us", "eu", "uk", "au", "swa", "ina", "aea"];

/// The names `cloud` accepts, for the message refusing another.
pub const NAMES: &str =
    "must be one of commercial, us, eu, uk, au, swa, ina, aea, gcc, gcc-high, dod";

/// What a cloud's name fills in.
#[derive(Debug, PartialEq, Eq)]
pub struct Cloud {
    /// `apiBase` when the config gives none.
    pub api: String,
    /// The authority's origin; `auth.tenant` and `/v2.0` complete it.
    pub login: &'static str,
    /// The scope's resource: `{resource}/Library.Manage` when `auth.scopes` is absent.
    pub resource: &'static str,
}

/// The cloud called `name` (`commercial` is the default of an absent `cloud`).
pub fn find(name: &str) -> Option<Cloud> {
    let (api, login, resource) = match name {
        "commercial" => (
            "https://api.security.microsoft.com".into(),
            LOGIN_COM,
            RESOURCE_COM,
        ),
        "gcc" => (API_GCC.into(), LOGIN_COM, API_GCC),
        "gcc-high" | "dod" => (API_GOV.into(), LOGIN_US, API_GOV),
        r if REGIONS.contains(&r) => (
            format!("https://{r}.api.security.microsoft.com"),
            LOGIN_COM,
            RESOURCE_COM,
        ),
        _ => return None,
    };
    Some(Cloud {
        api,
        login,
        resource,
    })
}

/// The host of a URL, lower-cased; empty for a path (a proxy).
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether `authority` and `api_base` belong to different clouds: a token of one is never
/// accepted by the other's API, and the first call would fail with a 401 that says nothing
/// of why. Only the two Entra sign-in hosts are judged, against the API hosts Microsoft runs
/// (`*.microsoft.com`, GCC's and the US Government's); anything else (a simulator, a proxy
/// path) passes. GCC signs in at the commercial host but serves from a `.us` one.
pub fn mismatched(authority: &str, api_base: &str) -> bool {
    let gov_login = match host(authority).as_str() {
        "login.microsoftonline.us" => true,
        "login.microsoftonline.com" => false,
        _ => return false,
    };
    let api = host(api_base);
    let gov_api = if api == host(API_GOV) {
        true
    } else if api == host(API_GCC) || api.ends_with(".microsoft.com") {
        false
    } else {
        return false;
    };
    gov_login != gov_api
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 11] = [
        "commercial",
        "us",
        "eu",
        "uk",
        "au",
        "swa",
        "ina",
        "aea",
        "gcc",
        "gcc-high",
        "dod",
    ];

    #[test]
    fn every_name_is_found_and_listed_in_the_message_and_no_other() {
        for n in ALL {
            let c = find(n).unwrap_or_else(|| panic!("{n}"));
            assert!(NAMES.contains(n), "{n}");
            assert!(
                c.api.starts_with("https://") && !c.api.ends_with('/'),
                "{c:?}"
            );
            assert!(!mismatched(&format!("{}/t/v2.0", c.login), &c.api), "{n}");
        }
        for n in ["Commercial", "china", "", "gcc high", "api"] {
            assert_eq!(find(n), None, "{n}");
        }
    }

    #[test]
    fn the_table_holds_the_documented_hosts() {
        let row = |n| find(n).unwrap();
        assert_eq!(row("commercial").api, "https://api.security.microsoft.com");
        assert_eq!(row("eu").api, "https://eu.api.security.microsoft.com");
        assert_eq!(row("ina").api, "https://ina.api.security.microsoft.com");
        assert_eq!(row("aea").api, "https://aea.api.security.microsoft.com");
        assert_eq!(
            row("gcc"),
            Cloud {
                api: "https://api-gcc.securitycenter.microsoft.us".into(),
                login: "https://login.microsoftonline.com",
                resource: "https://api-gcc.securitycenter.microsoft.us",
            }
        );
        for gov in ["gcc-high", "dod"] {
            assert_eq!(row(gov).api, "https://api-gov.securitycenter.microsoft.us");
            assert_eq!(row(gov).login, "https://login.microsoftonline.us");
        }
        // The commercial resource stays the older host, also for the regional ones.
        for n in &ALL[..8] {
            assert_eq!(
                (row(n).login, row(n).resource),
                (LOGIN_COM, "https://api.securitycenter.microsoft.com"),
                "{n}"
            );
        }
    }

    #[test]
    fn a_sign_in_of_one_cloud_with_the_api_of_another_is_a_mismatch() {
        let com = "https://login.microsoftonline.com/t/v2.0";
        let us = "https://login.microsoftonline.us/t/v2.0";
        let gov = "https://api-gov.securitycenter.microsoft.us";
        assert!(mismatched(com, gov));
        assert!(mismatched(us, "https://api.security.microsoft.com"));
        assert!(mismatched(
            us,
            "https://api-eu.securitycenter.microsoft.com"
        ));
        assert!(mismatched(
            us,
            "https://api-gcc.securitycenter.microsoft.us"
        ));
        assert!(mismatched(
            "https://LOGIN.microsoftonline.com/t",
            "https://API-GOV.securitycenter.microsoft.us/"
        ));
        for (authority, api) in [
            (com, "https://api.security.microsoft.com"),
            (com, "https://uk.api.security.microsoft.com/"),
            (com, "https://api-gcc.securitycenter.microsoft.us"),
            (us, gov),
            // Not judged: a simulator, a proxy path, an API host nobody listed, a sign-in
            // host that only looks like Entra's.
            ("http://127.0.0.1:8787/t/v2.0", gov),
            (us, "/mde-proxy"),
            (us, "http://127.0.0.1:8787"),
            (
                "https://login.microsoftonline.us.example/t",
                "https://api.security.microsoft.com",
            ),
        ] {
            assert!(!mismatched(authority, api), "{authority} {api}");
        }
    }
}
