//! The token source: hands out access tokens, from the app's own PKCE sign-in or from the
//! embedding portal, and refreshes them single-flight.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};

use super::{AuthError, Endpoints, TokenSet};
use crate::clock::now_ms;
use crate::config::PkceConfig;

/// Refresh this long before expiry, so a call never leaves with a token about to die.
const REFRESH_MARGIN_MS: u64 = 2 * 60 * 1000;

/// Runs one future at a time per slot: callers arriving while it runs share its result.
///
/// Refresh tokens rotate and reusing a spent one revokes the grant, so two refreshes must
/// never race.
pub struct SingleFlight<T: Clone + 'static> {
    slot: Rc<RefCell<Option<Shared<LocalBoxFuture<'static, T>>>>>,
}

impl<T: Clone + 'static> Default for SingleFlight<T> {
    fn default() -> Self {
        Self {
            slot: Rc::default(),
        }
    }
}

impl<T: Clone + 'static> SingleFlight<T> {
    /// Joins the run in flight, or starts `make()` if there is none.
    pub fn run<F>(&self, make: impl FnOnce() -> F) -> impl Future<Output = T>
    where
        F: Future<Output = T> + 'static,
    {
        let mut slot = self.slot.borrow_mut();
        if let Some(running) = slot.as_ref() {
            return running.clone();
        }
        let fut = make();
        let clear = self.slot.clone();
        let shared = async move {
            let out = fut.await;
            *clear.borrow_mut() = None;
            out
        }
        .boxed_local()
        .shared();
        *slot = Some(shared.clone());
        shared
    }
}

/// Where tokens come from.
#[derive(Clone)]
enum Source {
    Pkce {
        // What a refresh needs, shared by every clone of the session.
        grant: Rc<(PkceConfig, Endpoints, String)>,
        tokens: Rc<RefCell<Option<TokenSet>>>,
    },
    /// `mount()`'s `getToken({ forceRefresh })`.
    Host(js_sys::Function),
    /// The portal at this origin, over the `postMessage` bridge.
    Bridge(Rc<str>),
    Proxy,
}

/// A signed-in session; cheap to clone, shared by every call.
#[derive(Clone)]
pub struct Session {
    source: Source,
    flight: Rc<SingleFlight<Result<String, AuthError>>>,
    // Set by `sign_out`: a refresh still in flight then drops what it brings back.
    ended: Rc<Cell<bool>>,
    // Whether the portal's last token (`host`, `bridge`) carries `Library.Manage`.
    portal_scope: Rc<Cell<Option<bool>>>,
}

impl Session {
    /// A new session of a mode whose tokens come from the portal (or its backend): `host`
    /// (`mount()`'s `getToken`), `bridge`, `proxy`; `None` for `pkce`, which signs in.
    pub fn from_portal(
        auth: &crate::config::AuthConfig,
        get_token: Option<js_sys::Function>,
    ) -> Option<Result<Session, AuthError>> {
        use crate::config::AuthConfig;
        Some(match auth {
            AuthConfig::Host => get_token.map(Session::host).ok_or(AuthError::Host(Some(
                "mount() was given no getToken".into(),
            ))),
            AuthConfig::Bridge { host_origin } => Ok(Session::bridge(host_origin)),
            AuthConfig::Proxy => Ok(Session::proxy()),
            AuthConfig::Pkce(_) => return None,
        })
    }

    /// A session over tokens from the app's own sign-in.
    pub fn pkce(
        cfg: PkceConfig,
        endpoints: Endpoints,
        redirect_uri: String,
        tokens: TokenSet,
    ) -> Self {
        Self {
            source: Source::Pkce {
                grant: Rc::new((cfg, endpoints, redirect_uri)),
                tokens: Rc::new(RefCell::new(Some(tokens))),
            },
            flight: Rc::default(),
            ended: Rc::default(),
            portal_scope: Rc::default(),
        }
    }

    /// A session with no token in the browser: the portal's backend adds it (`proxy` mode).
    pub fn proxy() -> Self {
        Self::with(Source::Proxy)
    }

    /// Whether calls carry a bearer token (all modes but `proxy`).
    pub fn sends_token(&self) -> bool {
        !matches!(self.source, Source::Proxy)
    }

