//! The DOM side: components know the page, never HTTP.

pub mod app;
pub mod changes;
pub mod check_setup;
pub mod dialog;
pub mod dom;
pub mod hooks;
pub mod outcomes;
pub mod panel;
pub mod rows;
pub mod state;
pub mod table;
