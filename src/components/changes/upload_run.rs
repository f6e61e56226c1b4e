//! An upload run's [`crate::workflow::FileCall`]: each file sent with its progress in its
//! outcome line, its SHA-256 before and after kept for its record, the entity merged into the
//! list.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::{ApiError, Upload};
use crate::components::outcomes::Notice;
use crate::names::NameMap;
use crate::service::LibraryService;
use crate::wording::Tone;
use crate::workflow::{self};

use super::*;

/// An upload run's call for each file: sends it with its progress in its outcome line; the
/// entity the API answers joins the list.
pub(super) struct Uploads {
    pub(super) svc: LibraryService,
    pub(super) queue: Rc<Vec<Upload>>,
    pub(super) files: LoadedList,
    pub(super) outcomes: RwSignal<Vec<Notice>>,
    /// Each uploaded file's SHA-256 before and after, for its record.
    pub(super) shas: std::cell::RefCell<NameMap<(Option<String>, Option<String>)>>,
    /// An empty 200 came: the list is read again at the end.
    pub(super) reload: std::cell::Cell<bool>,
}

impl Uploads {
    /// The SHA-256 in the list now of the file of that name (the API's names ignore case).
    fn listed_sha(&self, name: &str) -> Option<String> {
        self.files.with_untracked(|f| {
            f.as_ref()?
                .0
                .iter()
                .find(|x| x.file_name.eq_ignore_ascii_case(name))
                .map(|x| x.sha256.clone())
        })
    }

    /// Before and after an upload of `name`; a failed one changed nothing.
    pub(super) fn shas(&self, name: &str) -> (Option<String>, Option<String>) {
        match self.shas.borrow().get(name) {
            Some(pair) => pair.clone(),
            None => (self.listed_sha(name), None),
        }
    }
}

impl workflow::FileCall for Uploads {
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> futures::future::LocalBoxFuture<'a, Result<u16, crate::service::OpError>> {
        Box::pin(async move {
            // The run's names are the queue's, so this finds it.
            let Some(up) = self.queue.iter().find(|u| u.file_name == name) else {
                return Err(ApiError::Body(format!("{name} is not in this upload")).into());
            };
            let on_progress = |sent: u64, total: u64| {
                if total > 0 && sent < total {
                    let text = format!("Uploading {name}: {}%", sent * 100 / total);
                    line(self.outcomes, name, Tone::Progress, text);
                }
            };
            let before = self.listed_sha(name);
            let (status, entity) = self.svc.upload(up, on_budget, &on_progress).await?;
            let after = entity.as_ref().map(|e| e.sha256.clone());
            match entity {
                // The entity joins the list in place of any file of that name.
                Some(entity) => self.files.update(|f| {
                    if let Some((list, _)) = f {
                        let mut next = list.as_ref().clone();
                        match next
                            .iter()
                            .position(|x| x.file_name.eq_ignore_ascii_case(&entity.file_name))
                        {
                            Some(i) => next[i] = entity,
                            None => next.push(entity),
                        }
                        *list = Arc::new(next);
                    }
                }),
                None => self.reload.set(true),
            }
            self.shas.borrow_mut().insert(name, (before, after));
            Ok(status)
        })
    }
}
