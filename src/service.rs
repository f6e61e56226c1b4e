//! Library operations as the panel sees them: each call passes the rate gate, carries a
//! fresh token, and on a 401 is retried once after a single-flight refresh.

use std::future::Future;

use mde_wire::LibraryFile;

use crate::api::{ApiError, LibraryApi};
use crate::oauth::AuthError;
use crate::rate::RateGate;
use crate::session::Session;

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

    /// The session, for sign-out and the account name.
    pub fn session(&self) -> &Session {
        &self.session
    }

    async fn call<T, F, Fut>(&self, on_wait: &dyn Fn(Option<u64>), op: F) -> Result<T, OpError>
    where
        F: Fn(LibraryApi, String) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.gate.acquire(on_wait).await;
        let token = self.session.access_token().await?;
        match op(self.api.clone(), token.clone()).await {
            Err(ApiError::Unauthorized(_)) => {
                let fresh = self.session.after_unauthorized(&token).await?;
                self.gate.acquire(on_wait).await;
                Ok(op(self.api.clone(), fresh).await?)
            }
            other => Ok(other?),
        }
    }

    /// The whole library, following `@odata.nextLink`; every page passes the rate gate.
    pub async fn list(&self, on_wait: &dyn Fn(Option<u64>)) -> Result<Vec<LibraryFile>, OpError> {
        let mut url = self.api.list_url();
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let page_url = url.clone();
            let page = self
                .call(on_wait, move |api, token| {
                    let page_url = page_url.clone();
                    async move { api.list_page(&page_url, &token).await }
                })
                .await?;
            all.extend(page.value);
            match page.next_link {
                Some(next) if !next.is_empty() => url = next,
                _ => return Ok(all),
            }
        }
        Err(ApiError::Body(format!(
            "more than {MAX_PAGES} pages; stopped following nextLink"
        ))
        .into())
    }

    /// Deletes one file by name.
    pub async fn delete(
        &self,
        file_name: &str,
        on_wait: &dyn Fn(Option<u64>),
    ) -> Result<(), OpError> {
        let name = file_name.to_string();
        self.call(on_wait, move |api, token| {
            let name = name.clone();
            async move { api.delete(&name, &token).await }
        })
        .await
    }
}
