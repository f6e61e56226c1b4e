//! The failures a first run against a real tenant meets, known by the AADSTS number Entra ID
//! gives them, each in words that name the fix. Composed only where the sign-in chunk handles
//! the provider's answer (`auth::protocol::{error_return, token_error}`), so none of this text
//! weighs on the first load.

/// A known first-run failure, by what must be done about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirstRun {
    /// AADSTS50011: the redirect URI the panel sent is not registered.
    RedirectUri,
    /// AADSTS9002326: the redirect URI is registered as "Web", so Entra refuses to redeem the
    /// code from a browser (cross-origin).
    NotSpa,
    /// AADSTS65001 or `consent_required`: nobody granted the app `Library.Manage`.
    Consent,
    /// AADSTS700084: a single-page app's refresh token lives 24 hours, then it is dead.
    SpaRefreshExpired,
    /// AADSTS50076: multi-factor authentication is required.
    Mfa,
    /// AADSTS50079: the account must register for multi-factor authentication.
    MfaEnroll,
}

impl FirstRun {
    /// The known failure an Entra error (`error`, its AADSTS number) is, if it is one.
    pub fn of(error: &str, aadsts: Option<u32>) -> Option<FirstRun> {
        Some(match aadsts {
            Some(50011) => FirstRun::RedirectUri,
            Some(9002326) => FirstRun::NotSpa,
            Some(65001) => FirstRun::Consent,
            Some(700084) => FirstRun::SpaRefreshExpired,
            Some(50076) => FirstRun::Mfa,
            Some(50079) => FirstRun::MfaEnroll,
            _ if error == "consent_required" => FirstRun::Consent,
            _ => return None,
        })
    }

    /// Whether signing in again is the fix (rather than a change to the app registration).
    pub fn sign_in_again(&self) -> bool {
        matches!(
            self,
            FirstRun::SpaRefreshExpired | FirstRun::Mfa | FirstRun::MfaEnroll
        )
    }

    /// What happened and what to do. `redirect_uri` is the one the panel sent; `code` is how
    /// the provider named the failure (`AADSTS50011`, or `consent_required` without a number).
    pub fn message(&self, redirect_uri: &str, code: &str) -> String {
        match self {
            FirstRun::RedirectUri => format!(
                "Microsoft Entra ID does not know the redirect URI {redirect_uri} for this app ({code}). \
                 An admin must add exactly {redirect_uri} to the app registration under \
                 Authentication, Single-page application (or set auth.redirectUri in config.json to a registered one)."
            ),
            FirstRun::NotSpa => format!(
                "The redirect URI {redirect_uri} is registered as \"Web\", not \"Single-page application\", \
                 so Microsoft Entra ID refuses to complete the sign-in in the browser ({code}). \
                 An admin must remove it from the Web platform and add it under Authentication, \
                 Single-page application."
            ),
            FirstRun::Consent => format!(
                "Admin consent is missing: this app may not use the Library.Manage permission yet ({code}). \
                 An admin must grant it (app registration, API permissions, WindowsDefenderATP \
                 Library.Manage, Grant admin consent); then sign in again."
            ),
            FirstRun::SpaRefreshExpired => format!(
                "Your sign-in is 24 hours old, the most Microsoft Entra ID allows a single-page app \
                 before it asks again ({code}). Sign in again."
            ),
            FirstRun::Mfa => format!(
                "Your organization requires multi-factor authentication for this ({code}). \
                 Sign in again and complete the verification."
            ),
            FirstRun::MfaEnroll => format!(
                "Your organization requires you to set up multi-factor authentication ({code}). \
                 Sign in again and set it up when asked."
            ),
        }
    }
}

