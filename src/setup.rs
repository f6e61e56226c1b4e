//! **Check setup**: the checks a deployer runs on a new tenant, each with pass or fail and the
//! fix, decided here from what the browser found (plain values, no view types; the chunk that
//! draws them gathers the inputs, [`probe`]). The wording is here, tested with the decisions.

#[cfg(target_arch = "wasm32")]
pub mod probe;

use crate::api::ApiError;
use crate::service::OpError;

/// How one check ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// As it should be.
    Pass,
    /// Wrong: what to do about it.
    Fail(String),
    /// Not checked here, and why (another check, or the mode, decides).
    Skipped(&'static str),
}

/// One line of the view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What is checked, as the view names it.
    pub name: &'static str,
    /// How it ended.
    pub verdict: Verdict,
}

impl Check {
    fn new(name: &'static str, verdict: Verdict) -> Check {
        Check { name, verdict }
    }
}

/// The configuration: read and valid, or the page would have shown its error instead of the
/// panel (in mount mode, `mount()`'s options stand for it and `mount()` throws).
pub fn config() -> Check {
    Check::new("config.json read and valid", Verdict::Pass)
}

/// OpenID discovery of the authority (`pkce` mode): `None` when the portal signs in.
pub fn discovery(result: Option<Result<(), String>>, authority: &str) -> Check {
    let name = "Sign-in discovery reachable";
    Check::new(
        name,
        match result {
            None => Verdict::Skipped("the portal provides the token (auth.mode is not pkce)"),
            Some(Ok(())) => Verdict::Pass,
            Some(Err(why)) => Verdict::Fail(format!(
                "{why} Check auth.authority ({authority}): it must be https://login.microsoftonline.com/<tenant>/v2.0 (or login.microsoftonline.us for GCC High and DoD)."
            )),
        },
    )
}

/// Whether the panel holds a token: `None` signed out, `Some(readable)` when one is held
/// (`false`: `proxy` mode, where the browser never holds one).
pub fn token(signed_in: bool, proxy: bool) -> Check {
    let name = "Token acquired";
    Check::new(
        name,
        match (signed_in, proxy) {
            (_, true) => Verdict::Skipped("proxy mode: the portal's backend holds the token"),
            (true, false) => Verdict::Pass,
            (false, false) => Verdict::Fail(
                "Not signed in: sign in, then check again. A sign-in that fails says why in its own words."
                    .into(),
            ),
        },
    )
}

/// `Library.Manage` in the token's `scp`: `has` is what the token says
/// ([`crate::auth::claims::has_library_scope`]), `None` when it cannot be read.
pub fn scope(signed_in: bool, has: Option<bool>) -> Check {
    let name = "Library.Manage in the token";
    Check::new(
        name,
        match (signed_in, has) {
            (false, _) => Verdict::Skipped("no token yet"),
            (true, Some(true)) => Verdict::Pass,
            (true, Some(false)) => Verdict::Fail(
                "The token lacks Library.Manage: in Entra ID, add the delegated permission Library.Manage of WindowsDefenderATP to the app registration and grant admin consent, then sign in again."
                    .into(),
            ),
            (true, None) => Verdict::Skipped(
                "the token cannot be read here (opaque, or held by the portal): the list call below decides",
            ),
        },
    )
}

/// The list call from this origin: `None` when there is no token to call with.
pub fn list_call(result: Option<&Result<(), OpError>>) -> Check {
    let name = "The list call is allowed from this origin";
    let verdict = match result {
        None => Verdict::Skipped("no token yet"),
        Some(Ok(())) => Verdict::Pass,
        Some(Err(OpError::Api(ApiError::Cors))) => Verdict::Fail(
            "The API answered, but refuses this page's origin (CORS): serve the panel with a same-origin proxy path as apiBase (README: The contract of a proxy)."
                .into(),
        ),
        Some(Err(OpError::Api(ApiError::Network(_)))) => Verdict::Fail(
            "The API could not be reached at all (offline, DNS, or a blocked host): check apiBase and the network path, and the CSP's connect-src."
                .into(),
        ),
        Some(Err(OpError::Api(ApiError::Forbidden(_)))) => Verdict::Fail(
            "The API refused access (403): the account needs a Defender role with live response rights, and the token Library.Manage."
                .into(),
        ),
        Some(Err(OpError::Api(ApiError::Unauthorized(_)))) => Verdict::Fail(
            "The API refused the token (401): its audience must be this cloud's API (the cloud setting or auth.scopes)."
                .into(),
        ),
        Some(Err(e)) => Verdict::Fail(format!("The list call failed: {e}.")),
    };
    Check::new(name, verdict)
}

