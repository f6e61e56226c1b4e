//! Components in headless Chromium: the table from fixture JSON, the confirmation dialog,
//! the live regions, and the browser crypto the sign-in relies on.
#![cfg(target_arch = "wasm32")]

use mde_library_admin::names::NameMap;
use mde_library_admin::workflow::{Cancel, FileOutcome, FileState};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos::task::tick;
use mde_library_admin::browser;
use mde_library_admin::components::dialog::ConfirmDelete;
use mde_library_admin::components::outcomes::{announce, Notice, Outcomes};
use mde_library_admin::components::table::LibraryTable;
use mde_library_admin::listing::{Selection, Sort};
use mde_library_admin::wording::Tone;
use mde_wire::LibraryFile;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = r#"{
  "@odata.context": "https://api.security.microsoft.com/api/$metadata#LibraryFiles",
  "value": [
    { "fileName": "Collect-Triage.ps1", "sha256": "6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf",
      "description": "Collects triage", "creationTime": "2026-01-02T10:54:23.2009016Z",
      "lastUpdatedTime": "2026-02-03T10:54:23.2009016Z", "createdBy": "Jonathan Glass",
      "hasParameters": true, "parametersDescription": "-OutDir <path>" },
    { "fileName": "linux_quarantine.sh", "sha256": "aa", "description": null,
      "creationTime": "2026-01-01T00:00:00.0000000Z", "lastUpdatedTime": "2026-01-01T00:00:00.0000000Z",
      "createdBy": "Marco Rossi", "hasParameters": false, "futureField": 42 },
    { "fileName": "xss.ps1", "sha256": "bb", "description": "<img src=x onerror=\"window.__pwned=1\">",
      "creationTime": "2026-01-01T00:00:00.0000000Z", "lastUpdatedTime": "2026-01-01T00:00:00.0000000Z",
      "createdBy": "<b>Mallory</b>", "hasParameters": false, "parametersDescription": null }
  ]
}"#;

fn fixture() -> Arc<Vec<LibraryFile>> {
    // Read as the app reads API answers: JSON.parse in the browser.
    let env = mde_library_admin::api::read_list(FIXTURE).expect("fixture parses");
    Arc::new(env.value)
}

