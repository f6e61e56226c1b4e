//! A simulator of the Defender for Endpoint live response library API and of an Entra ID
//! v2-shaped OpenID provider, for the demo and the tests of `mde-library-admin`.
//!
//! `spawn` starts it on a socket and hands back its address, so tests run it in-process on
//! an ephemeral loopback port; `main.rs` only parses flags and calls `serve`.

#![warn(missing_docs)]

pub mod api;
pub mod app_files;
pub mod control;
pub mod errors;
pub mod examples;
pub mod faults;
pub mod library;
pub mod oidc;
pub mod portal;
pub mod request_log;
pub mod security_headers;
pub mod state;
pub mod tokens;
pub mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use clap::Parser;
use mde_wire::RateLimit;
use tokio::net::TcpListener;

pub use state::Sim;

/// What `mde-sim --help` says the simulator is.
pub const ABOUT: &str =
    "Simulates the MDE live response library API and an Entra ID-like sign-in on loopback";

/// Command-line flags of the simulator.
#[derive(Parser, Debug, Clone)]
#[command(name = "mde-sim", about = ABOUT)]
pub struct Args {
    /// Address to bind; loopback unless you mean to expose it.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Tenant id used in the authority URL and in tokens.
    #[arg(long, default_value = "8b0f5e3c-2a41-4c6d-9e7f-1a2b3c4d5e6f")]
    pub tenant: String,
    /// Client id of the registered single-page app.
    #[arg(long, default_value = "3f9d2c1b-7a6e-4d5c-8b4a-0e1f2a3b4c5d")]
    pub client_id: String,
    /// Redirect URIs registered for the app (repeatable); default: the simulator's own `/`
    /// (as 127.0.0.1 and as localhost).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Folder of the built app to serve at `/` (Trunk's `dist`).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// JSON file with the initial library (an array of library file entities).
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// Folder where the library is persisted across restarts.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// API calls allowed per minute per (application, tenant).
    #[arg(long, default_value_t = RateLimit::DOCUMENTED.per_window)]
    pub per_minute: u32,
    /// API calls allowed per hour per (application, tenant).
    #[arg(long, default_value_t = RateLimit::DOCUMENTED.per_hour)]
    pub per_hour: u32,
    /// Length in seconds of the window `--per-minute` counts in (60 as the real API; a test
    /// shortens it to run a paced bulk delete in seconds). Served in config.json too.
    #[arg(long, default_value_t = RateLimit::DOCUMENTED.window_seconds)]
    pub window_seconds: u32,
    /// Turn off CORS on the library API (the real API's CORS behaviour is unknown).
    #[arg(long)]
    pub no_cors: bool,
    /// Do not list `Retry-After` in `Access-Control-Expose-Headers`.
    #[arg(long)]
    pub hide_retry_after: bool,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub access_token_lifetime: u64,
    /// Refresh token lifetime in seconds, fixed from sign-in (Entra: 24 h for SPAs).
    #[arg(long, default_value_t = 86_400)]
    pub refresh_token_lifetime: u64,
    /// Leave out the `Cross-Origin-Opener-Policy: same-origin` Entra ID sends on its sign-in
    /// pages (for comparison: with it, a sign-in popup loses its opener).
    #[arg(long)]
    pub no_coop: bool,
    /// Add the RFC 9207 `iss` parameter to authorization responses.
    #[arg(long)]
    pub send_iss: bool,
    /// Match file names ignoring case (the real service's behaviour is unknown).
    #[arg(long)]
    pub case_insensitive_names: bool,
    /// Answer uploads with an empty 200 body, as some tenants do.
    #[arg(long)]
    pub empty_upload_response: bool,
    /// Page the list: at most this many entries per response, with an `@odata.nextLink`
    /// (the real service is not known to page; the app must follow one if it does).
    #[arg(long)]
    pub page_size: Option<usize>,
    /// Enable the `/_sim` test control surface. Never on a shared host.
    #[arg(long)]
    pub control: bool,
    /// Also act as a portal backend under `/portal/` that keeps the token on the server and
    /// proxies the API for the panel's `proxy` mode.
    #[arg(long)]
    pub portal: bool,
    /// API base written into the served `config.json`; default: the simulator's own origin.
    #[arg(long)]
    pub api_base: Option<String>,
    /// Also serve the embedding examples (a portal page on another origin that frames or
    /// mounts the panel) on this port of the same host; 0 picks a free one.
    #[arg(long)]
    pub examples_port: Option<u16>,
    /// Folder of the embedding examples' pages.
    #[arg(long, default_value = "examples/portal")]
    pub examples_dir: PathBuf,
}

