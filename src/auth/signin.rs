//! Starting a sign-in, and completing it when the provider sends the browser back: the
//! redirect flow, the one silent (`prompt=none`) attempt after a reload, and sign-out.
//!
//! Across the redirect `sessionStorage` holds the pending record (state, nonce, verifier),
//! the last account's `login_hint`, and whether the person signed out; never a token. A
//! popup sign-in keeps its record in memory: the panel's page lives on meanwhile.

use super::protocol::{
    authorize_url, check_return, error_return, needs_interaction, parse_return, strip_query,
    AuthError, Endpoints, PendingSignIn, Return, TokenSet, PENDING_KEY,
};
use super::provider;
use super::windows::{Done, Job};
use crate::browser;
use crate::config::PkceConfig;

/// `sessionStorage`: the last account's `login_hint`, for one silent sign-in after a reload.
const HINT_KEY: &str = "mde-library-admin.login-hint";
/// `sessionStorage`: set by a sign-out, so the next sign-in offers the account picker.
const SIGNED_OUT_KEY: &str = "mde-library-admin.signed-out";

/// Query parameter of [`start_over_url`].
const START_OVER: &str = "sign-in";

/// The page's address that, loaded, reads discovery again and goes straight on to the
/// provider: the Sign in button's way out when discovery failed at page load.
pub fn start_over_url(redirect_uri: &str) -> String {
    format!("{redirect_uri}?{START_OVER}")
}

/// How a sign-in is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// From the Sign in button, by redirecting the page.
    Interactive,
    /// After a reload, with `prompt=none` and the last account's hint.
    Silent,
    /// From a click, in a popup ([`super::popup`]): the record stays in memory.
    Popup,
}

/// The authorize URL of a new sign-in, and the record its answer is checked against.
async fn prepare(
    cfg: &PkceConfig,
    ep: &Endpoints,
    redirect_uri: &str,
    filter: &str,
    mode: Mode,
    again_as: Option<&str>,
    now_ms: u64,
) -> Result<(String, PendingSignIn), AuthError> {
    let state = match mode {
        Mode::Popup => super::popup::new_state()?,
        Mode::Interactive | Mode::Silent => browser::random_token(32)?,
    };
    let pending = PendingSignIn {
        state,
        nonce: browser::random_token(32)?,
        verifier: browser::random_token(32)?,
        redirect_uri: redirect_uri.to_string(),
        issuer: ep.issuer.clone(),
        started_ms: now_ms,
        filter: filter.to_string(),
        silent: mode == Mode::Silent,
    };
    let challenge = browser::sha256_b64url(&pending.verifier).await?;
    // Read where storage is allowed; a frame whose storage is refused just has no hint.
    let hint = browser::session_get(HINT_KEY);
    let prompt = match mode {
        Mode::Silent => (Some("none"), hint.as_deref()),
        // "Sign in again" must be the session's person: their hint (checked on the answer).
        Mode::Popup if again_as.is_some() => (None, again_as),
        // After a sign-out the provider's own session would sign the same person straight
        // back in: on a shared console, let the next person pick their account.
        Mode::Interactive | Mode::Popup if browser::session_get(SIGNED_OUT_KEY).is_some() => {
            (Some("select_account"), None)
        }
        Mode::Interactive | Mode::Popup => (None, None),
    };
    let url = authorize_url(cfg, ep, redirect_uri, &pending, &challenge, prompt);
    Ok((url, pending))
}

/// Starts a sign-in that leaves the page (in the chunk): stores the pending record across the redirect and
/// returns the URL to navigate to.
pub(super) async fn begin(
    cfg: &PkceConfig,
    ep: &Endpoints,
    redirect_uri: &str,
    filter: &str,
    mode: Mode,
    now_ms: u64,
) -> Result<String, AuthError> {
    let (url, pending) = prepare(cfg, ep, redirect_uri, filter, mode, None, now_ms).await?;
    browser::session_set(PENDING_KEY, &pending.encode()).map_err(|_| AuthError::StorageBlocked)?;
    Ok(url)
}

/// Takes (reads and removes) the pending sign-in record.
pub fn take_pending() -> Option<PendingSignIn> {
    let text = browser::session_get(PENDING_KEY)?;
    browser::session_remove(PENDING_KEY);
    PendingSignIn::decode(&text)
}

