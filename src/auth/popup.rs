//! Sign-in through a popup: for a panel in a frame (the provider's pages refuse to be framed),
//! and for "Sign in again" while a bulk run must keep the page.
//!
//! Entra ID sends `Cross-Origin-Opener-Policy` on its sign-in pages, so the popup is moved to
//! another browsing-context group the moment it gets there: the panel sees `closed === true`
//! at once, and back at the redirect URI the popup has no `window.opener` and no
//! `window.name`. Nothing here uses them. As MSAL.js v5 does, the answer comes back over a
//! `BroadcastChannel` named for this one attempt's `state`: the redirect page ([`hand_back`])
//! posts the address it came back to, the panel takes the first message whose `state` is the
//! attempt's, says it has it, and the popup closes itself. What the attempt needs (verifier,
//! nonce, state) stays in the panel's memory; no `sessionStorage`.
//!
//! A `BroadcastChannel` joins same-origin pages of one storage partition, which browsers key
//! by top-level site: a popup opened from a frame of *another* site cannot reach it (the panel
//! says so before offering a popup, `browser::cross_site_frame`).
//!
//! Loaded on demand: [`sign_in`], the cross-site guidance and the redirect page's hand-back
//! run in the `windows` wasm chunk ([`super::windows`]), fetched on the first Sign in that
//! needs a popup, by a framed panel at start, or by the popup itself when it comes back: no
//! mode that never opens a popup carries this code in its first load.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::channel::Channel;
use super::protocol::{
    parse_return, strip_query, AuthError, Endpoints, Return, PENDING_MAX_AGE_MS,
};
use super::signin::Completion;
use super::windows::{load, Done, Job};
use crate::browser;
use crate::config::PkceConfig;
use crate::window_messages::{
    has_type, object, string_member, PREFIX, SIGN_IN_RECEIVED, SIGN_IN_RESPONSE,
};

/// The popup's window name (a second Sign in reuses the window when it can).
const NAME: &str = "mde-library-admin-sign-in";
/// Window features: a popup rather than a tab.
const FEATURES: &str = "popup,width=500,height=650";
/// Every popup attempt's `state` starts with this: how the redirect page knows it is a popup
/// (`window.name` does not survive COOP). `.` is not in the random part's alphabet.
pub const STATE_PREFIX: &str = "popup.";
/// How long the redirect page waits for the panel's receipt before saying no one took it.
const RECEIPT_MS: u32 = 3_000;

/// The channel one attempt's answer travels on.
fn channel_name(state: &str) -> String {
    format!("{PREFIX}sign-in:{state}")
}

/// The address in an answer posted on the channel, if it answers the attempt of `state`:
/// the right message type and a return (code or error) carrying exactly that `state`.
/// Everything else is ignored.
pub fn accept(state: &str, data: &JsValue) -> Option<String> {
    if !has_type(data, SIGN_IN_RESPONSE) {
        return None;
    }
    let url = string_member(data, "url")?;
    answers(state, &url).then_some(url)
}

/// Whether the address `url` is a return for the attempt of `state` (pure, tested natively).
pub fn answers(state: &str, url: &str) -> bool {
    let returned = match parse_return(url) {
        Return::Code { state, .. } => Some(state),
        Return::Error { state, .. } => state,
        Return::None => None,
    };
    state.starts_with(STATE_PREFIX) && returned.as_deref() == Some(state)
}

/// A new popup attempt's `state`.
pub fn new_state() -> Result<String, AuthError> {
    Ok(format!("{STATE_PREFIX}{}", browser::random_token(32)?))
}

/// An open sign-in popup.
pub struct Popup(web_sys::Window);

/// Opens the popup on `url` (empty: sent on once the PKCE challenge is ready); call it in the
/// click, so blockers allow it.
pub fn open(url: &str) -> Result<Popup, AuthError> {
    let window = web_sys::window().ok_or(AuthError::PopupBlocked)?;
    match window.open_with_url_and_target_and_features(url, NAME, FEATURES) {
        Ok(Some(w)) => Ok(Popup(w)),
        _ => Err(AuthError::PopupBlocked),
    }
}

