//! Library operations as the panel sees them: each call passes the rate gate, carries a
//! fresh token, and on a 401 is retried once after a single-flight refresh. A page of the
//! list answered with a 429 is sent again after the wait ([`crate::rate::after_429s`]);
//! changes have their own workflows for that (`workflow`).

use futures::future::LocalBoxFuture;

use mde_wire::LibraryFile;

use crate::api::{ApiError, LibraryApi, Reply, Request};
use crate::auth::AuthError;
use crate::auth::Session;
use crate::clock::Clock;
use crate::rate::RateGate;
use crate::workflow::retry::after_429s;

/// Pages followed at most when listing, so a looping `nextLink` cannot spin forever.
const MAX_PAGES: usize = 200;

/// Why an operation failed: the API said no, or no token could be had.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OpError {
    /// The API answered with an error (after the 401 retry, if any).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No usable token.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl OpError {
    /// Whether only signing in again can fix it (in proxy mode, reloading the page through the
    /// portal's own sign-in): the panel asks for it.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            OpError::Auth(
                AuthError::SignInRequired(_) | AuthError::SignInAgain(_) | AuthError::PortalSession
            ) | OpError::Api(ApiError::Unauthorized(_))
        )
    }

    /// Whether a run waits on this file for a new sign-in, then sends it again.
    pub fn pauses_run(&self) -> bool {
        matches!(
            self,
            OpError::Auth(AuthError::SignInRequired(_) | AuthError::SignInAgain(_))
                | OpError::Api(ApiError::Unauthorized(_))
        )
    }

    /// Whether a run stops here: every other file would fail the same way (no permission, or
    /// a portal session that only reloading the page renews).
    pub fn ends_run(&self) -> bool {
        matches!(
            self,
            OpError::Api(ApiError::Forbidden(_)) | OpError::Auth(AuthError::PortalSession)
        )
    }

    /// `Some(Retry-After)` when the API answered 429 (`Some(None)`: without a readable one).
    pub fn rate_limited(&self) -> Option<Option<u64>> {
        match self {
            OpError::Api(ApiError::RateLimited { retry_after_ms, .. }) => Some(*retry_after_ms),
            _ => None,
        }
    }
}

/// The whole library as loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    /// Every entry that could be read, in the API's order.
    pub files: Vec<LibraryFile>,
    /// Entries left out because they could not be read.
    pub unreadable: usize,
}

/// The API client, the token source and the rate gate, bundled for the panel.
#[derive(Clone)]
pub struct LibraryService {
    api: LibraryApi,
    session: Session,
    gate: RateGate,
}

impl LibraryService {
    /// Bundles the three.
    pub fn new(api: LibraryApi, session: Session, gate: RateGate) -> Self {
        Self { api, session, gate }
    }

    /// Milliseconds `n` more calls need at the configured limits (a bulk run's estimate).
    pub fn eta_ms(&self, n: usize) -> u64 {
        self.gate.eta_ms(n)
    }

    /// The session, for sign-out and the account name.
    pub fn session(&self) -> &Session {
        &self.session
    }

    // One boxed, non-generic path for every call: the gate, token and retry logic is
    // compiled once instead of once per operation (size lead L53, bench/size-leads.md).
    fn call<'a>(
        &'a self,
        on_wait: &'a dyn Fn(Option<u64>),
        request: Request,
    ) -> LocalBoxFuture<'a, Result<Reply, OpError>> {
        Box::pin(async move {
            self.gate.acquire(on_wait).await;
            let token = match self.session.sends_token() {
                true => Some(self.session.access_token().await?),
                false => None,
            };
            match self.api.send(&request, token.as_deref()).await {
                Err(ApiError::Unauthorized(_)) => {
                    let rejected = token.as_deref().unwrap_or_default();
                    let fresh = self.session.after_unauthorized(rejected).await?;
                    self.gate.acquire(on_wait).await;
                    Ok(self.api.send(&request, Some(&fresh)).await?)
                }
                other => Ok(other?),
            }
        })
    }

    /// The whole library, following `@odata.nextLink`; every page passes the rate gate, and
    /// a page answered 429 is sent again after the wait (`on_retry` hears until when).
    pub async fn list(
        &self,
        clock: &dyn Clock,
        on_wait: &dyn Fn(Option<u64>),
        on_retry: &dyn Fn(Option<u64>),
    ) -> Result<Listing, OpError> {
        let mut url = self.api.list_url();
        let mut all = Listing::default();
        for _ in 0..MAX_PAGES {
            let page = || self.call(on_wait, Request::Page(url.clone()));
            let reply = after_429s(clock, OpError::rate_limited, on_retry, &page).await?;
            let Reply::Page(page) = reply else {
                return Err(ApiError::Body("unexpected reply".into()).into());
            };
            all.files.extend(page.value);
            all.unreadable += page.unreadable;
            match page.next_link {
                Some(next) if !next.is_empty() => url = self.api.next_page_url(&next)?,
                _ => return Ok(all),
            }
        }
        Err(ApiError::Body(format!(
            "more than {MAX_PAGES} pages; stopped following nextLink"
        ))
        .into())
    }

    /// Uploads one file through the rate gate, with the same token and 401 handling as every
    /// call; `on_progress` hears the bytes sent. The status answered and the entity, or
    /// `None` for an empty 200.
    pub async fn upload(
        &self,
        up: &crate::api::Upload,
        on_wait: &dyn Fn(Option<u64>),
        on_progress: &dyn Fn(u64, u64),
    ) -> Result<(u16, Option<LibraryFile>), OpError> {
        self.gate.acquire(on_wait).await;
        let token = match self.session.sends_token() {
            true => Some(self.session.access_token().await?),
            false => None,
        };
        match self.api.upload(up, token.as_deref(), on_progress).await {
            Err(ApiError::Unauthorized(_)) => {
                let rejected = token.as_deref().unwrap_or_default();
                let fresh = self.session.after_unauthorized(rejected).await?;
                self.gate.acquire(on_wait).await;
                Ok(self.api.upload(up, Some(&fresh), on_progress).await?)
            }
            other => Ok(other?),
        }
    }

    /// Deletes one file by name: the status of the 2xx answer.
    pub async fn delete(
        &self,
        file_name: &str,
        on_wait: &dyn Fn(Option<u64>),
    ) -> Result<u16, OpError> {
        match self
            .call(on_wait, Request::Delete(file_name.to_string()))
            .await?
        {
            Reply::Status(status) => Ok(status),
            Reply::Page(_) => Err(ApiError::Body("unexpected reply".into()).into()),
        }
    }
}
