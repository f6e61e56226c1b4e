//! An apply's [`crate::workflow::FileCall`]: the plan's uploads through the upload run's call
//! ([`Uploads`]), its ticked removals through the service's `DELETE`, in one run.

use std::rc::Rc;

use crate::api::Upload;
use crate::names::NameMap;
use crate::workflow::{self, run::Kind};

use super::Uploads;

/// Hears a file's end, in the activity export's words.
pub type OnEnded = Rc<dyn Fn(&str, &'static str)>;

/// What applying a plan asks of the controller: what to send, and where each file's end goes.
#[derive(Clone)]
pub struct ApplyRequest {
    /// The new and changed files, in the plan's order.
    pub uploads: Vec<Upload>,
    /// The ticked removals: name and its SHA-256 in the library (for its record).
    pub removals: Vec<(String, String)>,
    /// Hears each file's end in the activity export's words (`uploaded`, `deleted`,
    /// `failed`, …), for the report.
    pub on_ended: OnEnded,
}

impl ApplyRequest {
    /// The same request for only these files (Retry failed).
    pub fn only(&self, names: &[String]) -> ApplyRequest {
        ApplyRequest {
            uploads: self
                .uploads
                .iter()
                .filter(|u| names.contains(&u.file_name))
                .cloned()
                .collect(),
            removals: self
                .removals
                .iter()
                .filter(|(n, _)| names.contains(n))
                .cloned()
                .collect(),
            on_ended: self.on_ended.clone(),
        }
    }

    /// Every name, in the order they are sent: uploads first, so a run that stops half-way
    /// has added before it removed.
    pub fn names(&self) -> Vec<String> {
        self.uploads
            .iter()
            .map(|u| u.file_name.clone())
            .chain(self.removals.iter().map(|(n, _)| n.clone()))
            .collect()
    }
}

/// The call of each file of an apply.
pub(super) struct ApplyCall {
    /// The uploads, as an upload run sends them.
    pub(super) uploads: Uploads,
    /// The removals, with their SHA-256.
    pub(super) removals: NameMap<String>,
}

impl workflow::FileCall for ApplyCall {
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> futures::future::LocalBoxFuture<'a, Result<u16, crate::service::OpError>> {
        if self.removals.contains(name) {
            Box::pin(self.uploads.svc.delete(name, on_budget))
        } else {
            self.uploads.call(name, on_budget)
        }
    }

    fn kind_of(&self, name: &str) -> Option<Kind> {
        Some(if self.removals.contains(name) {
            Kind::Delete
        } else {
            Kind::Upload
        })
    }
}