impl Popup {
    /// Sends the popup to `url`.
    pub fn go(&self, url: &str) -> Result<(), AuthError> {
        self.0
            .location()
            .set_href(url)
            .map_err(|_| AuthError::PopupBlocked)
    }

    /// Closes the popup (after a failure to start; a no-op once COOP has severed it).
    pub fn close(&self) {
        let _ = self.0.close();
    }
}

impl Drop for Popup {
    fn drop(&mut self) {
        // Canceled (or the panel went away): the popup must not stay open on the provider
        // where the browser still lets the panel reach it.
        self.close();
    }
}

/// Waits for the answer to the attempt of `state`: the address the popup came back to. Gives
/// up after [`PENDING_MAX_AGE_MS`] (the provider's code would be refused by then), with
/// [`AuthError::PopupTimedOut`]. Dropping the future stops listening.
pub async fn answer(state: &str) -> Result<String, AuthError> {
    let channel = Rc::new(Channel::open(&channel_name(state)).ok_or(AuthError::PopupUnsupported)?);
    let (tx, rx) = oneshot::channel::<String>();
    let tx = RefCell::new(Some(tx));
    let expected = state.to_string();
    let receipt = channel.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            // The first answer wins; a second one, or any other message, finds no sender.
            if let Some(url) = accept(&expected, &e.data()) {
                if let Some(tx) = tx.borrow_mut().take() {
                    receipt.post(&object(&[(
                        "type",
                        format!("{PREFIX}{SIGN_IN_RECEIVED}").into(),
                    )]));
                    let _ = tx.send(url);
                }
            }
        });
    channel.on_message(&listener);
    let timeout = gloo_timers::future::TimeoutFuture::new(PENDING_MAX_AGE_MS as u32);
    let out = match select(rx, timeout).await {
        Either::Left((Ok(url), _)) => Ok(url),
        _ => Err(AuthError::PopupTimedOut),
    };
    drop(channel);
    drop(listener);
    out
}

/// What one popup sign-in needs, owned: it crosses into the chunk.
pub struct Attempt {
    /// The popup the click opened (empty).
    pub popup: Popup,
    /// The sign-in settings.
    pub cfg: PkceConfig,
    /// From discovery.
    pub endpoints: Endpoints,
    /// The redirect URI (the panel's page).
    pub redirect_uri: String,
    /// The filter text, given back with the tokens.
    pub filter: String,
    /// Where the panel says it waits for the window.
    pub slot: web_sys::Element,
    /// "Sign in again": the session's account, asked for by name (its `login_hint`).
    pub login_hint: Option<String>,
}

/// Signs in through the popup of `a` (see [`super::signin::through_popup`]).
pub async fn sign_in(a: Attempt) -> Completion {
    match load(Job::SignIn(Box::new(a))).await {
        Ok(Done::SignedIn(done)) => done,
        // The popup goes with the attempt (dropped with the job).
        _ => Completion::SignedOut(Some(AuthError::SignInUnavailable)),
    }
}

/// In a frame of another site (a popup could never hand its answer back), draws in `slot`
/// what works instead; returns whether it did, so the panel offers no Sign in.
pub async fn guide(slot: web_sys::Element) -> bool {
    match load(Job::Guide(slot)).await {
        Ok(Done::Guided(cross)) => cross,
        _ => false,
    }
}