    /// A session whose tokens come from `getToken` of the page that mounted the panel.
    pub fn host(get_token: js_sys::Function) -> Self {
        Self::with(Source::Host(get_token))
    }

    /// A session whose tokens come from the portal framing the panel, at `host_origin`.
    pub fn bridge(host_origin: &str) -> Self {
        Self::with(Source::Bridge(host_origin.into()))
    }

    fn with(source: Source) -> Self {
        Self {
            source,
            flight: Rc::default(),
            ended: Rc::default(),
            portal_scope: Rc::default(),
        }
    }

    /// Whether the session's token carries `Library.Manage` (see `claims`; a hint only), read
    /// in the sign-in chunk: with the tokens of the app's own sign-in, and a portal's
    /// (`host`, `bridge`) as each one arrives, so known after the first call. `None` for an
    /// unreadable token, before a portal's first, and in `proxy` mode: every control stays
    /// offered and the first 403 decides.
    pub fn scope_hint(&self) -> Option<bool> {
        match &self.source {
            Source::Pkce { tokens, .. } => tokens.borrow().as_ref()?.library_scope,
            Source::Host(_) | Source::Bridge(_) => self.portal_scope.get(),
            Source::Proxy => None,
        }
    }

    /// Reads a portal's token for `Library.Manage` (in the sign-in chunk, which `bridge`
    /// has loaded anyway; `host` fetches it with its first token).
    async fn note_scope(&self, token: &str) {
        if let Source::Host(_) | Source::Bridge(_) = self.source {
            let job = super::windows::Job::Scope(token.into());
            if let Ok(super::windows::Done::Scope(hint)) = super::windows::load(job).await {
                self.portal_scope.set(hint);
            }
        }
    }

    /// The signed-in account's display name, when known.
    pub fn account_name(&self) -> Option<String> {
        match &self.source {
            Source::Pkce { tokens, .. } => tokens.borrow().as_ref()?.account_name.clone(),
            Source::Host(_) | Source::Bridge(_) | Source::Proxy => None,
        }
    }

    /// Ends this session: forgets its tokens, and no call of it gets a token afterwards, not
    /// even from a refresh (or a host request) that was in flight. A new sign-in makes a new
    /// session.
    pub fn sign_out(&self) {
        self.ended.set(true);
        if let Source::Pkce { tokens, .. } = &self.source {
            *tokens.borrow_mut() = None;
        }
    }