/// The page's own response headers, when they could be read (`None`: they could not, e.g.
/// the page's fetch failed).
pub fn headers(csp: Option<Option<&str>>, framed_by_portal: bool) -> Vec<Check> {
    let Some(csp) = csp else {
        let why = "the page's headers could not be read";
        return vec![
            Check::new("Content-Security-Policy sent", Verdict::Skipped(why)),
            Check::new("frame-ancestors set", Verdict::Skipped(why)),
        ];
    };
    let fix = "Serve the headers the build wrote to dist/security-headers.conf (deploy/nginx.conf includes them).";
    let Some(csp) = csp else {
        return vec![
            Check::new(
                "Content-Security-Policy sent",
                Verdict::Fail(format!(
                    "The page came without a Content-Security-Policy header. {fix}"
                )),
            ),
            Check::new(
                "frame-ancestors set",
                Verdict::Fail(format!(
                    "Without a CSP, nothing says who may frame the panel. {fix}"
                )),
            ),
        ];
    };
    let ancestors = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors"))
        .map(str::trim);
    let frame = match ancestors {
        None => Verdict::Fail(format!("The CSP has no frame-ancestors: any site could frame the panel. {fix}")),
        Some("'none'") if framed_by_portal => Verdict::Fail(
            "frame-ancestors is 'none', but the panel is in a frame: name the portal's origin (MDE_FRAME_ANCESTORS, README: Security headers)."
                .into(),
        ),
        Some(_) => Verdict::Pass,
    };
    vec![
        Check::new("Content-Security-Policy sent", Verdict::Pass),
        Check::new("frame-ancestors set", frame),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(c: &Check) -> &str {
        match &c.verdict {
            Verdict::Fail(fix) => fix,
            other => panic!("{} did not fail: {other:?}", c.name),
        }
    }

    #[test]
    fn each_check_passes_fails_with_its_fix_or_says_why_it_was_not_run() {
        assert_eq!(config().verdict, Verdict::Pass);
        assert_eq!(discovery(Some(Ok(())), "a").verdict, Verdict::Pass);
        assert!(matches!(discovery(None, "a").verdict, Verdict::Skipped(_)));
        let d = discovery(
            Some(Err("The sign-in page could not be reached.".into())),
            "https://x/t/v2.0",
        );
        assert!(failed(&d).contains("Check auth.authority (https://x/t/v2.0)"));
        assert_eq!(token(true, false).verdict, Verdict::Pass);
        assert!(failed(&token(false, false)).starts_with("Not signed in"));
        assert!(matches!(token(false, true).verdict, Verdict::Skipped(_)));
        assert_eq!(scope(true, Some(true)).verdict, Verdict::Pass);
        assert!(failed(&scope(true, Some(false))).contains("admin consent"));
        assert!(matches!(scope(true, None).verdict, Verdict::Skipped(_)));
        assert!(matches!(
            scope(false, Some(false)).verdict,
            Verdict::Skipped(_)
        ));
    }

    #[test]
    fn the_list_call_tells_cors_from_an_unreachable_api_and_a_missing_role() {
        assert_eq!(list_call(Some(&Ok(()))).verdict, Verdict::Pass);
        let cors = list_call(Some(&Err(ApiError::Cors.into())));
        assert!(failed(&cors).contains("CORS"), "{cors:?}");
        assert!(failed(&cors).contains("proxy"));
        let net = list_call(Some(&Err(ApiError::Network("x".into()).into())));
        assert!(failed(&net).contains("could not be reached"));
        let role = list_call(Some(&Err(ApiError::Forbidden(None).into())));
        assert!(failed(&role).contains("Defender role"));
        assert!(matches!(list_call(None).verdict, Verdict::Skipped(_)));
    }

    #[test]
    fn headers_need_a_csp_with_frame_ancestors_that_lets_the_portal_frame_it() {
        let ok = headers(
            Some(Some("default-src 'self'; frame-ancestors 'none'")),
            false,
        );
        assert!(ok.iter().all(|c| c.verdict == Verdict::Pass), "{ok:?}");
        let framed = headers(
            Some(Some("default-src 'self'; frame-ancestors 'none'")),
            true,
        );
        assert!(failed(&framed[1]).contains("MDE_FRAME_ANCESTORS"));
        let portal = headers(Some(Some("frame-ancestors https://portal.example")), true);
        assert_eq!(portal[1].verdict, Verdict::Pass);
        let none = headers(Some(None), false);
        assert!(failed(&none[0]).contains("security-headers.conf"));
        let no_fa = headers(Some(Some("default-src 'self'")), false);
        assert!(failed(&no_fa[1]).contains("no frame-ancestors"));
        assert!(headers(None, false)
            .iter()
            .all(|c| matches!(c.verdict, Verdict::Skipped(_))));
    }
}
