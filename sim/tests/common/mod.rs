//! What every simulator test file needs: a simulator on an ephemeral loopback port with the
//! control surface on, and an HTTP client that shows redirects instead of following them.

use mde_sim::{spawn, Args, Running};
use reqwest::Client;

/// Starts the simulator with `--control` and `extra`.
pub async fn start(extra: &[&'static str]) -> Running {
    let mut flags = vec!["--port", "0", "--control"];
    flags.extend_from_slice(extra);
    spawn(Args::from_flags(flags))
        .await
        .expect("simulator starts")
}

/// A client that does not follow redirects.
pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
