//! JWTs the simulator issues and checks, signed RS256 with a fixed development key.
//!
//! The key is committed on purpose: the simulator only ever runs on loopback for demos and
//! tests, and a fixed key keeps tokens verifiable across restarts.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::state::{Account, Sim, ACCOUNTS};
use crate::util::now_s;
use std::sync::atomic::Ordering;

/// Audience of MDE API tokens, also on the newer API host.
pub const API_AUDIENCE: &str = "https://api.securitycenter.microsoft.com";
/// The permission the library calls need.
pub const LIBRARY_SCOPE: &str = "Library.Manage";

const PEM: &str = include_str!("dev-signing-key.pem");
// Modulus and exponent of PEM, base64url, for the JWKS (checked by a test below).
const N: &str = "q3RPc5Bg54m-p-XHWUIuspGArkoQ4mfnf7QO3WF16HAF3MFnosmtEtC6koEyy_CuEbjH1-2nkgGlE1WI9sAnfUDwX-LKqijQk7syVsWxzuHS16TTfK6CO73DBgmWSlhwEwNMt8OgJHwglgxrBVi3wxysYJkcy8K8tU4XeykvTGhJk7lZYipAroWW0_koj379WUx5rGGXrDIseTkOL4jAVGI_4d1lAc1hVZS5ivl67gJ7x1QM6YGl-hRHaE45tjzPMxCWCPZoAx3bQ9WjXTHMOg-uTcxaZVONB_40-lO9dVaMBwcedqzIockxicyUOUcxAAR8TQrXvGNH68-7kXDb4Q";
const E: &str = "AQAB";
const KID: &str = "mde-sim-dev-1";

/// The signing key pair and its JWKS description.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// Claims of an access token for the MDE API (v1 token shape, as the API receives).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Audience: the API's resource URI.
    pub aud: String,
    /// Issuer: the tenant's STS.
    pub iss: String,
    /// Issued at.
    pub iat: u64,
    /// Not before.
    pub nbf: u64,
    /// Expiry.
    pub exp: u64,
    /// Tenant id.
    pub tid: String,
    /// Client (application) id that asked for the token.
    pub azp: String,
    /// Same as `azp`, as v1 tokens carry it.
    pub appid: String,
    /// User object id.
    pub oid: String,
    /// User display name.
    pub name: String,
    /// User sign-in name.
    pub upn: String,
    /// Space-separated delegated permissions.
    pub scp: String,
}

/// Why an access token was refused; maps to 401 in the API.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    #[error("Authorization header is missing or is not a bearer token")]
    Missing,
    /// Past its `exp`.
    #[error("The access token has expired")]
    Expired,
    /// Issued for another resource.
    #[error("The access token audience is not valid for this API")]
    Audience,
    /// Bad signature or not a JWT.
    #[error("The access token is invalid")]
    Invalid,
}

impl Keys {
    /// The committed development key.
    pub fn dev() -> Self {
        Self {
            // The PEM is a compile-time constant checked by a test; failing here is a build bug.
            encoding: EncodingKey::from_rsa_pem(PEM.as_bytes()).expect("valid embedded key"),
            decoding: DecodingKey::from_rsa_components(N, E).expect("valid embedded modulus"),
        }
    }

    /// The JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID, "n": N, "e": E
        }]})
    }

    /// Signs any claims as an RS256 JWT carrying our `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KID.into());
        header.typ = Some("JWT".into());
        // Signing serialisable claims with a valid RSA key cannot fail.
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies signature, audience and expiry of an API access token.
    pub fn verify_access(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[API_AUDIENCE]);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "aud"]);
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidAudience => TokenError::Audience,
                _ => TokenError::Invalid,
            })
    }
}

/// Whether a space-separated `scp` claim holds the library permission.
pub fn has_library_scope(scp: &str) -> bool {
    scp.split(' ').any(|s| s == LIBRARY_SCOPE)
}