/// Draws what works instead of a popup into `slot` (in the chunk).
pub(super) fn guidance(slot: &web_sys::Element) {
    let Some(doc) = slot.owner_document() else {
        return;
    };
    let Ok(block) = doc.create_element("div") else {
        return;
    };
    let _ = block.set_attribute("class", "page-error");
    let _ = block.set_attribute("role", "alert");
    for (tag, text) in [
        ("p", "Signing in cannot work in this frame: the portal around it is another site, and this browser keeps a sign-in window apart from frames of other sites."),
        ("p", "What works: the portal provides the token (auth.mode \"bridge\"), the portal's backend calls the API (\"proxy\"), or the panel is served from the portal's own site."),
        ("a", "Open the panel in a tab of its own"),
    ] {
        if let Ok(e) = doc.create_element(tag) {
            e.set_text_content(Some(text));
            if tag == "a" {
                let _ = e.set_attribute("href", &strip_query(&browser::location_href()));
                let _ = e.set_attribute("target", "_blank");
                let _ = e.set_attribute("rel", "noopener");
            }
            let _ = block.append_child(&e);
        }
    }
    let _ = slot.append_child(&block);
}

/// On the panel's own page, back from the provider in a popup (its `state` says so): removes
/// the answer from the address bar and hands it back ([`post_answer`], in the chunk). Returns
/// whether it handled the page (which then starts no panel of its own).
pub fn hand_back() -> bool {
    let href = browser::location_href();
    let state = match parse_return(&href) {
        Return::Code { state, .. } => Some(state),
        Return::Error { state, .. } => state,
        Return::None => None,
    };
    let Some(state) = state.filter(|s| s.starts_with(STATE_PREFIX)) else {
        return false;
    };
    // The code must not stay in the popup's address bar or history.
    browser::replace_url(&strip_query(&href));
    wasm_bindgen_futures::spawn_local(async move {
        if load(Job::HandBack { href, state }).await.is_err() {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                body.set_text_content(Some(
                    "This window could not hand the sign-in back. Close it and sign in from the \
                     panel again.",
                ));
            }
        }
    });
    true
}

/// Posts the answer on the attempt's channel, and closes the window once the panel has it;
/// if no panel takes it within [`RECEIPT_MS`], says so.
pub(super) fn post_answer(href: String, state: &str) {
    let Some(channel) = Channel::open(&channel_name(state)) else {
        no_one_to_hand_back_to();
        return;
    };
    let received = Rc::new(std::cell::Cell::new(false));
    let got = received.clone();
    let closer =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if has_type(&e.data(), SIGN_IN_RECEIVED) && !got.replace(true) {
                say(
                    "Signed in",
                    "The panel has the sign-in. You can close this window.",
                );
                if let Some(w) = web_sys::window() {
                    let _ = w.close();
                }
            }
        });
    channel.on_message(&closer);
    channel.post(&object(&[
        ("type", format!("{PREFIX}{SIGN_IN_RESPONSE}").into()),
        ("url", href.into()),
    ]));
    say(
        "Returning to the panel…",
        "This window closes by itself once the panel has the sign-in.",
    );
    // The page lives for seconds: the channel and its listener go with it.
    closer.forget();
    gloo_timers::callback::Timeout::new(RECEIPT_MS, move || {
        drop(channel);
        if !received.get() {
            no_one_to_hand_back_to();
        }
    })
    .forget();
}

/// The panel's "waiting for the sign-in window" block, drawn with the DOM (in the chunk, like
/// the bulk parts): **Open the sign-in window again** reopens the same attempt from the
/// click, **Cancel** ends it. Removed when dropped.
pub struct Waiting {
    block: web_sys::Element,
    _click: Closure<dyn FnMut(web_sys::Event)>,
    canceled: Option<oneshot::Receiver<()>>,
}

