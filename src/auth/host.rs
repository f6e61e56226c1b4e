//! Tokens from the page that mounted the panel (`auth.mode: "host"`): its `getToken`.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::protocol::is_valid_token;
use super::AuthError;

/// Asks the page that mounted the panel: `getToken({ forceRefresh })`, which returns (a
/// promise of) the access token string.
pub async fn token(get: &js_sys::Function, force_refresh: bool) -> Result<String, AuthError> {
    let fail = |s: &str| AuthError::Host(Some(s.to_string()));
    let opts = crate::window_messages::object(&[("forceRefresh", force_refresh.into())]);
    let value = get
        .call1(&wasm_bindgen::JsValue::UNDEFINED, &opts)
        .map_err(|_| fail("getToken threw"))?;
    let value = match value.dyn_into::<js_sys::Promise>() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(|_| fail("getToken rejected"))?,
        Err(v) => v,
    };
    let token = value
        .as_string()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| fail("getToken did not return a token string"))?;
    if !is_valid_token(&token) {
        return Err(fail("getToken returned a malformed token"));
    }
    Ok(token)
}