/// Scopes granted for the API out of a requested scope string, without the resource prefix.
pub fn api_scopes(requested: &str) -> Vec<String> {
    requested
        .split(' ')
        .filter_map(|s| {
            s.strip_prefix(API_AUDIENCE)
                .and_then(|s| s.strip_prefix('/'))
        })
        .filter(|s| !s.is_empty() && *s != ".default")
        .map(str::to_string)
        .chain(
            requested
                .split(' ')
                .any(|s| s == format!("{API_AUDIENCE}/.default"))
                .then(|| "Library.Manage".to_string()),
        )
        .collect()
}

/// Claims of the API access token the token endpoint issues to `account` for the requested
/// `scope` (the control surface mints the same for benchmarks that skip the sign-in page).
pub fn access_claims(sim: &Sim, account: &Account, client_id: &str, scope: &str) -> AccessClaims {
    let now = now_s();
    AccessClaims {
        aud: API_AUDIENCE.into(),
        iss: format!("https://sts.windows.net/{}/", sim.args.tenant),
        iat: now,
        nbf: now,
        exp: now + sim.args.access_token_lifetime,
        tid: sim.args.tenant.clone(),
        azp: client_id.into(),
        appid: client_id.into(),
        oid: account.oid.into(),
        name: account.name.into(),
        upn: account.upn.into(),
        scp: api_scopes(scope)
            .into_iter()
            .filter(|s| s != LIBRARY_SCOPE || !sim.without_library_scope.load(Ordering::Relaxed))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A signed API access token for `ACCOUNTS[account]` with the library permission, exactly as
/// the token endpoint issues one after a sign-in with the app's scope: what the portal backends
/// hand their pages and `POST /_sim/token` mints.
pub fn library_token(sim: &Sim, account: usize) -> String {
    let scope = format!("{API_AUDIENCE}/{LIBRARY_SCOPE}");
    let claims = access_claims(sim, &ACCOUNTS[account], &sim.args.client_id, &scope);
    sim.keys.sign(&claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(aud: &str, exp: u64, scp: &str) -> AccessClaims {
        AccessClaims {
            aud: aud.into(),
            iss: "x".into(),
            iat: 0,
            nbf: 0,
            exp,
            tid: "t".into(),
            azp: "c".into(),
            appid: "c".into(),
            oid: "o".into(),
            name: "n".into(),
            upn: "u".into(),
            scp: scp.into(),
        }
    }

    #[test]
    fn embedded_modulus_matches_the_private_key() {
        let k = Keys::dev();
        let t = k.sign(&claims(API_AUDIENCE, now_s() + 60, "Library.Manage"));
        assert_eq!(k.verify_access(&t).unwrap().scp, "Library.Manage");
    }

    #[test]
    fn rejects_audience_expiry_and_tampering() {
        let k = Keys::dev();
        let now = now_s();
        let wrong = k.sign(&claims("https://graph.microsoft.com", now + 60, "x"));
        assert_eq!(k.verify_access(&wrong).unwrap_err(), TokenError::Audience);
        let old = k.sign(&claims(API_AUDIENCE, now - 1, "x"));
        assert_eq!(k.verify_access(&old).unwrap_err(), TokenError::Expired);
        let t = k.sign(&claims(API_AUDIENCE, now + 60, "x"));
        let t = tamper_signature(&t);
        assert_eq!(k.verify_access(&t).unwrap_err(), TokenError::Invalid);
    }

    /// Flips one character well inside the signature, so every bit of it counts.
    pub fn tamper_signature(t: &str) -> String {
        let mut chars: Vec<char> = t.chars().collect();
        let i = chars.len() - 20;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect()
    }

    #[test]
    fn scope_matching_is_exact() {
        assert!(has_library_scope("Machine.Read Library.Manage"));
        assert!(!has_library_scope("Library.ManageX"));
    }

    #[test]
    fn api_scopes_strip_the_resource() {
        assert_eq!(
            api_scopes(
                "https://api.securitycenter.microsoft.com/Library.Manage openid offline_access"
            ),
            vec!["Library.Manage"]
        );
        assert!(api_scopes("openid profile").is_empty());
    }
}
