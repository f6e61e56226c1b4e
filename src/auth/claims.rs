//! What an access token says about the library permission, read before anyone clicks.
//!
//! Only a hint: nothing here verifies the token (no signature, audience or expiry check; the
//! panel has no keys, and an API access token is not meant for it). The API decides every
//! call. So a token that cannot be read, or that says nothing about scopes, leaves every
//! control offered: the hint may only ever take away controls that could not work.

use crate::json::Json;

/// The delegated permission the library's three calls need (WindowsDefenderATP).
pub const LIBRARY_SCOPE: &str = "Library.Manage";

/// `Some(true)` when the JWT's `scp` holds `Library.Manage`, `Some(false)` when it holds
/// other scopes only, `None` when there is nothing to go by: not a JWT (an opaque token),
/// a payload that is not JSON, or no `scp` string (an application token has `roles`).
///
/// `exp` is not looked at: an expired token's scopes are still what the grant holds (a
/// refresh gets the same ones), and the API, not this hint, refuses an expired token.
pub fn has_library_scope(token: &str) -> Option<bool> {
    let mut parts = token.split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(p), Some(_), None) => p,
        _ => return None,
    };
    let bytes = crate::b64url::decode(payload)?;
    let claims = Json::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
    let scp = claims.get("scp")?.as_string()?;
    // Entra writes `Library.Manage`; a provider may write the whole scope URI.
    Some(
        scp.split(' ')
            .any(|s| s == LIBRARY_SCOPE || s.ends_with("/Library.Manage")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let part = |s: &str| crate::b64url::encode(s.as_bytes());
        format!(
            "{}.{}.c2lnbmF0dXJl",
            part(r#"{"alg":"RS256","typ":"JWT"}"#),
            part(payload)
        )
    }

    #[test]
    fn unreadable_tokens_give_no_hint() {
        for t in [
            "",
            "opaque-token-value",
            "a.b",
            "a.b.c.d",
            "e30.!!!.c2ln",
            &jwt("not json"),
            &jwt("[1,2]"),
        ] {
            assert_eq!(has_library_scope(t), None, "{t}");
        }
    }

    #[test]
    fn no_scp_says_nothing() {
        assert_eq!(has_library_scope(&jwt(r#"{"aud":"x","exp":1}"#)), None);
        // An application token: `roles`, no `scp`.
        assert_eq!(
            has_library_scope(&jwt(r#"{"roles":["Library.Manage"]}"#)),
            None
        );
        assert_eq!(has_library_scope(&jwt(r#"{"scp":5}"#)), None);
    }

    #[test]
    fn other_scopes_only_is_a_missing_scope() {
        assert_eq!(
            has_library_scope(&jwt(r#"{"scp":"Machine.Read Alert.Read.All"}"#)),
            Some(false)
        );
        assert_eq!(has_library_scope(&jwt(r#"{"scp":""}"#)), Some(false));
        assert_eq!(
            has_library_scope(&jwt(r#"{"scp":"Library.ManageX Library.Manag"}"#)),
            Some(false)
        );
    }

    #[test]
    fn library_manage_among_others_is_found() {
        for scp in [
            "Library.Manage",
            "Machine.Read Library.Manage Alert.Read",
            "https://api.securitycenter.microsoft.com/Library.Manage",
        ] {
            let t = jwt(&format!(r#"{{"scp":"{scp}","exp":4102444800}}"#));
            assert_eq!(has_library_scope(&t), Some(true), "{scp}");
        }
    }

    #[test]
    fn an_expired_token_is_still_read() {
        // exp in 2001: still only a hint; the API refuses the token, and a refresh brings the
        // same scopes.
        let with = jwt(r#"{"scp":"Library.Manage","exp":1000000000}"#);
        let without = jwt(r#"{"scp":"Machine.Read","exp":1000000000}"#);
        assert_eq!(has_library_scope(&with), Some(true));
        assert_eq!(has_library_scope(&without), Some(false));
    }
}
