//! How to sign in now: the decision behind **Sign in** and **Sign in again**, pure, so every
//! case is tested natively. The shell carries out what it says.

use crate::config::AuthConfig;

/// What a click on **Sign in** does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRoute {
    /// `proxy`: the portal's own sign-in renews its session; reload the page through it.
    Reload,
    /// `host`, `bridge`: the portal provides the tokens; ask it again.
    AskPortal,
    /// `pkce` in a frame: the provider's pages refuse to be framed, so a popup, opened in the
    /// click; discovery is read again first when it failed at load. The frame is never sent
    /// anywhere.
    Popup,
    /// `pkce` at the top, discovery failed at load: the page starts over and reads it again.
    StartOver,
    /// `pkce` at the top: the page goes to the provider and comes back.
    Redirect,
}

/// The route for **Sign in**.
pub fn route(auth: &AuthConfig, framed: bool, have_endpoints: bool) -> SignInRoute {
    match auth {
        AuthConfig::Proxy => SignInRoute::Reload,
        AuthConfig::Host | AuthConfig::Bridge { .. } => SignInRoute::AskPortal,
        AuthConfig::Pkce(_) if framed => SignInRoute::Popup,
        AuthConfig::Pkce(_) if !have_endpoints => SignInRoute::StartOver,
        AuthConfig::Pkce(_) => SignInRoute::Redirect,
    }
}

/// Whether **Sign in again** (a session that needs a new sign-in) keeps the page and renews
/// the session through a popup: with a bulk run on the page (it goes on where it stopped) or
/// in a frame. Otherwise it is [`route`]'s **Sign in**.
pub fn renews_in_popup(
    auth: &AuthConfig,
    signed_in: bool,
    run_active: bool,
    framed: bool,
    have_endpoints: bool,
) -> bool {
    matches!(auth, AuthConfig::Pkce(_)) && signed_in && have_endpoints && (run_active || framed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PkceConfig;

    fn pkce() -> AuthConfig {
        AuthConfig::Pkce(PkceConfig {
            authority: "https://login.microsoftonline.com/t/v2.0".into(),
            client_id: "c".into(),
            scopes: vec!["s".into()],
            redirect_uri: None,
        })
    }

    #[test]
    fn each_mode_signs_in_its_own_way() {
        let bridge = AuthConfig::Bridge {
            host_origin: "https://portal.example".into(),
        };
        assert_eq!(route(&AuthConfig::Proxy, true, true), SignInRoute::Reload);
        assert_eq!(
            route(&AuthConfig::Host, false, false),
            SignInRoute::AskPortal
        );
        assert_eq!(route(&bridge, true, false), SignInRoute::AskPortal);
        assert_eq!(route(&pkce(), false, true), SignInRoute::Redirect);
        assert_eq!(route(&pkce(), false, false), SignInRoute::StartOver);
    }

    #[test]
    fn a_framed_panel_never_navigates_its_frame() {
        // With or without discovery: the popup reads it again when it failed.
        assert_eq!(route(&pkce(), true, true), SignInRoute::Popup);
        assert_eq!(route(&pkce(), true, false), SignInRoute::Popup);
    }

    #[test]
    fn sign_in_again_keeps_the_page_for_a_run_or_in_a_frame() {
        assert!(renews_in_popup(&pkce(), true, true, false, true));
        assert!(renews_in_popup(&pkce(), true, false, true, true));
        assert!(!renews_in_popup(&pkce(), true, false, false, true));
        assert!(!renews_in_popup(&pkce(), false, true, true, true));
        assert!(!renews_in_popup(&pkce(), true, true, true, false));
        assert!(!renews_in_popup(&AuthConfig::Proxy, true, true, true, true));
    }
}
