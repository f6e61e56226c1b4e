//! The simulator's shared state: configuration, library, grants, limiters, faults, log.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Mutex;

use mde_wire::SlidingLimiter;

use crate::faults::Fault;
use crate::library::Library;
use crate::oidc::{AuthCode, PendingAuthorize, RefreshGrant};
use crate::request_log::LoggedRequest;
use crate::tokens::Keys;
use crate::{Args, StartError};

/// A simulated user account offered on the sign-in page.
#[derive(Clone, Debug)]
pub struct Account {
    /// Stable object id, as in Entra.
    pub oid: &'static str,
    /// Display name shown in the app.
    pub name: &'static str,
    /// Sign-in name.
    pub upn: &'static str,
    /// Whether the user holds the Defender role that may change the library (everyone listed
    /// here may read it).
    pub library_role: bool,
}

/// The accounts of the simulated tenant: an admin with the role and a reader without it.
pub const ACCOUNTS: &[Account] = &[
    Account {
        oid: "0a1b2c3d-0000-4000-8000-00000000ad01",
        name: "Ada Admin",
        upn: "ada.admin@contoso.example",
        library_role: true,
    },
    Account {
        oid: "0a1b2c3d-0000-4000-8000-00000000ae02",
        name: "Riley Reader",
        upn: "riley.reader@contoso.example",
        library_role: false,
    },
];

/// The account a portal names `admin` (Ada Admin, may change the library) or `reader`
/// (Riley Reader, view-only), as an index into [`ACCOUNTS`].
pub fn portal_account(name: &str) -> Option<usize> {
    match name {
        "admin" => ACCOUNTS.iter().position(|a| a.library_role),
        "reader" => ACCOUNTS.iter().position(|a| !a.library_role),
        _ => None,
    }
}

/// How often the examples' portal backend (`POST /token` on the examples origin) handed its
/// pages a token, and how many of those asks were `forceRefresh` (the panel got a 401).
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PortalTokenRequests {
    /// Tokens handed out.
    pub total: u64,
    /// Of those, asked with `forceRefresh: true`.
    pub force_refresh: u64,
}

/// All state of one simulator instance.
pub struct Sim {
    /// Flags it was started with.
    pub args: Args,
    /// Origin it answers on, such as `http://127.0.0.1:8787`.
    pub public_url: String,
    /// Origin of the embedding examples (`--examples-port`), such as
    /// `http://127.0.0.1:8788`; the app page may be framed by it and its files fetched from it.
    pub examples_origin: Option<String>,
    /// The same examples as another *site* (`http://localhost:8788` beside
    /// `http://127.0.0.1:8787`: sites ignore ports, so the plain examples origin is same-site
    /// with the panel). Browsers partition storage and `BroadcastChannel` by top-level site:
    /// only here does a framed panel meet what a portal on another domain meets.
    pub examples_cross_site_origin: Option<String>,
    /// Tokens the examples' portal backend handed out.
    pub portal_token_requests: Mutex<PortalTokenRequests>,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Signing keys for tokens.
    pub keys: Keys,
    /// The library itself.
    pub library: Mutex<Library>,
    /// Rate limiters per (application, tenant).
    pub limiters: Mutex<HashMap<(String, String), SlidingLimiter>>,
    /// Sign-in pages shown but not yet answered.
    pub pending: Mutex<HashMap<String, PendingAuthorize>>,
    /// Issued, unredeemed authorization codes.
    pub codes: Mutex<HashMap<String, AuthCode>>,
    /// The account signed in at the provider (its single sign-on session): set when an
    /// account is picked, ended by the logout endpoint. `prompt=none` succeeds only with it.
    pub sso: Mutex<Option<usize>>,
    /// Portal sessions (`--portal`): cookie value → account index.
    pub portal_sessions: Mutex<HashMap<String, usize>>,
    /// Issued refresh tokens.
    pub refresh: Mutex<HashMap<String, RefreshGrant>>,
    /// Grant families revoked because a refresh token was reused.
    pub revoked_families: Mutex<HashSet<String>>,
    /// Failures to inject into coming requests.
    pub faults: Mutex<Vec<Fault>>,
    /// Requests received (never token values).
    pub log: Mutex<Vec<LoggedRequest>>,
    /// Entries per list page, when paging; starts from `--page-size`.
    pub page_size: Mutex<Option<usize>>,
    /// Set by `POST /_sim/without-library-scope`: access tokens issued from then on lack
    /// `Library.Manage` in `scp` (an app registration without the permission or its admin
    /// consent); the API answers them 403, as the real one does. Cleared by `/_sim/reset`.
    pub without_library_scope: std::sync::atomic::AtomicBool,
}

