//! Where the access token comes from: one [`Session`] (the token source) for every mode.
//!
//! - `protocol`: the OAuth/OpenID rules, pure and unit-tested;
//! - `claims`: whether an access token carries `Library.Manage`, read as a hint only;
//! - `error`: [`AuthError`], what went wrong in words a person can act on;
//! - `provider`: the HTTP calls to the provider (discovery, token endpoint);
//! - `flow`: how to sign in now (redirect, popup, start over, ask the portal, reload), pure;
//! - `signin`: starting a sign-in and completing it when the browser comes back; sign-out,
//!   which reaches the panel's other tabs;
//! - `channel`: the `BroadcastChannel` the popup's answer and the sign-out travel on;
//! - `popup`: the sign-in popup (framed, or "Sign in again" mid-run), answered over a
//!   `BroadcastChannel` (Entra's COOP severs `window.opener`), and the redirect page's hand-back;
//! - `bridge`: tokens from the portal framing the panel (`bridge`), over `postMessage`;
//! - `host`: tokens from the page that mounted the panel (`host`), its `getToken`;
//! - `windows`: the on-demand chunk boundary of the popup, its hand-back and the bridge;
//! - `session`: the token source the API calls use: in-memory tokens with single-flight
//!   refresh (`pkce`), `mount()`'s `getToken` (`host`), the bridge, or none (`proxy`).

pub mod bridge;
pub mod channel;
pub mod claims;
pub mod error;
pub mod flow;
pub mod host;
pub mod popup;
pub mod protocol;
pub mod provider;
pub mod session;
pub mod signin;
pub mod windows;

pub use protocol::{AuthError, Endpoints, TokenSet};

/// A pending sign-in older than this is discarded (Entra codes live 10 minutes); a popup
/// sign-in is waited for as long.
pub const PENDING_MAX_AGE_MS: u64 = 15 * 60 * 1000;
pub use session::Session;