fn container() -> web_sys::HtmlElement {
    let doc = document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn text(el: &web_sys::Element) -> String {
    el.text_content().unwrap_or_default()
}

fn button_named(root: &web_sys::Element, label: &str) -> web_sys::HtmlElement {
    let list = root.query_selector_all("button").unwrap();
    for i in 0..list.length() {
        let b: web_sys::Element = list.item(i).unwrap().unchecked_into();
        let name = b
            .get_attribute("aria-label")
            .unwrap_or_else(|| text(&b).trim().to_string());
        if name == label {
            return b.unchecked_into();
        }
    }
    panic!("no button named {label:?} in {}", root.inner_html());
}

#[wasm_bindgen_test]
async fn table_renders_fixture_rows_as_text() {
    let root = container();
    let states = RwSignal::new(NameMap::<FileState>::default());
    let confirm = RwSignal::new(None::<LibraryFile>);
    let filter = RwSignal::new(String::new());
    let selection = RwSignal::new(Selection::default());
    let files = fixture();
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <LibraryTable files=files.clone() filter=filter sort=RwSignal::new(Sort::default())
                states=states confirm=confirm selection=selection/>
        }
    });
    tick().await;
    let body = text(&root);
    assert!(body.contains("3 files"), "{body}");
    assert!(body.contains("Collect-Triage.ps1") && body.contains("Yes: -OutDir <path>"));
    assert!(body.contains("6e212a0d"), "short sha shown");
    // API text is text: the markup shows literally and nothing ran.
    assert!(body.contains("<img src=x onerror=\"window.__pwned=1\">"));
    assert!(body.contains("<b>Mallory</b>"));
    assert!(root.query_selector("tbody img").unwrap().is_none());
    assert!(js_sys::Reflect::get(&window(), &"__pwned".into())
        .unwrap()
        .is_undefined());
    // Local time shown, full UTC on hover.
    let time = root
        .query_selector("time[datetime='2026-02-03T10:54:23.2009016Z']")
        .unwrap()
        .unwrap();
    assert_eq!(
        time.get_attribute("title").as_deref(),
        Some("2026-02-03T10:54:23.2009016Z (UTC)")
    );

    // Filtering is case-insensitive over name, description, creator.
    filter.set("MARCO".into());
    tick().await;
    let body = text(&root);
    assert!(body.contains("Showing 1 of 3 files"), "{body}");
    assert!(body.contains("linux_quarantine.sh") && !body.contains("Collect-Triage.ps1"));

    // A deleted name disappears without a reload.
    filter.set(String::new());
    states.update(|s| s.insert("xss.ps1", FileState::Done(FileOutcome::Deleted)));
    tick().await;
    assert!(!text(&root).contains("xss.ps1"));

    // The row button is named for its file and asks for confirmation.
    button_named(&root, "Delete Collect-Triage.ps1").click();
    tick().await;
    assert_eq!(
        confirm.get_untracked().map(|f| f.file_name).as_deref(),
        Some("Collect-Triage.ps1")
    );

    // Ticking a row selects its file; "Select all shown" the rest of the rows shown.
    let checkbox = |label: &str| -> web_sys::HtmlInputElement {
        root.query_selector(&format!("input[aria-label='{label}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("no checkbox {label:?}"))
            .unchecked_into()
    };
    checkbox("Select Collect-Triage.ps1").click();
    tick().await;
    assert_eq!(selection.with_untracked(Selection::len), 1);
    assert!(checkbox("Select Collect-Triage.ps1").checked());
    assert!(!checkbox("Select all shown").checked());
    checkbox("Select all shown").click();
    tick().await;
    // Two rows shown (xss.ps1 was deleted), both selected.
    assert_eq!(selection.with_untracked(Selection::len), 2);
    assert!(checkbox("Select all shown").checked());
    checkbox("Select all shown").click();
    tick().await;
    assert!(selection.with_untracked(Selection::is_empty));
}

#[wasm_bindgen_test]
async fn dialog_names_file_and_hash_and_confirms_or_cancels() {
    let root = container();
    let target = RwSignal::new(None::<LibraryFile>);
    let confirmed = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = confirmed.clone();
    let _h = leptos::mount::mount_to(root.clone(), move || {
        let seen = seen.clone();
        let on_confirm =
            UnsyncCallback::new(move |f: LibraryFile| seen.borrow_mut().push(f.file_name));
        view! { <ConfirmDelete target=target on_confirm=on_confirm/> }
    });
    tick().await;
    let dialog: web_sys::HtmlDialogElement = root
        .query_selector("dialog")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(!dialog.open());

    target.set(Some(fixture()[0].clone()));
    tick().await;
    assert!(dialog.open(), "opens as a modal");
    let t = text(&dialog);
    assert!(t.contains("Delete Collect-Triage.ps1?"), "{t}");
    assert!(t.contains("6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf"));
    assert!(t.contains("cannot be undone"));

    button_named(&dialog, "Cancel").click();
    tick().await;
    assert!(!dialog.open());
    assert!(confirmed.borrow().is_empty());

    target.set(Some(fixture()[1].clone()));
    tick().await;
    button_named(&dialog, "Delete").click();
    tick().await;
    assert!(!dialog.open());
    assert_eq!(*confirmed.borrow(), vec!["linux_quarantine.sh".to_string()]);
    assert!(target.get_untracked().is_none());
}

#[wasm_bindgen_test]
async fn outcomes_go_to_status_or_alert_and_replace_per_file() {
    let root = container();
    let outcomes = RwSignal::new(Vec::<Notice>::new());
    let cancel = Cancel::default();
    let states = RwSignal::new(NameMap::<FileState>::default());
    states.update(|s| {
        s.insert(
            "a.ps1",
            FileState::Waiting {
                seconds_left: 2,
                cancel: cancel.clone(),
            },
        )
    });
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! { <Outcomes outcomes=outcomes states=states budget_note=Signal::derive(|| None::<String>)/> }
    });
    let status = root.query_selector("[role=status]").unwrap().unwrap();
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    let say = |file: &str, tone, text: &str, cancelable| {
        announce(
            outcomes,
            Notice {
                file: file.into(),
                tone,
                text: text.into(),
                cancelable,
            },
        )
    };
    say(
        "a.ps1",
        Tone::Progress,
        "Rate limited; retrying in 2 s to delete a.ps1.",
        true,
    );
    tick().await;
    assert!(text(&status).contains("Rate limited; retrying in 2 s to delete a.ps1."));
    button_named(&root, "Stop retrying a.ps1").click();
    tick().await;
    assert!(cancel.is_canceled());

    say("a.ps1", Tone::Success, "Deleted a.ps1.", false);
    say(
        "b.sh",
        Tone::Failure,
        "b.sh was not found in the library; it may have been deleted already.",
        false,
    );
    tick().await;
    assert_eq!(text(&status).trim(), "Deleted a.ps1.");
    assert!(text(&alert).contains("b.sh was not found"));
    assert!(
        !text(&status).contains("retrying"),
        "the countdown was replaced"
    );
}

