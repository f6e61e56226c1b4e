//! Why signing in or refreshing failed: one error type for every token source, its words
//! written for what a person can do next.

use super::PENDING_MAX_AGE_MS;
use crate::browser::BrowserError;

/// Why signing in or refreshing failed, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Discovery failed or returned something unusable.
    #[error("Could not read the sign-in configuration at {url}: {reason}")]
    Discovery {
        /// Discovery URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The `state` returned does not match the one sent (possible forgery).
    #[error("The sign-in response did not match the request (state mismatch). Sign in again.")]
    StateMismatch,
    /// RFC 9207 `iss` differs from the discovered issuer (possible mix-up attack).
    #[error("The sign-in response came from an unexpected issuer ({0}). Sign in again.")]
    IssuerMismatch(String),
    /// RFC 9207 `iss` is missing though discovery says the provider always sends it.
    #[error("The sign-in response did not name its issuer, which this sign-in service always does. Sign in again.")]
    IssuerMissing,
    /// The ID token's nonce does not match, or no ID token came to check it in.
    #[error(
        "The ID token did not match this sign-in (nonce mismatch or no ID token). Sign in again."
    )]
    NonceMismatch,
    /// A code arrived but no sign-in was started in this tab (or it expired).
    #[error("No sign-in was in progress in this tab, or it took too long. Sign in again.")]
    NoPendingSignIn,
    /// The provider returned `error=` to the redirect URI for this tab's sign-in. Only the
    /// error code and the AADSTS number are kept: the description is free text from the
    /// address bar, which anyone can put there.
    #[error("Sign-in was not completed: {error}{aadsts}.")]
    Denied {
        /// OAuth error code, such as `access_denied` (letters and `_` only).
        error: String,
        /// ` (AADSTS65004)`, or empty.
        aadsts: String,
    },
    /// "Sign in again" came back with another account than the session's: refused, so a
    /// waiting run never goes on as someone else under the first person's name.
    #[error("That was another account ({other}). This session is {this}'s: sign in again as {this}, or sign out to switch accounts.")]
    OtherAccount {
        /// The session's account, by name.
        this: String,
        /// The account that signed in, by name.
        other: String,
    },
    /// A first-run failure Entra ID named by its AADSTS number (redirect URI, platform,
    /// consent), in words that say the fix (`wording::first_run`). The words are composed in
    /// the sign-in chunk, where the answer is read, so they do not weigh on the first load.
    #[error("{0}")]
    FirstRun(String),
    /// As [`AuthError::SignInRequired`], for a reason Entra ID named (multi-factor
    /// authentication, the 24-hour refresh token of a single-page app), in first-run words.
    #[error("{0}")]
    SignInAgain(String),
    /// The session cannot be renewed silently; a new interactive sign-in is needed.
    #[error("Your sign-in has expired. Sign in again. ({0})")]
    SignInRequired(String),
    /// The token endpoint refused for another reason.
    #[error("The sign-in service refused: {error}. {description}")]
    Token {
        /// OAuth error code.
        error: String,
        /// The provider's description.
        description: String,
    },
    /// The provider could not be reached or answered garbage.
    #[error("The sign-in service could not be reached: {0}")]
    Network(String),
    /// `proxy` mode: the portal's backend answered 401, so its session cookie is gone.
    #[error("Your portal session has expired. Reload the page to sign in to the portal again.")]
    PortalSession,
    /// The embedding portal gave no token (no answer in time, an error, or a bad token);
    /// the portal's own words when it sent some.
    #[error("The portal did not provide a sign-in token.{}", portal_words(.0))]
    Host(Option<String>),
    /// The browser blocked the sign-in popup (the panel is in a frame).
    #[error("The sign-in window was blocked. Allow pop-ups for this page, then try again.")]
    PopupBlocked,
    /// The sign-in window gave no answer while its sign-in could still be completed.
    #[error("The sign-in window did not answer within {} minutes. Sign in again.", PENDING_MAX_AGE_MS / 60_000)]
    PopupTimedOut,
    /// The popup sign-in's code (a wasm chunk) could not be loaded.
    #[error("Part of the panel did not load. Check the connection and sign in again.")]
    SignInUnavailable,
    /// No `BroadcastChannel` to carry the popup's answer, or a frame of another site.
    #[error(
        "This browser cannot sign in through a window here. Open the panel in a tab of its own."
    )]
    PopupUnsupported,
    /// `sessionStorage` is refused (blocked site data, or a frame of another site).
    #[error("This browser blocks session storage here, which signing in needs. Allow this site to store data, or open the panel in a tab of its own.")]
    StorageBlocked,
    /// A browser API failed.
    #[error("{0}")]
    Browser(#[from] BrowserError),
}

fn portal_words(words: &Option<String>) -> String {
    words
        .as_ref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default()
}
