//! The library API: `GET`, `POST` (multipart) and `DELETE /api/libraryfiles[/{fileName}]`,
//! also under `/api/v1.0/`, behind bearer checks, rate limits and (optional) CORS.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mde_wire::{is_valid_file_name, LibraryFile, ListEnvelope, MAX_UPLOAD_BYTES};
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::errors::ApiError;
use crate::state::{Sim, ACCOUNTS};
use crate::tokens::{has_library_scope, AccessClaims, TokenError};
use crate::util::{lock, mde_timestamp, now_ms};

/// Routes of the library API.
pub fn routes(sim: Arc<Sim>) -> Router {
    // Multipart needs room above 20 MB so the size rule answers instead of the framework.
    let mut inner = Router::new()
        .route(
            "/libraryfiles",
            get(list).post(upload).fallback(method_not_allowed),
        )
        .route(
            "/libraryfiles/{file_name}",
            axum::routing::delete(delete).fallback(method_not_allowed),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            crate::faults::inject_faults,
        ))
        .with_state(sim.clone());
    if !sim.args.no_cors {
        let mut expose = vec![HeaderName::from_static("x-request-id")];
        if !sim.args.hide_retry_after {
            expose.push(header::RETRY_AFTER);
        }
        inner = inner.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::mirror_request())
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
                .expose_headers(expose)
                .max_age(std::time::Duration::from_secs(600)),
        );
    }
    Router::new()
        .nest("/api/v1.0", inner.clone())
        .nest("/api", inner)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The requested resource does not exist",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "BadRequest",
        "The HTTP method is not supported for this resource",
    )
}

/// Runs the checks every call goes through, in the service's order: token, rate, permission.
/// What a call does to the library: reading needs any Defender role, changing needs the
/// role that manages security settings (live response "advanced").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Change,
}

fn authorize(sim: &Sim, headers: &HeaderMap, access: Access) -> Result<AccessClaims, ApiError> {
    let unauthorized =
        |e: TokenError| ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", e.to_string());
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(TokenError::Missing)
        .map_err(unauthorized)?;
    let claims = sim.keys.verify_access(token.trim()).map_err(unauthorized)?;
    if claims.tid != sim.args.tenant {
        return Err(unauthorized(TokenError::Invalid));
    }
    {
        let mut limiters = lock(&sim.limiters);
        let limiter = limiters
            .entry((claims.appid.clone(), claims.tid.clone()))
            .or_insert_with(|| sim.limiter());
        if let Err(wait_ms) = limiter.try_acquire(now_ms()) {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!(
                    "Rate limit is exceeded. Try again in {} seconds.",
                    wait_ms.div_ceil(1000)
                ),
            );
            e.retry_after = Some(wait_ms.div_ceil(1000).max(1));
            return Err(e);
        }
    }
    if !has_library_scope(&claims.scp) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The application does not have any of the required delegated permissions (Library.Manage)",
        ));
    }
    let account = ACCOUNTS.iter().find(|a| a.oid == claims.oid);
    let allowed = match access {
        Access::Read => account.is_some(),
        Access::Change => account.is_some_and(|a| a.library_role),
    };
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The user does not have a Defender role with the 'Manage security settings' permission",
        ));
    }
    Ok(claims)
}

async fn list(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    authorize(&sim, &headers, Access::Read)?;
    let skip = match query.get("$skip") {
        Some(v) => v.parse::<usize>().map_err(|_| {
            ApiError::bad_request("ODataError", format!("Invalid value for $skip: '{v}'"))
        })?,
        None => 0,
    };
    let page_size = *lock(&sim.page_size);
    let all = lock(&sim.library).list().to_vec();
    let (files, next_link) = match page_size {
        Some(n) => {
            let page: Vec<_> = all.iter().skip(skip).take(n).cloned().collect();
            let next = (skip + n < all.len())
                .then(|| format!("{}/api/libraryfiles?$skip={}", sim.api_base(), skip + n));
            (page, next)
        }
        None => (all, None),
    };
    let body = ListEnvelope {
        context: Some(format!("{}/api/$metadata#LibraryFiles", sim.api_base())),
        value: files,
        next_link,
    };
    Ok(Json(body).into_response())
}

async fn delete(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(file_name): Path<String>,
) -> Result<StatusCode, ApiError> {
    authorize(&sim, &headers, Access::Change)?;
    let removed = lock(&sim.library)
        .remove(&file_name, sim.args.case_insensitive_names)
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                e.to_string(),
            )
        })?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("File {file_name} was not found in the library"),
        ))
    }
}

/// The parts of an upload form, read before any rule is applied.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// The `file` part: its `filename=` and content.
    pub file: Option<(String, Vec<u8>)>,
    /// `Description`.
    pub description: Option<String>,
    /// `ParametersDescription`.
    pub parameters_description: Option<String>,
    /// `HasParameters`, as sent.
    pub has_parameters: Option<String>,
    /// `OverrideIfExists`, as sent.
    pub override_if_exists: Option<String>,
}