fn peek_pending() -> Option<PendingSignIn> {
    PendingSignIn::decode(&browser::session_get(PENDING_KEY)?)
}

/// What the page load found.
pub enum Completion {
    /// Signed in; `filter` is the one kept across the round trip.
    SignedIn {
        /// The tokens, for memory only.
        tokens: TokenSet,
        /// The redirect URI used, repeated when refreshing.
        redirect_uri: String,
        /// Filter text from before the redirect.
        filter: String,
    },
    /// Not signed in; `notice` says why when a sign-in failed.
    SignedOut(Option<AuthError>),
    /// The page is on its way to the provider (the silent attempt).
    Redirecting,
}

/// The endpoints (when discovery worked) and what the page load found.
pub struct Started {
    /// Discovered endpoints, for the Sign in button.
    pub endpoints: Option<Endpoints>,
    /// The outcome.
    pub completion: Completion,
}

/// Whether this page load has sign-in work: an answer in the address bar, a start-over, or
/// the one silent attempt (a remembered account, not signed out, not in a frame, where the
/// provider's pages refuse to load).
fn has_sign_in_work(href: &str) -> bool {
    parse_return(href) != Return::None
        || browser::session_get(PENDING_KEY).is_some()
        || super::protocol::query_pairs(href)
            .iter()
            .any(|(k, _)| k == START_OVER)
        || (browser::session_get(HINT_KEY).is_some()
            && browser::session_get(SIGNED_OUT_KEY).is_none()
            && !browser::is_framed())
}

/// Where the provider sends the browser back: the configured `redirectUri`, else this page
/// without its query.
pub fn redirect_uri(p: &PkceConfig) -> String {
    p.redirect_uri
        .clone()
        .unwrap_or_else(|| strip_query(&browser::location_href()))
}

/// Reads discovery again, for a Sign in after it failed at page load in a frame (which must not
/// navigate itself to start over: the provider's pages refuse to be framed).
pub async fn discover_again(p: &PkceConfig) -> Result<Endpoints, AuthError> {
    provider::discover(&p.authority).await
}

/// At page load: reads discovery and, when the page load has sign-in work, does it in the
/// on-demand chunk ([`complete`]); a first visit only shows Sign in.
pub async fn start(p: &PkceConfig, redirect_uri: &str) -> Started {
    let href = browser::location_href();
    if !has_sign_in_work(&href) {
        return match provider::discover(&p.authority).await {
            Ok(ep) => Started {
                endpoints: Some(ep),
                completion: Completion::SignedOut(None),
            },
            Err(e) => Started {
                endpoints: None,
                completion: Completion::SignedOut(Some(e)),
            },
        };
    }
    // The code and state must not linger in the address bar or the history, even when the
    // chunk does not load.
    browser::replace_url(&strip_query(&href));
    let job = Job::Complete {
        cfg: p.clone(),
        href,
        redirect_uri: redirect_uri.to_string(),
    };
    match super::windows::load(job).await {
        Ok(Done::Started(started)) => started,
        _ => Started {
            endpoints: None,
            completion: Completion::SignedOut(Some(AuthError::SignInUnavailable)),
        },
    }
}

/// The Sign in button: the provider's URL to leave for, its record stored for the return.
pub async fn sign_in_url(
    p: &PkceConfig,
    endpoints: &Endpoints,
    redirect_uri: &str,
    filter: &str,
) -> Result<String, AuthError> {
    let job = Job::Begin {
        cfg: p.clone(),
        endpoints: endpoints.clone(),
        redirect_uri: redirect_uri.to_string(),
        filter: filter.to_string(),
    };
    match super::windows::load(job).await {
        Ok(Done::Url(url)) => url,
        _ => Err(AuthError::SignInUnavailable),
    }
}

