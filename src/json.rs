//! Reading JSON. The app parses with the browser's `JSON.parse` and reads fields by name:
//! serde_json's parser plus per-type deserializers took a large share of the first-load
//! budget (size lead L46, bench/size-leads.md) for a handful of small documents. Native
//! builds (unit tests, benchmarks) read through `serde_json::Value`, so every reader is tested
//! natively.

/// A JSON document that could not be parsed; the text is the parser's own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// `target[key]` when `key` is `target`'s own member. `Reflect.get` alone walks the prototype
/// chain: in mount mode the panel shares the portal's realm, where a polluted
/// `Object.prototype` would fill members a document or a window message left out (an
/// `@odata.nextLink` the token would be sent to, a message `type`).
pub fn own(target: &wasm_bindgen::JsValue, key: &str) -> Option<wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let object = target.dyn_ref::<js_sys::Object>()?;
    let key = wasm_bindgen::JsValue::from_str(key);
    js_sys::Object::has_own(object, &key)
        .then(|| js_sys::Reflect::get(target, &key).ok())
        .flatten()
}

/// A parsed JSON value.
#[derive(Clone, Debug)]
pub struct Json(Inner);

#[cfg(target_arch = "wasm32")]
type Inner = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
type Inner = serde_json::Value;

impl Json {
    /// Parses a JSON text.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            js_sys::JSON::parse(text).map(Json).map_err(|e| {
                JsonError(
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .unwrap_or_else(|| "not JSON".into()),
                )
            })
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            serde_json::from_str(text)
                .map(Json)
                .map_err(|e| JsonError(e.to_string()))
        }
    }

    /// Whether this is an object (not null, not an array).
    pub fn is_object(&self) -> bool {
        #[cfg(target_arch = "wasm32")]
        {
            self.0.is_object() && !js_sys::Array::is_array(&self.0)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.is_object()
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    /// The member `key` of an object; `None` when absent (or when this is no object).
    pub fn get(&self, key: &str) -> Option<Json> {
        if !self.is_object() {
            return None;
        }
        #[cfg(target_arch = "wasm32")]
        {
            own(&self.0, key).filter(|v| !v.is_undefined()).map(Json)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.get(key).cloned().map(Json)
        }
    }

    /// The string, if this is one and valid Unicode. A JavaScript string may hold an
    /// unpaired surrogate, which Rust would turn into U+FFFD: a file name read that way
    /// would name another file, so such a string is not read at all.
    pub fn as_string(&self) -> Option<String> {
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            self.0
                .dyn_ref::<js_sys::JsString>()
                .filter(|s| s.is_valid_utf16())
                .map(String::from)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.as_str().map(str::to_string)
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        #[cfg(target_arch = "wasm32")]
        {
            self.0.as_bool()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.as_bool()
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        #[cfg(target_arch = "wasm32")]
        {
            self.0.as_f64()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0.as_f64()
        }
    }

    /// The elements, if this is an array.
    pub fn items(&self) -> Option<Vec<Json>> {
        #[cfg(target_arch = "wasm32")]
        {
            js_sys::Array::is_array(&self.0)
                .then(|| js_sys::Array::from(&self.0).iter().map(Json).collect())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0
                .as_array()
                .map(|a| a.iter().cloned().map(Json).collect())
        }
    }

    /// The names of an object's own members (in no promised order); empty for anything else.
    pub fn keys(&self) -> Vec<String> {
        if !self.is_object() {
            return Vec::new();
        }
        #[cfg(target_arch = "wasm32")]
        {
            use wasm_bindgen::JsCast;
            self.0
                .dyn_ref::<js_sys::Object>()
                .map(|o| {
                    js_sys::Object::keys(o)
                        .iter()
                        .filter_map(|k| k.as_string())
                        .collect()
                })
                .unwrap_or_default()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.0
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        }
    }

    /// Member `key` as a string: `Err` names the key when it is absent or of another type.
    pub fn string(&self, key: &str) -> Result<String, String> {
        match self.get(key) {
            None => Err(format!("\"{key}\" is missing")),
            Some(v) => v
                .as_string()
                .ok_or_else(|| format!("\"{key}\" must be a string")),
        }
    }

    /// Member `key` read by `read`: absent or `null` is `None`; another type is an error
    /// saying the member `must be {what}`.
    fn optional<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Json) -> Option<T>,
        what: &str,
    ) -> Result<Option<T>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => read(&v)
                .map(Some)
                .ok_or_else(|| format!("\"{key}\" must be {what}")),
        }
    }

    /// Member `key` as an optional string: absent or `null` is `None`.
    pub fn opt_string(&self, key: &str) -> Result<Option<String>, String> {
        self.optional(key, Json::as_string, "a string or null")
    }

    /// Member `key` as an optional boolean: absent or `null` is `None`.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, String> {
        self.optional(key, Json::as_bool, "true or false")
    }

    /// Member `key` as an optional whole number ≥ 0: absent or `null` is `None`.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, String> {
        let whole = |v: &Json| {
            v.as_f64()
                .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= 9.0e15)
                .map(|n| n as u64)
        };
        self.optional(key, whole, "a whole number")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_by_type() {
        let j =
            Json::parse(r#"{"s":"x","n":null,"b":true,"u":12,"f":1.5,"a":[1,2],"o":{}}"#).unwrap();
        assert!(j.is_object());
        assert_eq!(j.string("s").unwrap(), "x");
        assert_eq!(j.string("missing").unwrap_err(), "\"missing\" is missing");
        assert_eq!(j.string("b").unwrap_err(), "\"b\" must be a string");
        assert_eq!(j.opt_string("n").unwrap(), None);
        assert_eq!(j.opt_string("missing").unwrap(), None);
        assert_eq!(j.opt_bool("b").unwrap(), Some(true));
        assert_eq!(j.opt_u64("u").unwrap(), Some(12));
        assert!(j.opt_u64("f").is_err());
        assert_eq!(j.get("a").unwrap().items().unwrap().len(), 2);
        assert!(!j.get("a").unwrap().is_object());
        assert!(j.get("o").unwrap().is_object());
        assert!(Json::parse("{ nope").is_err());
        assert!(Json::parse("[1]").unwrap().get("x").is_none());
    }
}