impl Args {
    /// Flags as if given on the command line, for tests.
    pub fn from_flags<I: IntoIterator<Item = &'static str>>(flags: I) -> Self {
        Args::parse_from(std::iter::once("mde-sim").chain(flags))
    }

    /// Like `from_flags`, but returns clap's error instead of exiting.
    pub fn try_parse_from_flags<I: IntoIterator<Item = &'static str>>(
        flags: I,
    ) -> Result<Self, clap::Error> {
        Args::try_parse_from(std::iter::once("mde-sim").chain(flags))
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The socket could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    /// The seed file is missing or not a JSON array of library files.
    #[error("seed file {0}: {1}")]
    Seed(String, String),
    /// The data folder cannot be read or written.
    #[error("data dir {0}: {1}")]
    DataDir(String, String),
    /// Something else in the flags is wrong.
    #[error("{0}")]
    Flags(String),
}

/// A running simulator.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Where the embedding examples listen (`--examples-port`).
    pub examples_addr: Option<SocketAddr>,
    /// Its shared state, for in-process inspection.
    pub sim: Arc<Sim>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Base URL such as `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Origin of the embedding examples, such as `http://127.0.0.1:41235`, when they are on.
    pub fn examples_url(&self) -> Option<String> {
        self.examples_addr.map(|a| format!("http://{a}"))
    }

    /// The examples on another site than the panel (`http://localhost:…`), when bound to
    /// 127.0.0.1.
    pub fn examples_cross_site_url(&self) -> Option<String> {
        self.sim.examples_cross_site_origin.clone()
    }

    /// Stops serving and waits until the sockets are closed.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Everything the simulator answers, as one router.
pub fn router(sim: Arc<Sim>) -> Router {
    let api = api::routes(sim.clone());
    let oidc = oidc::routes(sim.clone());
    let mut app = Router::new()
        .merge(api)
        .merge(oidc)
        .merge(app_files::routes(sim.clone()));
    // Surfaces that are off answer a plain 404, not the app page (the fallback for unknown
    // paths), so nobody mistakes them for working.
    let off = |app: Router, prefix: &str| {
        let not_found = || async { axum::http::StatusCode::NOT_FOUND };
        app.route(&format!("{prefix}/"), axum::routing::any(not_found))
            .nest(prefix, Router::new().fallback(not_found))
    };
    app = if sim.args.portal {
        app.merge(portal::routes(sim.clone()))
    } else {
        off(app, "/portal")
    };
    app = if sim.examples_origin.is_some() {
        app.merge(examples::bridge_routes(sim.clone()))
    } else {
        off(app, "/bridge")
    };
    app = if sim.args.control {
        app.nest("/_sim", control::routes(sim.clone()))
    } else {
        off(app, "/_sim")
    };
    app.layer(axum::middleware::from_fn_with_state(
        sim.clone(),
        faults::refuse_cors,
    ))
    .layer(axum::middleware::from_fn_with_state(
        sim,
        request_log::log_requests,
    ))
}

/// Binds, builds the state and serves in the background.
pub async fn spawn(args: Args) -> Result<Running, StartError> {
    let listener = TcpListener::bind((args.host, args.port))
        .await
        .map_err(|e| StartError::Bind(format!("{}:{}", args.host, args.port), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Bind(args.host.to_string(), e))?;
    let examples = match args.examples_port {
        Some(port) => {
            if !args.examples_dir.is_dir() {
                return Err(StartError::Flags(format!(
                    "--examples-dir {}: not a folder (run from the repository root or pass \
                     --examples-dir)",
                    args.examples_dir.display()
                )));
            }
            let l = TcpListener::bind((args.host, port))
                .await
                .map_err(|e| StartError::Bind(format!("{}:{port}", args.host), e))?;
            let a = l
                .local_addr()
                .map_err(|e| StartError::Bind(args.host.to_string(), e))?;
            Some((l, a))
        }
        None => None,
    };
    let mut sim = Sim::new(args, addr)?;
    sim.examples_origin = examples.as_ref().map(|(_, a)| format!("http://{a}"));
    // `localhost` reaches the same socket as 127.0.0.1 but is another site.
    if sim.args.host == std::net::IpAddr::from([127, 0, 0, 1]) {
        sim.examples_cross_site_origin = examples
            .as_ref()
            .map(|(_, a)| format!("http://localhost:{}", a.port()));
    }
    let sim = Arc::new(sim);
    let app = router(sim.clone());
    let mut tasks = vec![tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })];
    let examples_addr = examples.as_ref().map(|(_, a)| *a);
    if let Some((l, _)) = examples {
        let app = examples::routes(sim.clone());
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        }));
    }
    Ok(Running {
        addr,
        examples_addr,
        sim,
        tasks,
    })
}