/// An upload that passed the documented rules; what the library then does with it depends
/// on what it already holds.
#[derive(Debug)]
pub struct CheckedUpload {
    /// The library name, from the `file` part's `filename=`.
    pub name: String,
    /// The content, at most 20 MB.
    pub content: Vec<u8>,
    /// `Description`, if not empty.
    pub description: Option<String>,
    /// `ParametersDescription`, if not empty.
    pub parameters_description: Option<String>,
    /// `HasParameters`.
    pub has_parameters: bool,
    /// `OverrideIfExists`.
    pub override_if_exists: bool,
}

async fn read_form(mut mp: Multipart) -> Result<UploadForm, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request(
            "InvalidRequestBody",
            format!("Malformed multipart body: {e}"),
        )
    };
    let mut form = UploadForm::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let fname = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                form.file = Some((fname, bytes.to_vec()));
            }
            "Description" => form.description = Some(field.text().await.map_err(bad)?),
            "ParametersDescription" => {
                form.parameters_description = Some(field.text().await.map_err(bad)?)
            }
            "HasParameters" => form.has_parameters = Some(field.text().await.map_err(bad)?),
            "OverrideIfExists" => form.override_if_exists = Some(field.text().await.map_err(bad)?),
            // Part names are case-sensitive; unknown parts are ignored like the service does.
            _ => {}
        }
    }
    Ok(form)
}

/// Reads an upload body as the endpoint does, `content_type` being the request's
/// `Content-Type` with its boundary: the multipart parser's entry point for the fuzz target
/// (`sim/fuzz`). Errors are the 400s the endpoint answers.
pub async fn parse_upload_form(content_type: &str, body: Vec<u8>) -> Result<UploadForm, ApiError> {
    use axum::extract::FromRequest;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .header(header::CONTENT_TYPE, content_type)
        .body(axum::body::Body::from(body))
        .map_err(|e| ApiError::bad_request("InvalidRequestBody", e.to_string()))?;
    let mp = Multipart::from_request(req, &()).await.map_err(|e| {
        ApiError::bad_request(
            "InvalidRequestBody",
            format!("Expected multipart/form-data: {e}"),
        )
    })?;
    read_form(mp).await
}

/// Applies the documented rules to a form: a `file` part, a valid name, 20 MB, booleans.
pub fn check_upload(form: UploadForm) -> Result<CheckedUpload, ApiError> {
    let (name, content) = form.file.ok_or_else(|| {
        ApiError::bad_request("MissingRequiredParameter", "The 'file' part is required")
    })?;
    if !is_valid_file_name(&name) {
        return Err(ApiError::bad_request(
            "InvalidInput",
            format!("File name '{name}' is invalid: use only letters, digits, '-', '_' and '.'"),
        ));
    }
    if content.len() > MAX_UPLOAD_BYTES {
        return Err(ApiError::bad_request(
            "InvalidInput",
            "File size exceeds the 20 MB limit",
        ));
    }
    Ok(CheckedUpload {
        has_parameters: parse_bool("HasParameters", form.has_parameters.as_deref())?,
        override_if_exists: parse_bool("OverrideIfExists", form.override_if_exists.as_deref())?,
        name,
        content,
        description: form.description.filter(|d| !d.is_empty()),
        parameters_description: form.parameters_description.filter(|d| !d.is_empty()),
    })
}

fn parse_bool(part: &str, v: Option<&str>) -> Result<bool, ApiError> {
    match v.map(str::trim) {
        None | Some("") => Ok(false),
        Some(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(s) => Err(ApiError::bad_request(
            "InvalidInput",
            format!("{part} must be true or false, not '{s}'"),
        )),
    }
}

async fn upload(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let claims = authorize(&sim, &headers, Access::Change)?;
    let mp = mp.map_err(|e| {
        ApiError::bad_request(
            "InvalidRequestBody",
            format!("Expected multipart/form-data: {e}"),
        )
    })?;
    let CheckedUpload {
        name,
        content,
        description,
        parameters_description,
        has_parameters,
        override_if_exists,
    } = check_upload(read_form(mp).await?)?;
    let ignore_case = sim.args.case_insensitive_names;
    let mut lib = lock(&sim.library);
    let existing = lib.get(&name, ignore_case).cloned();
    if existing.is_some() && !override_if_exists {
        return Err(ApiError::bad_request(
            "BadRequest",
            format!(
                "File {name} already exists in the library; set OverrideIfExists to replace it"
            ),
        ));
    }
    let now = mde_timestamp();
    let entity = LibraryFile {
        file_name: existing.as_ref().map_or(name, |e| e.file_name.clone()),
        sha256: hex_sha256(&content),
        description,
        creation_time: existing
            .as_ref()
            .map_or_else(|| now.clone(), |e| e.creation_time.clone()),
        last_updated_time: now,
        created_by: Some(claims.name.clone()),
        has_parameters,
        parameters_description,
    };
    lib.upsert(entity.clone(), ignore_case).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            e.to_string(),
        )
    })?;
    drop(lib);
    if sim.args.empty_upload_response {
        return Ok(StatusCode::OK.into_response());
    }
    let mut body = serde_json::to_value(&entity).unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            format!("{}/api/$metadata#LibraryFiles/$entity", sim.api_base()).into(),
        );
    }
    Ok(Json(body).into_response())
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