#[wasm_bindgen_test]
fn browser_json_reads_entities_and_rejects_bad_ones() {
    let files = fixture();
    assert_eq!(files.len(), 3);
    assert_eq!(files[1].description, None);
    assert_eq!(files[1].parameters_description, None);
    assert!(files[0].has_parameters);
    // A bad entry is counted and left out, not a failure of the whole list.
    let page =
        mde_library_admin::api::read_list(r#"{"value":[{"fileName":7},{"fileName":"ok.sh"}]}"#)
            .unwrap();
    assert_eq!((page.value.len(), page.unreadable), (1, 1));
    // A name with an unpaired surrogate (which Rust would turn into U+FFFD, naming another
    // file) is not read at all.
    let page = mde_library_admin::api::read_list(
        r#"{"value":[{"fileName":"a\ud800.ps1"},{"fileName":"b.ps1"}]}"#,
    )
    .unwrap();
    assert_eq!(page.value.len(), 1);
    assert_eq!(page.value[0].file_name, "b.ps1");
    assert_eq!(page.unreadable, 1);
    assert!(mde_library_admin::api::read_list("{ nope").is_err());
    let cfg = mde_library_admin::config::parse_config(
        r#"{"apiBase":"https://api.security.microsoft.com","auth":{"mode":"host"}}"#,
    )
    .unwrap();
    assert_eq!(cfg.rate_limit.per_minute, 100);
}

#[wasm_bindgen_test]
async fn webcrypto_gives_the_rfc7636_challenge_and_random_tokens() {
    let challenge = browser::sha256_b64url("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        .await
        .unwrap();
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    let a = browser::random_token(32).unwrap();
    let b = browser::random_token(32).unwrap();
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
}

#[wasm_bindgen_test]
async fn host_mode_asks_get_token_and_forces_a_refresh_after_401() {
    use mde_library_admin::auth::Session;
    let get_token = js_sys::Function::new_with_args(
        "opts",
        "return Promise.resolve(opts.forceRefresh ? 'fresh-token' : 'cached-token');",
    );
    let session = Session::host(get_token);
    assert_eq!(session.access_token().await.unwrap(), "cached-token");
    assert_eq!(
        session.after_unauthorized("cached-token").await.unwrap(),
        "fresh-token"
    );
    for (body, words) in [
        (
            "return Promise.reject(new Error('no'))",
            "getToken rejected",
        ),
        ("return 'two words'", "malformed"),
        ("return 42", "did not return a token string"),
    ] {
        let err = Session::host(js_sys::Function::new_no_args(body))
            .access_token()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("The portal did not provide a sign-in token.") && err.contains(words),
            "{err}"
        );
    }
}

#[wasm_bindgen_test]
async fn bridge_mode_outside_a_frame_says_there_is_no_portal() {
    let err = mde_library_admin::auth::Session::bridge("https://portal.example")
        .access_token()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not inside the portal's frame"),
        "{err}"
    );
}

