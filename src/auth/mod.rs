//! Where the access token comes from: one [`Session`] (the token source) for every mode.
//!
//! - `protocol`: the OAuth/OpenID rules, pure and unit-tested;
//! - `provider`: the HTTP calls to the provider (discovery, token endpoint);
//! - `signin`: starting a sign-in and completing it when the browser comes back;
//! - `session`: the token source the API calls use: in-memory tokens with single-flight
//!   refresh (`pkce`), or the embedding page (`host`).

pub mod protocol;
pub mod provider;
pub mod session;
pub mod signin;

pub use protocol::{AuthError, Endpoints, TokenSet};
pub use session::Session;