/// The AADSTS number in an Entra `error_description` ("AADSTS50011: …"). Only the digits are
/// kept: the rest is free text (in the address bar, anyone's).
pub fn aadsts_number(description: &str) -> Option<u32> {
    let i = description.find("AADSTS")?;
    let digits: String = description[i + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    digits.parse().ok()
}

/// The code a message names: `AADSTS50011`, or the OAuth error when no number came.
pub fn code_label(error: &str, aadsts: Option<u32>) -> String {
    match aadsts {
        Some(n) => format!("AADSTS{n}"),
        None => error.to_string(),
    }
}

/// The words the sign-in section shows for a known failure.
pub fn first_run_text(error: &str, aadsts: Option<u32>, redirect_uri: &str) -> Option<String> {
    FirstRun::of(error, aadsts).map(|f| f.message(redirect_uri, &code_label(error, aadsts)))
}

/// The panel came back from the provider without an answer, its sign-in still pending: the
/// person went back from Microsoft's page. Entra shows AADSTS50011 on its own page (it will
/// not send anyone to an address it does not know), so this is where the panel can say it.
pub fn no_answer_text(redirect_uri: &str) -> String {
    format!(
        "The sign-in did not come back to the panel. If Microsoft's page said AADSTS50011, \
         the redirect URI is not registered: an admin must add exactly {redirect_uri} to the app \
         registration under Authentication, Single-page application."
    )
}

/// Under the popup's "Waiting for the sign-in window": the window itself is where Entra says
/// AADSTS50011, and it sends nothing back to the panel, so the fix is said before it is needed.
pub fn popup_error_text(redirect_uri: &str) -> String {
    format!(
        "If that window says AADSTS50011, the redirect URI is not registered: an admin must add \
         exactly {redirect_uri} to the app registration under Authentication, Single-page \
         application. Then Cancel and sign in again."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "https://portal.contoso.com/tools/mde-library/";

    fn text(error: &str, description: &str) -> String {
        first_run_text(error, aadsts_number(description), URI).expect("a known failure")
    }

    #[test]
    fn each_code_has_its_own_message() {
        let all = [
            text("invalid_request", "AADSTS50011: The redirect URI …"),
            text(
                "invalid_request",
                "AADSTS9002326: Cross-origin token redemption …",
            ),
            text(
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented",
            ),
            text(
                "invalid_grant",
                "AADSTS700084: The refresh token was issued to a SPA",
            ),
            text(
                "interaction_required",
                "AADSTS50076: Due to a configuration change",
            ),
            text(
                "interaction_required",
                "AADSTS50079: Due to a configuration change",
            ),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn the_redirect_uri_mismatch_names_the_uri_sent() {
        let t = text("invalid_request", "AADSTS50011: The redirect URI 'x' …");
        assert!(t.contains("(AADSTS50011)"), "{t}");
        assert!(t.contains(&format!("add exactly {URI} ")), "{t}");
        assert!(t.contains("Single-page application"), "{t}");
        assert!(no_answer_text(URI).contains(&format!("add exactly {URI} ")));
        assert!(no_answer_text(URI).contains("AADSTS50011"));
        assert!(popup_error_text(URI).contains(&format!("add exactly {URI} ")));
        assert!(popup_error_text(URI).starts_with("If that window says AADSTS50011,"));
    }

    #[test]
    fn a_web_registration_says_to_move_it_to_single_page_application() {
        let t = text("invalid_request", "AADSTS9002326: Cross-origin …");
        assert!(t.contains("registered as \"Web\""), "{t}");
        assert!(t.contains("(AADSTS9002326)"), "{t}");
        assert!(t.contains(URI), "{t}");
    }

    #[test]
    fn missing_consent_names_the_permission_and_who_grants_it() {
        let t = text("invalid_grant", "AADSTS65001: not consented");
        assert!(t.contains("Admin consent is missing"), "{t}");
        assert!(t.contains("Library.Manage"), "{t}");
        assert!(t.contains("(AADSTS65001)"), "{t}");
        // Without a number, the OAuth error is named.
        let bare = text("consent_required", "");
        assert!(bare.contains("(consent_required)"), "{bare}");
    }

    #[test]
    fn renewals_say_sign_in_again() {
        let expired = text("invalid_grant", "AADSTS700084: The refresh token …");
        assert!(expired.contains("24 hours"), "{expired}");
        assert!(expired.ends_with("Sign in again."), "{expired}");
        let mfa = text("interaction_required", "AADSTS50076: …");
        assert!(mfa.contains("multi-factor authentication"), "{mfa}");
        assert!(mfa.contains("Sign in again"), "{mfa}");
        let enroll = text("invalid_grant", "AADSTS50079: …");
        assert!(enroll.contains("set up multi-factor"), "{enroll}");
        for f in [
            FirstRun::SpaRefreshExpired,
            FirstRun::Mfa,
            FirstRun::MfaEnroll,
        ] {
            assert!(f.sign_in_again());
        }
        for f in [FirstRun::RedirectUri, FirstRun::NotSpa, FirstRun::Consent] {
            assert!(!f.sign_in_again());
        }
    }

    #[test]
    fn other_errors_are_not_first_run_failures() {
        assert_eq!(FirstRun::of("access_denied", Some(65004)), None);
        assert_eq!(FirstRun::of("invalid_grant", Some(700082)), None);
        assert_eq!(FirstRun::of("login_required", None), None);
    }

    #[test]
    fn only_the_number_is_read_from_a_description() {
        assert_eq!(aadsts_number("AADSTS50011: x"), Some(50011));
        assert_eq!(
            aadsts_number("text AADSTS9002326: Cross-origin"),
            Some(9002326)
        );
        assert_eq!(aadsts_number("AADSTS: none"), None);
        assert_eq!(aadsts_number("no code"), None);
        // More digits than any code: not a number we know.
        assert_eq!(aadsts_number("AADSTS99999999999999"), Some(999_999_999));
    }

    #[test]
    fn a_cors_refusal_points_to_the_proxy_and_a_delete_it_met_may_have_happened() {
        use crate::api::ApiError;
        use crate::service::OpError;
        use crate::workflow::FileOutcome;
        let cors = OpError::Api(ApiError::Cors);
        let why = crate::wording::reason(&cors);
        assert!(
            why.contains("(CORS)") && why.contains("proxy path"),
            "{why}"
        );
        assert_ne!(
            why,
            crate::wording::reason(&OpError::Api(ApiError::Network("x".into())))
        );
        // Refused on the way back, the DELETE may have been done: never "Nothing was removed".
        let (_, text) = crate::wording::file_outcome_text("a.ps1", &FileOutcome::Failed(cors));
        assert!(
            text.starts_with("No answer about deleting a.ps1: "),
            "{text}"
        );
        assert!(!text.contains("Nothing was removed"), "{text}");
    }

    #[test]
    fn no_message_holds_a_token_or_the_description() {
        let t = text("invalid_grant", "AADSTS700084: eyJhbGciOi secret words");
        assert!(!t.contains("eyJ") && !t.contains("secret"), "{t}");
    }
}