#[wasm_bindgen_test]
fn next_links_are_resolved_by_the_browser_parser_and_kept_on_the_api() {
    use mde_library_admin::api::{ApiError, LibraryApi};
    let proxy = LibraryApi::new("/mde-proxy", "https://portal.example");
    // What fetch would make of these: another host. Before the fix they were followed with
    // the token because they start with '/'.
    for bad in [
        "//evil.example/api/libraryfiles",
        "/\\evil.example/api/libraryfiles",
        "/mde-proxy/api/libraryfiles/../../other",
        "https://evil.example/x",
    ] {
        assert_eq!(
            proxy.next_page_url(bad),
            Err(ApiError::ForeignLink),
            "{bad}"
        );
    }
    assert_eq!(
        proxy
            .next_page_url("https://api.security.microsoft.com/api/libraryfiles?$skip=100")
            .unwrap(),
        "https://portal.example/mde-proxy/api/libraryfiles?$skip=100"
    );
    let direct = LibraryApi::new(
        "https://api.security.microsoft.com",
        "https://portal.example",
    );
    assert_eq!(
        direct.next_page_url("/api/libraryfiles?$skip=2").unwrap(),
        "https://api.security.microsoft.com/api/libraryfiles?$skip=2"
    );
    assert_eq!(
        direct.next_page_url("//evil.example/api/libraryfiles"),
        Err(ApiError::ForeignLink)
    );
}

/// Posts `data` on a channel of this page (another `BroadcastChannel` object of the same name
/// receives it, as the popup's would).
fn post_on(name: &str, data: &wasm_bindgen::JsValue) {
    let ch = web_sys_channel(name);
    let post: js_sys::Function = js_sys::Reflect::get(&ch, &"postMessage".into())
        .unwrap()
        .unchecked_into();
    post.call1(&ch, data).unwrap();
    let close: js_sys::Function = js_sys::Reflect::get(&ch, &"close".into())
        .unwrap()
        .unchecked_into();
    close.call0(&ch).unwrap();
}

fn web_sys_channel(name: &str) -> wasm_bindgen::JsValue {
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"BroadcastChannel".into())
            .unwrap()
            .unchecked_into();
    js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&name.into())).unwrap()
}

fn answer_message(kind: &str, url: &str) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(
        &o,
        &"type".into(),
        &format!("mde-library-admin:{kind}").into(),
    )
    .unwrap();
    js_sys::Reflect::set(&o, &"url".into(), &url.into()).unwrap();
    o.into()
}