/// Completes a sign-in the address bar reported (`href`); or, with none, starts over or makes
/// the one silent attempt of this page load. In the chunk.
pub(super) async fn complete(p: &PkceConfig, href: &str, redirect_uri: &str) -> Started {
    let now_ms = crate::clock::now_ms();
    let ret = parse_return(href);
    let start_over = super::protocol::query_pairs(href)
        .iter()
        .any(|(k, _)| k == START_OVER);
    let endpoints = match provider::discover(&p.authority).await {
        Ok(ep) => ep,
        Err(e) => {
            // The return cannot be completed; its one-use record must not linger.
            if ret != Return::None {
                let _ = take_pending();
            }
            return Started {
                endpoints: None,
                completion: Completion::SignedOut(Some(e)),
            };
        }
    };
    let completion = match ret {
        // Back from the provider without an answer: Entra shows a redirect URI it does not
        // know (AADSTS50011) on its own page, and the person came back from there.
        Return::None if !start_over && came_back_unanswered(now_ms) => {
            let sent = take_pending().map(|p| p.redirect_uri).unwrap_or_default();
            Completion::SignedOut(Some(AuthError::FirstRun(
                crate::wording::first_run::no_answer_text(&sent),
            )))
        }
        Return::None => {
            let _ = take_pending();
            let mode = if start_over {
                Some(Mode::Interactive)
            } else if has_sign_in_work(href) {
                Some(Mode::Silent)
            } else {
                None
            };
            match mode {
                Some(mode) => match begin(p, &endpoints, redirect_uri, "", mode, now_ms).await {
                    Ok(url) if browser::navigate(&url).is_ok() => Completion::Redirecting,
                    // A silent attempt that cannot start just leaves the Sign in button.
                    Err(e) if mode == Mode::Interactive => Completion::SignedOut(Some(e)),
                    _ => Completion::SignedOut(None),
                },
                None => Completion::SignedOut(None),
            }
        }
        ret => {
            // A code is redeemed once: its record goes before the redemption. An error
            // answering no sign-in of this tab leaves the pending one alone.
            let pending = match ret {
                Return::Code { .. } => take_pending(),
                _ => peek_pending(),
            };
            match finish(p, &endpoints, ret, pending, now_ms).await {
                Some(done) => {
                    browser::session_remove(PENDING_KEY);
                    done
                }
                None => Completion::SignedOut(None),
            }
        }
    };
    Started {
        endpoints: Some(endpoints),
        completion,
    }
}

/// Whether an interactive sign-in of this tab is still pending though the page loaded without
/// its answer, recently enough to be the one the person just left for.
fn came_back_unanswered(now_ms: u64) -> bool {
    peek_pending().is_some_and(|p| {
        !p.silent && now_ms.saturating_sub(p.started_ms) <= super::PENDING_MAX_AGE_MS
    })
}

/// Signs in through a popup that the click opened: sends it to the provider, shows that the
/// panel waits for it in `slot` (with "Open the sign-in window again" and "Cancel"), and
/// completes the answer the popup hands back. The attempt's record never leaves memory.
/// Runs in the `sign_in_window` chunk ([`super::popup::sign_in`]).
pub async fn through_popup(a: super::popup::Attempt) -> Completion {
    let super::popup::Attempt {
        popup,
        cfg,
        endpoints,
        redirect_uri,
        filter,
        slot,
        login_hint,
    } = a;
    let now = crate::clock::now_ms();
    let hint = login_hint.as_deref();
    let (url, pending) = match prepare(
        &cfg,
        &endpoints,
        &redirect_uri,
        &filter,
        Mode::Popup,
        hint,
        now,
    )
    .await
    {
        Ok(started) => started,
        Err(e) => return Completion::SignedOut(Some(e)),
    };
    if let Err(e) = popup.go(&url) {
        return Completion::SignedOut(Some(e));
    }
    let hint = crate::wording::first_run::popup_error_text(&redirect_uri);
    let mut waiting = super::popup::Waiting::show(&slot, &url, &hint);
    let state = pending.state.clone();
    let canceled = Box::pin(waiting.canceled());
    let answer = Box::pin(super::popup::answer(&state));
    let got = match futures::future::select(answer, canceled).await {
        futures::future::Either::Left((got, _)) => Some(got),
        futures::future::Either::Right(_) => None,
    };
    drop(waiting);
    match got {
        // Only an answer carrying this attempt's state gets here, so it is never ignored.
        Some(Ok(href)) => finish(
            &cfg,
            &endpoints,
            parse_return(&href),
            Some(pending),
            crate::clock::now_ms(),
        )
        .await
        .unwrap_or(Completion::SignedOut(Some(AuthError::StateMismatch))),
        Some(Err(e)) => Completion::SignedOut(Some(e)),
        // Canceled by the person: back to Sign in, nothing to say.
        None => Completion::SignedOut(None),
    }
}

