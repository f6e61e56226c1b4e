//! `mde-library-admin`: a Leptos panel to manage the Microsoft Defender for Endpoint live
//! response library. `main.rs` only calls [`embed::start_page`]; everything lives here so
//! tests can import it.

#![warn(missing_docs)]

pub mod activity;
pub mod api;
pub mod auth;
pub mod b64url;
pub mod browser;
pub mod clock;

pub mod components;
pub mod config;
pub mod embed;
pub mod http;
pub mod js;
pub mod json;
pub mod listing;
pub mod names;
pub mod perf;
pub mod rate;
pub mod service;
pub mod setup;
pub mod sync;
pub mod tasks;
pub mod upload;
pub mod url;
pub mod window_messages;
pub mod wording;
pub mod workflow;

pub use components::app::App;