impl Waiting {
    /// Shows the block in `slot`; `url` is the attempt's authorize URL, `hint` what to do if
    /// the window shows an error instead (Entra shows AADSTS50011 there and sends nothing back).
    pub fn show(slot: &web_sys::Element, url: &str, hint: &str) -> Self {
        let doc = slot
            .owner_document()
            .or_else(|| web_sys::window()?.document());
        let make = |tag: &str, text: &str| {
            let e = doc.as_ref()?.create_element(tag).ok()?;
            e.set_text_content(Some(text));
            Some(e)
        };
        let block = make("div", "").unwrap_or_else(|| slot.clone());
        let _ = block.set_attribute("class", "popup-wait reauth");
        let _ = block.set_attribute("role", "status");
        let line = make(
            "p",
            "Waiting for the sign-in window. Finish signing in there; the panel goes on by itself.",
        );
        for (text, class, action) in [
            ("", "", ""),
            (hint, "", "hint"),
            ("Open the sign-in window again", "primary", "again"),
            ("Cancel", "", "cancel"),
        ] {
            let Some(e) = (match action {
                "" => line.clone(),
                "hint" => make("p", text),
                _ => make("button", text),
            }) else {
                continue;
            };
            if !matches!(action, "" | "hint") {
                let _ = e.set_attribute("type", "button");
                let _ = e.set_attribute("class", class);
                let _ = e.set_attribute("data-popup", action);
            }
            let _ = block.append_child(&e);
        }
        let _ = slot.append_child(&block);
        let (tx, rx) = oneshot::channel();
        let tx = RefCell::new(Some(tx));
        let url = url.to_string();
        let said = line;
        let click = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let action = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-popup"));
            match action.as_deref() {
                // From the click, so blockers allow it; the attempt is the same one.
                Some("again") => match open(&url) {
                    Ok(p) => std::mem::forget(p),
                    Err(err) => {
                        if let Some(l) = &said {
                            l.set_text_content(Some(&err.to_string()));
                        }
                    }
                },
                Some("cancel") => {
                    if let Some(tx) = tx.borrow_mut().take() {
                        let _ = tx.send(());
                    }
                }
                _ => {}
            }
        });
        let _ = block.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
        Self {
            block,
            _click: click,
            canceled: Some(rx),
        }
    }

    /// Resolves when the person presses Cancel (call once).
    pub fn canceled(&mut self) -> impl std::future::Future<Output = ()> + 'static {
        let rx = self.canceled.take();
        async move {
            let pressed = match rx {
                Some(rx) => rx.await.is_ok(),
                None => false,
            };
            if !pressed {
                futures::future::pending::<()>().await;
            }
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.block.remove();
    }
}

fn no_one_to_hand_back_to() {
    say(
        "This sign-in window has no panel to return to",
        "The panel that opened it was closed or reloaded, or is in a frame of another site. \
         Close this window and sign in from the panel again.",
    );
}

/// Replaces the page's body with a heading and a line (text only).
fn say(heading: &str, line: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(body), Ok(main), Ok(h), Ok(p)) = (
        doc.body(),
        doc.create_element("main"),
        doc.create_element("h1"),
        doc.create_element("p"),
    ) else {
        return;
    };
    h.set_text_content(Some(heading));
    p.set_text_content(Some(line));
    let _ = p.set_attribute("role", "status");
    let _ = main.append_child(&h);
    let _ = main.append_child(&p);
    body.set_text_content(None);
    let _ = body.append_child(&main);
    let _ = main.dyn_into::<web_sys::HtmlElement>().map(|m| {
        let _ = m
            .style()
            .set_property("font-family", "system-ui, sans-serif");
        let _ = m.style().set_property("margin", "2rem");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_counts_only_for_its_own_popup_state() {
        let s = "popup.abc";
        assert!(answers(s, "https://app/?code=c&state=popup.abc"));
        assert!(answers(
            s,
            "https://app/?error=access_denied&error_description=no&state=popup.abc"
        ));
        // Another attempt's state, a state of the redirect flow, none at all, no return.
        assert!(!answers(s, "https://app/?code=c&state=popup.abd"));
        assert!(!answers(s, "https://app/?code=c&state=popup.ab"));
        assert!(!answers(s, "https://app/?code=c"));
        assert!(!answers(s, "https://app/?error=x"));
        assert!(!answers(s, "https://app/"));
        assert!(!answers("abc", "https://app/?code=c&state=abc"));
    }
}