#[wasm_bindgen_test]
async fn the_popup_answer_is_taken_once_and_only_for_its_own_state() {
    use mde_library_admin::auth::popup;
    let state = popup::new_state().unwrap();
    assert!(state.starts_with(popup::STATE_PREFIX));
    let channel = format!("mde-library-admin:sign-in:{state}");
    let waiting = Rc::new(RefCell::new(None::<Result<String, String>>));
    let got = waiting.clone();
    let s = state.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let out = popup::answer(&s).await.map_err(|e| e.to_string());
        *got.borrow_mut() = Some(out);
    });
    let settle = || gloo_timers::future::TimeoutFuture::new(100);
    settle().await;
    // Another attempt's state, a replayed (spent) state, no state, another message type, not
    // an object: all ignored.
    let spent = popup::new_state().unwrap();
    for data in [
        answer_message("sign-in-response", "https://app/?code=c&state=popup.other"),
        answer_message(
            "sign-in-response",
            &format!("https://app/?code=c&state={spent}"),
        ),
        answer_message("sign-in-response", "https://app/?code=c"),
        answer_message("token", &format!("https://app/?code=c&state={state}")),
        "mde-library-admin:sign-in-response".into(),
    ] {
        post_on(&channel, &data);
    }
    settle().await;
    assert!(waiting.borrow().is_none(), "nothing was taken");
    // Its own answer is taken, and the popup gets a receipt.
    let receipts = Rc::new(RefCell::new(0));
    let seen = receipts.clone();
    let listener = web_sys_channel(&channel);
    let on = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |e: web_sys::MessageEvent| {
            let t = js_sys::Reflect::get(&e.data(), &"type".into())
                .ok()
                .and_then(|t| t.as_string());
            if t.as_deref() == Some("mde-library-admin:sign-in-received") {
                *seen.borrow_mut() += 1;
            }
        },
    );
    js_sys::Reflect::set(&listener, &"onmessage".into(), on.as_ref()).unwrap();
    let own = format!("https://app/?code=first&state={state}");
    post_on(&channel, &answer_message("sign-in-response", &own));
    // A second answer right behind it: ignored.
    post_on(
        &channel,
        &answer_message(
            "sign-in-response",
            &format!("https://app/?code=second&state={state}"),
        ),
    );
    settle().await;
    assert_eq!(waiting.borrow().clone(), Some(Ok(own)));
    assert_eq!(*receipts.borrow(), 1);
}

/// Runs `f` with `Object.prototype[key] = value` set (as a polluted portal page would have it),
/// and takes it away again.
fn with_polluted_prototype<R>(key: &str, value: &str, f: impl FnOnce() -> R) -> R {
    let proto = js_sys::Object::get_prototype_of(&js_sys::Object::new());
    js_sys::Reflect::set(&proto, &key.into(), &value.into()).unwrap();
    let r = f();
    js_sys::Reflect::delete_property(&proto, &key.into()).unwrap();
    r
}

/// In mount mode the panel shares the portal's realm: a polluted `Object.prototype` must not
/// fill fields the API left out, least of all `@odata.nextLink` (where the token is sent next).
#[wasm_bindgen_test]
fn json_reads_own_members_only() {
    let page = with_polluted_prototype(
        "@odata.nextLink",
        "https://api.security.microsoft.com/api/libraryfiles?$skiptoken=evil",
        || mde_library_admin::api::read_list(FIXTURE).unwrap(),
    );
    assert_eq!(page.next_link, None);
    let file = with_polluted_prototype("description", "planted", || {
        let v = mde_library_admin::json::Json::parse(r#"{"fileName":"a.ps1"}"#).unwrap();
        v.get("description").map(|d| d.as_string())
    });
    assert_eq!(file, None, "an inherited member is not read");
    // A window message's members too: `type` and `code` from the prototype are not the sender's.
    let data = js_sys::Object::new();
    let read = with_polluted_prototype("type", "mde-library-admin:token", || {
        mde_library_admin::window_messages::string_member(&data, "type")
    });
    assert_eq!(read, None);
}

/// `library.json` read through the browser's parser: own members only, and a parse error that
/// says where (the line and column, in the browser's own words).
#[wasm_bindgen_test]
fn a_manifest_reads_in_the_browser_and_a_broken_one_says_where() {
    use mde_library_admin::sync::manifest::{Manifest, ManifestError};
    let m = with_polluted_prototype("mayRemove", "true", || {
        Manifest::parse(r#"{"files": {"a.ps1": {"hasParameters": true, "x": 1}, "b.sh": {}}}"#)
            .unwrap()
    });
    assert_eq!(m.entries.len(), 2);
    assert_eq!(m.unknown_members, 1);
    assert!(
        m.entries.iter().all(|e| !e.may_remove),
        "an inherited member is not read"
    );
    let e = Manifest::parse("{\n  \"files\": {,\n}").unwrap_err();
    assert!(
        matches!(&e, ManifestError::NotJson(w) if w.contains("line 2")),
        "{e}"
    );
}
