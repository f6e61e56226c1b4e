//! The chunk boundary of signing in: starting a sign-in and completing the provider's answer
//! (the redirect's, the silent attempt's, the popup's), refreshing, the sign-in popup (its
//! waiting block, the answer over a `BroadcastChannel`, the redirect page's hand-back), the
//! guidance of a frame of another site, the token bridge to a framing portal, reading a
//! portal's token for its scopes, and the deployer's **Check setup**
//! ([`crate::components::check_setup`]). A page that is not signing in (a first visit shows
//! Sign in; `proxy`) never loads it, `host` only with its first token: the first load keeps
//! discovery, so a broken provider is still said at once.
//!
//! One split point (`wasm_split`, fallible, in the Trunk build, feature `split`) for all of
//! them: each split point adds its entries to the loader, which is part of the first load
//! (a second point for the bridge alone: see size lead L41, bench/size-leads.md).

use std::future::Future;
use std::pin::Pin;

use super::popup::{self, Attempt};
use super::signin::{Completion, Started};
use super::{AuthError, Endpoints, TokenSet};
use crate::config::PkceConfig;

/// Work the chunk does.
pub enum Job {
    /// At page load: complete the answer in `href` (already gone from the address bar), or
    /// start over, or make the silent attempt ([`super::signin::complete`]).
    Complete {
        /// The configuration.
        cfg: PkceConfig,
        /// The address the page was loaded at.
        href: String,
        /// The redirect URI (the panel's page).
        redirect_uri: String,
    },
    /// The Sign in button: the authorize URL to leave for, its record stored.
    Begin {
        /// The configuration.
        cfg: PkceConfig,
        /// From discovery.
        endpoints: Endpoints,
        /// The redirect URI.
        redirect_uri: String,
        /// The filter text, kept across the round trip.
        filter: String,
    },
    /// The refresh token redeemed for new tokens.
    Refresh {
        /// The configuration.
        cfg: PkceConfig,
        /// From discovery.
        endpoints: Endpoints,
        /// The redirect URI of the sign-in.
        redirect_uri: String,
        /// The tokens to renew.
        previous: TokenSet,
    },
    /// A popup sign-in, from the click.
    SignIn(Box<Attempt>),
    /// A framed panel at start: in a frame of another site, say what works in the element.
    Guide(web_sys::Element),
    /// In the popup, back on the redirect page: hand `href` back on the channel of `state`.
    HandBack {
        /// The address the popup came back to.
        href: String,
        /// Its popup `state`.
        state: String,
    },
    /// A token from the framing portal (`bridge` mode); `force_refresh` after a 401.
    BridgeToken {
        /// The portal's exact origin.
        host_origin: String,
        /// Ask for a new token, not a cached one.
        force_refresh: bool,
    },
    /// Whether a portal's token carries `Library.Manage` ([`super::claims`]).
    Scope(String),
    /// The Check setup view, drawn after its button.
    Setup(Box<crate::components::check_setup::SetupDeps>),
}

/// What a job ends with.
pub enum Done {
    /// What the page load found.
    Started(Started),
    /// The URL to navigate to, or why not.
    Url(Result<String, AuthError>),
    /// The renewed tokens, or why not.
    Refreshed(Result<TokenSet, AuthError>),
    /// The popup sign-in's outcome.
    SignedIn(Completion),
    /// Whether the frame is of another site (and the guidance drawn).
    Guided(bool),
    /// The redirect page handed its answer on.
    HandedBack,
    /// The portal's token, or why none.
    Token(Result<String, AuthError>),
    /// What the token says of `Library.Manage`, `None` when it cannot be read.
    Scope(Option<bool>),
    /// Check setup, mounted (dropping it unmounts it); `None` if its button is gone.
    Setup(Option<crate::components::check_setup::Mounted>),
}

/// A job, running.
pub type Run = Pin<Box<dyn Future<Output = Done>>>;

/// The chunk could not be fetched or instantiated (network, integrity, a newer deploy).
pub type LoadError = leptos::wasm_split::SplitLoaderError;

// `fallible`: a chunk that does not load is an error to show, not a panic (which would abort
// the whole module).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(windows, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn run(job: Job) -> Result<Run, LoadError> {
    Ok(match job {
        Job::Complete {
            cfg,
            href,
            redirect_uri,
        } => Box::pin(async move {
            Done::Started(super::signin::complete(&cfg, &href, &redirect_uri).await)
        }),
        Job::Begin {
            cfg,
            endpoints,
            redirect_uri,
            filter,
        } => Box::pin(async move {
            let now = crate::clock::now_ms();
            let mode = super::signin::Mode::Interactive;
            Done::Url(
                super::signin::begin(&cfg, &endpoints, &redirect_uri, &filter, mode, now).await,
            )
        }),
        Job::Refresh {
            cfg,
            endpoints,
            redirect_uri,
            previous,
        } => Box::pin(async move {
            let now = crate::clock::now_ms();
            Done::Refreshed(
                super::provider::refresh(&cfg, &endpoints, &redirect_uri, &previous, now).await,
            )
        }),
        Job::SignIn(a) => {
            Box::pin(async move { Done::SignedIn(super::signin::through_popup(*a).await) })
        }
        Job::Guide(slot) => {
            let cross = crate::browser::cross_site_frame();
            if cross {
                popup::guidance(&slot);
            }
            Box::pin(std::future::ready(Done::Guided(cross)))
        }
        Job::HandBack { href, state } => {
            popup::post_answer(href, &state);
            Box::pin(std::future::ready(Done::HandedBack))
        }
        Job::Scope(token) => Box::pin(std::future::ready(Done::Scope(
            super::claims::has_library_scope(&token),
        ))),
        Job::Setup(deps) => Box::pin(std::future::ready(Done::Setup(
            crate::components::check_setup::mount(*deps),
        ))),
        Job::BridgeToken {
            host_origin,
            force_refresh,
        } => Box::pin(
            async move { Done::Token(super::bridge::ask(&host_origin, force_refresh).await) },
        ),
    })
}

/// Loads the chunk (once; on demand in the Trunk build) and does `job`.
pub async fn load(job: Job) -> Result<Done, LoadError> {
    #[cfg(feature = "split")]
    let running = run(job).await?;
    #[cfg(not(feature = "split"))]
    let running = run(job)?;
    Ok(running.await)
}
