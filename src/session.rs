//! The token source: hands out access tokens, from the app's own PKCE sign-in or from the
//! embedding portal, and refreshes them single-flight.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::now_ms;
use crate::config::PkceConfig;
use crate::oauth::{self, AuthError, Endpoints, TokenSet};

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
        cfg: PkceConfig,
        endpoints: Endpoints,
        redirect_uri: String,
        tokens: Rc<RefCell<Option<TokenSet>>>,
    },
    Host,
}

/// A signed-in session; cheap to clone, shared by every call.
#[derive(Clone)]
pub struct Session {
    source: Source,
    flight: Rc<SingleFlight<Result<String, AuthError>>>,
}

impl Session {
    /// A session over tokens from the app's own sign-in.
    pub fn pkce(
        cfg: PkceConfig,
        endpoints: Endpoints,
        redirect_uri: String,
        tokens: TokenSet,
    ) -> Self {
        Self {
            source: Source::Pkce {
                cfg,
                endpoints,
                redirect_uri,
                tokens: Rc::new(RefCell::new(Some(tokens))),
            },
            flight: Rc::default(),
        }
    }

    /// A session whose tokens come from the embedding portal.
    pub fn host() -> Self {
        Self {
            source: Source::Host,
            flight: Rc::default(),
        }
    }

    /// The signed-in account's display name, when known.
    pub fn account_name(&self) -> Option<String> {
        match &self.source {
            Source::Pkce { tokens, .. } => tokens.borrow().as_ref()?.account_name.clone(),
            Source::Host => None,
        }
    }

    /// Forgets every token of this session.
    pub fn sign_out(&self) {
        if let Source::Pkce { tokens, .. } = &self.source {
            *tokens.borrow_mut() = None;
        }
    }

    /// A token valid for a while yet, refreshing first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, AuthError> {
        match &self.source {
            Source::Pkce { tokens, .. } => {
                let current = tokens.borrow().clone();
                match current {
                    Some(t) if t.expires_at_ms > now_ms() + REFRESH_MARGIN_MS => Ok(t.access_token),
                    Some(_) => self.refresh().await,
                    None => Err(AuthError::SignInRequired("signed out".into())),
                }
            }
            Source::Host => host_token(false).await,
        }
    }

    /// After a 401 with `rejected`: a new token, refreshed once for all callers.
    pub async fn after_unauthorized(&self, rejected: &str) -> Result<String, AuthError> {
        if let Source::Pkce { tokens, .. } = &self.source {
            // Another call may have refreshed already; use its token instead of refreshing again.
            let current = tokens.borrow().as_ref().map(|t| t.access_token.clone());
            if let Some(t) = current.filter(|t| t != rejected) {
                return Ok(t);
            }
        }
        self.refresh().await
    }

    fn refresh(&self) -> impl Future<Output = Result<String, AuthError>> {
        let source = self.source.clone();
        self.flight.run(move || async move {
            match source {
                Source::Pkce {
                    cfg,
                    endpoints,
                    redirect_uri,
                    tokens,
                } => {
                    let previous = tokens
                        .borrow()
                        .clone()
                        .ok_or_else(|| AuthError::SignInRequired("signed out".into()))?;
                    let fresh =
                        oauth::refresh(&cfg, &endpoints, &redirect_uri, &previous, now_ms())
                            .await?;
                    let token = fresh.access_token.clone();
                    *tokens.borrow_mut() = Some(fresh);
                    Ok(token)
                }
                Source::Host => host_token(true).await,
            }
        })
    }
}

/// Asks the embedding portal: `window.mdeLibraryAdminHost.getToken({ forceRefresh })`,
/// which returns (a promise of) the access token string.
async fn host_token(force_refresh: bool) -> Result<String, AuthError> {
    let fail = |s: &str| AuthError::Host(s.to_string());
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let host = js_sys::Reflect::get(&window, &"mdeLibraryAdminHost".into())
        .ok()
        .filter(|v| v.is_object())
        .ok_or_else(|| fail("window.mdeLibraryAdminHost is not set"))?;
    let get = js_sys::Reflect::get(&host, &"getToken".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| fail("window.mdeLibraryAdminHost.getToken is not a function"))?;
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"forceRefresh".into(), &force_refresh.into());
    let value = get
        .call1(&host, &opts)
        .map_err(|_| fail("getToken threw"))?;
    let value = match value.dyn_into::<js_sys::Promise>() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(|_| fail("getToken rejected"))?,
        Err(v) => v,
    };
    value
        .as_string()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| fail("getToken did not return a token string"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

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