    /// Takes the tokens of a new sign-in into this session (after "Sign in again" through a
    /// popup), so everything holding it (a bulk run, the list) goes on with them. `false` if
    /// the session is not one of the app's own sign-in, or was signed out; an error if they
    /// are another person's (`tid`/`oid` differ, or cannot be told): the session keeps its own.
    pub fn renew(&self, fresh: TokenSet) -> Result<bool, AuthError> {
        match &self.source {
            Source::Pkce { tokens, .. } if !self.ended.get() => {
                let mut held = tokens.borrow_mut();
                if let Some(now) = held.as_ref().filter(|t| t.account.is_some()) {
                    if now.account != fresh.account {
                        let name = |t: &TokenSet| {
                            t.account_name
                                .clone()
                                .unwrap_or("an unnamed account".into())
                        };
                        return Err(AuthError::OtherAccount {
                            this: name(now),
                            other: name(&fresh),
                        });
                    }
                }
                *held = Some(fresh);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The signed-in tenant (`tid`), when the ID token said: a drift check refuses another
    /// tenant's baseline.
    pub fn tenant(&self) -> Option<String> {
        match &self.source {
            Source::Pkce { tokens, .. } => {
                let account = tokens.borrow().as_ref()?.account.clone()?;
                account.split(':').next().map(str::to_string)
            }
            _ => None,
        }
    }

    /// The session's account's `login_hint`: "Sign in again" asks for the same person.
    pub fn login_hint(&self) -> Option<String> {
        match &self.source {
            Source::Pkce { tokens, .. } => tokens.borrow().as_ref()?.login_hint.clone(),
            _ => None,
        }
    }

    /// Whether `sign_out` was called.
    pub fn is_signed_out(&self) -> bool {
        self.ended.get()
    }

    fn signed_out_error() -> AuthError {
        AuthError::SignInRequired("signed out".into())
    }

    /// A token valid for a while yet, refreshing first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, AuthError> {
        if self.ended.get() {
            return Err(Self::signed_out_error());
        }
        let token = self.current_or_refresh().await?;
        if self.ended.get() {
            return Err(Self::signed_out_error());
        }
        self.note_scope(&token).await;
        Ok(token)
    }

    async fn current_or_refresh(&self) -> Result<String, AuthError> {
        match &self.source {
            Source::Pkce { tokens, .. } => {
                let current = tokens.borrow().clone();
                match current {
                    Some(t) if t.expires_at_ms > now_ms() + REFRESH_MARGIN_MS => Ok(t.access_token),
                    Some(_) => self.refresh().await,
                    None => Err(AuthError::SignInRequired("signed out".into())),
                }
            }
            Source::Host(get) => super::host::token(get, false).await,
            Source::Bridge(origin) => super::bridge::request_token(origin, false).await,
            Source::Proxy => Err(AuthError::PortalSession),
        }
    }

    /// After a 401 with `rejected`: a new token, refreshed once for all callers.
    pub async fn after_unauthorized(&self, rejected: &str) -> Result<String, AuthError> {
        if self.ended.get() {
            return Err(Self::signed_out_error());
        }
        if let Source::Proxy = self.source {
            // Only the portal can renew its own session.
            return Err(AuthError::PortalSession);
        }
        if let Source::Pkce { tokens, .. } = &self.source {
            // Another call may have refreshed already; use its token instead of refreshing again.
            let current = tokens.borrow().as_ref().map(|t| t.access_token.clone());
            if let Some(t) = current.filter(|t| t != rejected) {
                return Ok(t);
            }
        }
        let token = self.refresh().await?;
        self.note_scope(&token).await;
        Ok(token)
    }

    fn refresh(&self) -> impl Future<Output = Result<String, AuthError>> {
        let source = self.source.clone();
        let ended = self.ended.clone();
        self.flight.run(move || async move {
            match source {
                Source::Pkce { grant, tokens } => {
                    let (cfg, endpoints, redirect_uri) = &*grant;
                    let previous = tokens
                        .borrow()
                        .clone()
                        .ok_or_else(|| AuthError::SignInRequired("signed out".into()))?;
                    let fresh = match refresh_tokens(cfg, endpoints, redirect_uri, previous).await {
                        Ok(fresh) => fresh,
                        Err(e) => {
                            // A dead refresh token (invalid_grant), or one the provider
                            // rotated in an answer that was lost: never sent again, so only
                            // a new sign-in renews the session.
                            if matches!(e, AuthError::SignInRequired(_) | AuthError::SignInAgain(_))
                            {
                                if let Some(t) = tokens.borrow_mut().as_mut() {
                                    t.refresh_token = None;
                                }
                            }
                            return Err(e);
                        }
                    };
                    // Signed out meanwhile: the tokens must not come back.
                    if ended.get() {
                        return Err(Session::signed_out_error());
                    }
                    let token = fresh.access_token.clone();
                    *tokens.borrow_mut() = Some(fresh);
                    Ok(token)
                }
                Source::Host(get) => super::host::token(&get, true).await,
                Source::Bridge(origin) => super::bridge::request_token(&origin, true).await,
                Source::Proxy => Err(AuthError::PortalSession),
            }
        })
    }
}

/// Redeems the refresh token in the sign-in chunk (loaded on demand: about once an hour).
async fn refresh_tokens(
    cfg: &PkceConfig,
    endpoints: &Endpoints,
    redirect_uri: &str,
    previous: TokenSet,
) -> Result<TokenSet, AuthError> {
    let job = super::windows::Job::Refresh {
        cfg: cfg.clone(),
        endpoints: endpoints.clone(),
        redirect_uri: redirect_uri.to_string(),
        previous,
    };
    match super::windows::load(job).await {
        Ok(super::windows::Done::Refreshed(fresh)) => fresh,
        _ => Err(AuthError::SignInUnavailable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in() -> Session {
        let cfg = crate::config::PkceConfig {
            authority: "https://login/t/v2.0".into(),
            client_id: "c".into(),
            scopes: vec!["s".into()],
            redirect_uri: None,
        };
        let ep = Endpoints {
            issuer: "https://login/t/v2.0".into(),
            authorization_endpoint: "https://login/t/authorize".into(),
            token_endpoint: "https://login/t/token".into(),
            end_session_endpoint: None,
            iss_required: false,
        };
        let tokens = TokenSet {
            access_token: "at".into(),
            expires_at_ms: u64::MAX,
            refresh_token: Some("rt".into()),
            account_name: Some("Ada Admin".into()),
            login_hint: Some("ada@contoso.example".into()),
            account: Some("t1:ada".into()),
            library_scope: None,
        };
        Session::pkce(cfg, ep, "https://app/".into(), tokens)
    }

    #[test]
    fn after_sign_out_no_token_is_handed_out() {
        let s = signed_in();
        let clone = s.clone();
        assert_eq!(futures::executor::block_on(s.access_token()).unwrap(), "at");
        clone.sign_out();
        assert!(s.is_signed_out());
        assert!(matches!(
            futures::executor::block_on(s.access_token()),
            Err(AuthError::SignInRequired(_))
        ));
        assert!(matches!(
            futures::executor::block_on(s.after_unauthorized("at")),
            Err(AuthError::SignInRequired(_))
        ));
    }

    #[test]
    fn renew_takes_new_tokens_until_signed_out() {
        let s = signed_in();
        let mut fresh = TokenSet {
            access_token: "at2".into(),
            expires_at_ms: u64::MAX,
            refresh_token: None,
            account_name: Some("Ada Admin".into()),
            login_hint: None,
            account: Some("t1:ada".into()),
            library_scope: None,
        };
        assert_eq!(s.login_hint().as_deref(), Some("ada@contoso.example"));
        assert_eq!(s.clone().renew(fresh.clone()), Ok(true));
        assert_eq!(
            futures::executor::block_on(s.access_token()).unwrap(),
            "at2"
        );
        s.sign_out();
        fresh.access_token = "at3".into();
        assert_eq!(s.renew(fresh), Ok(false));
        assert!(futures::executor::block_on(s.access_token()).is_err());
    }

    #[test]
    fn renew_refuses_another_person_and_keeps_the_session_s_tokens() {
        let s = signed_in();
        let other = |account: Option<&str>, name: Option<&str>| TokenSet {
            access_token: "someone-else".into(),
            expires_at_ms: u64::MAX,
            refresh_token: None,
            account_name: name.map(Into::into),
            login_hint: None,
            account: account.map(Into::into),
            library_scope: None,
        };
        // Another object id, another tenant (the same oid there is another person), or an
        // answer that cannot say who it is.
        for (account, name) in [
            (Some("t1:riley"), Some("Riley Reader")),
            (Some("t2:ada"), Some("Ada Admin")),
            (None, None),
        ] {
            let refused = s.renew(other(account, name));
            assert_eq!(
                refused,
                Err(AuthError::OtherAccount {
                    this: "Ada Admin".into(),
                    other: name.unwrap_or("an unnamed account").into(),
                }),
                "{account:?}"
            );
            assert_eq!(futures::executor::block_on(s.access_token()).unwrap(), "at");
        }
        assert_eq!(
            AuthError::OtherAccount {
                this: "Ada Admin".into(),
                other: "Riley Reader".into()
            }
            .to_string(),
            "That was another account (Riley Reader). This session is Ada Admin's: sign in again as Ada Admin, or sign out to switch accounts."
        );
    }

    #[test]
    fn concurrent_callers_share_one_run() {
        let flight: SingleFlight<u32> = SingleFlight::default();
        let runs = Rc::new(Cell::new(0));
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let make = |runs: Rc<Cell<u32>>, rx| {
            move || async move {
                runs.set(runs.get() + 1);
                let rx: futures::channel::oneshot::Receiver<u32> = rx;
                rx.await.unwrap_or(0)
            }
        };
        let a = flight.run(make(runs.clone(), rx));
        // The second caller's closure is never called: it joins the first run.
        let second_started = Rc::new(Cell::new(false));
        let flag = second_started.clone();
        let b = flight.run(move || {
            flag.set(true);
            async { 0 }
        });
        tx.send(7).unwrap();
        let (x, y) = futures::executor::block_on(futures::future::join(a, b));
        assert_eq!((x, y, runs.get()), (7, 7, 1));
        assert!(
            !second_started.get(),
            "the second caller joined the first run"
        );
        // Once finished, the next call starts a new run.
        let c = flight.run(|| async { 9 });
        assert_eq!(futures::executor::block_on(c), 9);
    }
}