impl Sim {
    /// Builds the state for a simulator bound at `addr`.
    pub fn new(args: Args, addr: SocketAddr) -> Result<Self, StartError> {
        let public_url = format!("http://{addr}");
        let redirect_uris = if args.redirect_uris.is_empty() {
            // People type either host name; both are this simulator's own page.
            let mut uris = vec![format!("{public_url}/")];
            if addr.ip().is_loopback() {
                uris.push(format!("http://localhost:{}/", addr.port()));
            }
            uris
        } else {
            args.redirect_uris.clone()
        };
        if args.per_minute == 0 || args.per_hour == 0 || !(1..=60).contains(&args.window_seconds) {
            return Err(StartError::Flags(
                "--per-minute and --per-hour must be at least 1, --window-seconds from 1 to 60"
                    .into(),
            ));
        }
        let library = Library::open(args.seed.as_deref(), args.data_dir.as_deref())?;
        Ok(Self {
            public_url,
            examples_origin: None,
            examples_cross_site_origin: None,
            portal_token_requests: Mutex::default(),
            redirect_uris,
            keys: Keys::dev(),
            library: Mutex::new(library),
            limiters: Mutex::default(),
            pending: Mutex::default(),
            codes: Mutex::default(),
            sso: Mutex::default(),
            portal_sessions: Mutex::default(),
            refresh: Mutex::default(),
            revoked_families: Mutex::default(),
            faults: Mutex::default(),
            log: Mutex::default(),
            page_size: Mutex::new(args.page_size.filter(|&n| n > 0)),
            without_library_scope: Default::default(),
            args,
        })
    }

    /// Issuer of ID tokens and base of the OpenID endpoints.
    pub fn authority(&self) -> String {
        format!("{}/{}/v2.0", self.public_url, self.args.tenant)
    }

    /// A fresh rate limiter as the flags set it.
    pub fn limiter(&self) -> SlidingLimiter {
        // The service counts a call when it arrives: no margin.
        SlidingLimiter::for_limits(
            u64::from(self.args.window_seconds) * 1000,
            self.args.per_minute,
            self.args.per_hour,
            0,
        )
    }

    /// The app's `rateLimit` for this simulator's limits.
    pub fn rate_limit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "perMinute": self.args.per_minute,
            "perHour": self.args.per_hour,
            "windowSeconds": self.args.window_seconds,
        })
    }

    /// The examples' origins: same-site, then cross-site when there is one.
    pub fn examples_origins(&self) -> impl Iterator<Item = &str> {
        self.examples_origin
            .iter()
            .chain(self.examples_cross_site_origin.iter())
            .map(String::as_str)
    }

    /// The one examples origin a request comes from (its `Origin`), or the same-site one.
    pub fn examples_origin_for(&self, request_origin: Option<&str>) -> Option<&str> {
        self.examples_origins()
            .find(|o| Some(*o) == request_origin)
            .or(self.examples_origin.as_deref())
    }

    /// The configured API base, or the simulator's own origin.
    pub fn api_base(&self) -> String {
        self.args
            .api_base
            .clone()
            .unwrap_or_else(|| self.public_url.clone())
    }
}