/// Completes an authorization response against `pending`, the sign-in it must answer:
/// an error, or a code to redeem. `None` when it answers no sign-in of this panel (an error
/// without its `state`): such a response is ignored.
async fn finish(
    p: &PkceConfig,
    endpoints: &Endpoints,
    ret: Return,
    pending: Option<PendingSignIn>,
    now_ms: u64,
) -> Option<Completion> {
    Some(match ret {
        Return::None => Completion::SignedOut(None),
        Return::Error {
            error,
            description,
            state,
            ..
        } => {
            let e = error_return(pending.as_ref(), &error, &description, state.as_deref())?;
            if pending.is_some_and(|p| p.silent) && needs_interaction(&error) {
                // The silent attempt found no session: just offer Sign in.
                browser::session_remove(HINT_KEY);
                Completion::SignedOut(None)
            } else {
                Completion::SignedOut(Some(e))
            }
        }
        Return::Code { code, state, iss } => {
            redeem(p, endpoints, pending, &code, &state, iss.as_deref(), now_ms).await
        }
    })
}

async fn redeem(
    p: &PkceConfig,
    ep: &Endpoints,
    pending: Option<PendingSignIn>,
    code: &str,
    state: &str,
    iss: Option<&str>,
    now_ms: u64,
) -> Completion {
    let Some(pending) = pending else {
        return Completion::SignedOut(Some(AuthError::NoPendingSignIn));
    };
    if let Err(e) = check_return(&pending, Some(state), iss, ep.iss_required, now_ms) {
        return Completion::SignedOut(Some(e));
    }
    match provider::redeem_code(p, ep, &pending, code, now_ms).await {
        Ok(tokens) => {
            browser::session_remove(SIGNED_OUT_KEY);
            if let Some(hint) = &tokens.login_hint {
                let _ = browser::session_set(HINT_KEY, hint);
            }
            Completion::SignedIn {
                tokens,
                redirect_uri: pending.redirect_uri,
                filter: pending.filter,
            }
        }
        Err(e) => Completion::SignedOut(Some(e)),
    }
}

/// Records a sign-out: no silent sign-in after it, and the account picker next time.
pub fn signed_out() {
    browser::session_remove(HINT_KEY);
    let _ = browser::session_set(SIGNED_OUT_KEY, "1");
}

/// Where the panel's tabs (same origin, same storage partition) tell each other of a sign-out.
const SIGN_OUT_CHANNEL: &str = "mde-library-admin.sign-out";

/// A tab's end of the sign-out channel: [`SignOuts::announce`] tells the other tabs, and the
/// callback hears theirs. Stops listening when dropped.
pub struct SignOuts {
    channel: super::channel::Channel,
    _listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl SignOuts {
    /// Listens for sign-outs in other tabs; `None` without `BroadcastChannel`.
    pub fn listen(mut on_sign_out: impl FnMut() + 'static) -> Option<Self> {
        use crate::window_messages::{has_type, SIGNED_OUT};
        let channel = super::channel::Channel::open(SIGN_OUT_CHANNEL)?;
        let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |e: web_sys::MessageEvent| {
                // Any page of the origin may post here; all it can ask for is a sign-out.
                if has_type(&e.data(), SIGNED_OUT) {
                    on_sign_out();
                }
            },
        );
        channel.on_message(&listener);
        Some(Self {
            channel,
            _listener: listener,
        })
    }

    /// Tells the other tabs that this one signed out (never carries a token or an account).
    pub fn announce(&self) {
        use crate::window_messages::{object, PREFIX, SIGNED_OUT};
        self.channel
            .post(&object(&[("type", format!("{PREFIX}{SIGNED_OUT}").into())]));
    }
}

/// The provider's sign-out URL ("Sign out of Microsoft too"), coming back to the panel.
pub fn provider_sign_out_url(ep: &Endpoints, redirect_uri: &str) -> Option<String> {
    let end = ep.end_session_endpoint.as_ref()?;
    let sep = if end.contains('?') { '&' } else { '?' };
    Some(format!(
        "{end}{sep}{}",
        super::protocol::form_encode(&[("post_logout_redirect_uri", redirect_uri)])
    ))
}
