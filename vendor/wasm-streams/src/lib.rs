//! The part of wasm-streams 0.5's API that Leptos's `server_fn` (its `browser` client, which
//! Leptos's `csr` feature turns on) names: `ReadableStream::{from_raw, from_stream, into_raw,
//! into_stream}`. The panel calls no server function, so none of this runs; the real crate's
//! `#[wasm_bindgen]` exports (its underlying sources and sinks) were linked into the first load
//! all the same, with their glue, since the main module exports its function table for the
//! chunks (size lead L74, `bench/size-leads.md`). The workspace's `[patch.crates-io]` puts this
//! crate in its place: should a Leptos upgrade name more of wasm-streams, the build fails
//! rather than quietly bringing the weight back.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use wasm_bindgen::JsValue;

/// The browser's stream, held as is.
pub struct ReadableStream(web_sys::ReadableStream);

impl ReadableStream {
    /// Wraps the browser's stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self(raw)
    }

    /// A streaming request body: never sent by this app. The stream is empty.
    pub fn from_stream<St>(_stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        Self(web_sys::ReadableStream::new().unwrap_or_else(|_| unreachable_stream()))
    }

    /// The browser's stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.0
    }

    /// A streaming response: never read by this app. Ends at once with an error that says so.
    pub fn into_stream(self) -> IntoStream {
        IntoStream(true)
    }
}

fn unreachable_stream() -> web_sys::ReadableStream {
    wasm_bindgen::JsCast::unchecked_into(JsValue::UNDEFINED)
}

/// A stream of one error: streaming server functions are not part of this build.
pub struct IntoStream(bool);

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(std::mem::take(&mut self.0).then(|| {
            Err(JsValue::from_str(
                "streaming server functions are not part of the mde-library-admin build",
            ))
        }))
    }
}
