//! The page shell: reads `config.json`, completes or starts the sign-in, and shows the
//! account, sign-out and the library panel.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::activity::Events;
use crate::api::LibraryApi;
use crate::auth::flow::{self, SignInRoute};
use crate::auth::popup;
use crate::auth::signin::{self, redirect_uri, Completion};
use crate::auth::windows::{self, Done, Job};
use crate::auth::{AuthError, Endpoints, Session};
use crate::browser;
use crate::components::check_setup::{Mounted, SetupDeps};
use crate::components::hooks::{resize_watch, ResizeWatch};
use crate::components::panel::LibraryPanel;
use crate::config::{load_config, AppConfig, AuthConfig, ConfigError, PkceConfig};
use crate::rate::RateGate;
use crate::service::LibraryService;
use crate::tasks::TaskScope;

/// What the page embedding the panel provides besides `config.json`; empty for the
/// panel on a page of its own.
#[derive(Clone, Default)]
pub struct Embedding {
    /// `mount()`'s options, parsed: used instead of fetching `config.json`.
    pub config: Option<AppConfig>,
    /// `mount()`'s `getToken({ forceRefresh })` (`auth.mode: "host"`).
    pub get_token: Option<js_sys::Function>,
    /// `mount()`'s `onEvent(event)`.
    pub on_event: Option<js_sys::Function>,
}

/// The root component: configuration first, then the shell.
#[component]
pub fn App(
    /// Set by `mount()`; the default reads `config.json`.
    #[prop(optional)]
    embedding: Embedding,
) -> impl IntoView {
    // Read once, never refetched: a signal filled by one task, without a resource's async
    // machinery.
    let config = RwSignal::new_local(None::<Result<AppConfig, ConfigError>>);
    let root = NodeRef::<leptos::html::Div>::new();
    let tasks = TaskScope::default();
    on_cleanup({
        let tasks = tasks.clone();
        move || tasks.cancel_all()
    });
    let given = embedding.config.clone();
    // A framing portal sizes its iframe from the panel's height (bridge mode).
    let sizer = StoredValue::new_local(None::<ResizeWatch>);
    tasks.spawn(async move {
        let loaded = match given {
            Some(cfg) => Ok(cfg),
            None => load_config().await,
        };
        if let (Ok(cfg), Some(el)) = (&loaded, root.get_untracked()) {
            // `theme` forces light or dark; without it the stylesheet follows the system.
            if let Some(theme) = cfg.theme {
                let _ = el.set_attribute("data-theme", theme);
            }
            if let AuthConfig::Bridge { host_origin } = &cfg.auth {
                let events = Events::Parent(host_origin.clone());
                let target = el.clone();
                let watch = resize_watch(move || {
                    events.resized(target.scroll_height().max(0) as u32);
                });
                if let Some(w) = &watch {
                    w.observe(&el);
                }
                // Kept with the component: dropped (disconnected) when it goes.
                sizer.set_value(watch);
            }
        }
        config.set(Some(loaded));
    });
    // Every style rule sits under this one class (style/main.css), so the panel keeps its look
    // inside a portal's page and the portal can theme it with `--mde-*` custom properties.
    view! {
        <div class="mde-library-admin" node_ref=root>
            <header class="topbar">
                <h1>"MDE live response library"</h1>
            </header>
            <main>
                {move || match config.get() {
                    None => EitherOf3::A(view! { <p class="loading" role="status">"Loading configuration…"</p> }),
                    Some(Ok(cfg)) => EitherOf3::B(view! { <Shell cfg=cfg embedding=embedding.clone()/> }),
                    Some(Err(e)) => EitherOf3::C(view! {
                        <div class="page-error" role="alert">
                            <h2>"The panel cannot start"</h2>
                            <p>{e.to_string()}</p>
                        </div>
                    }),
                }}
            </main>
        </div>
    }
}

/// Where the session stands.
#[derive(Clone)]
enum Phase {
    Starting,
    SignedOut {
        notice: Option<String>,
        failed: bool,
    },
    SignedIn(Box<LibraryService>),
}

fn service(cfg: &AppConfig, session: Session) -> LibraryService {
    LibraryService::new(
        LibraryApi::new(&cfg.api_base, &browser::location_origin()),
        session,
        RateGate::new(cfg.rate_limit),
    )
}

/// The session of a mode whose tokens come from the portal; `None` for `pkce`.
fn portal_session(cfg: &AppConfig, embedding: &Embedding) -> Option<Result<Session, AuthError>> {
    Session::from_portal(&cfg.auth, embedding.get_token.clone())
}

/// The phase a finished sign-in (page load or popup) leads to.
fn after_sign_in(
    cfg: &AppConfig,
    p: &PkceConfig,
    endpoints: Option<Endpoints>,
    completion: Completion,
    filter: RwSignal<String>,
) -> Option<Phase> {
    Some(match completion {
        Completion::Redirecting => return None,
        Completion::SignedOut(notice) => signed_out(notice),
        Completion::SignedIn {
            tokens,
            redirect_uri,
            filter: kept,
        } => match endpoints {
            Some(ep) => {
                filter.set(kept);
                let session = Session::pkce(p.clone(), ep, redirect_uri, tokens);
                Phase::SignedIn(Box::new(service(cfg, session)))
            }
            None => signed_out(None),
        },
    })
}

fn signed_out(notice: Option<AuthError>) -> Phase {
    Phase::SignedOut {
        failed: notice.is_some(),
        notice: notice.map(|e| e.to_string()),
    }
}

/// Everything below the title bar for a valid configuration.
#[component]
fn Shell(cfg: AppConfig, embedding: Embedding) -> impl IntoView {
    let phase = RwSignal::new_local(Phase::Starting);
    let endpoints = RwSignal::new(None::<Endpoints>);
    let filter = RwSignal::new(String::new());
    let sign_in_needed = RwSignal::new(false);
    // A sign-in that could not start; `true` when Try again can help (a blocked popup).
    let (sign_in_error, set_sign_in_error) = signal(None::<(String, bool)>);
    // A popup sign-in under way, and where it says that it waits for the window (drawn by
    // the sign-in window's chunk). A new click replaces the attempt.
    let wait_slot = NodeRef::<leptos::html::Div>::new();
    let popup_task = StoredValue::new_local(None::<futures::future::AbortHandle>);
    let stop_waiting = move || {
        popup_task.update_value(|t| {
            if let Some(t) = t.take() {
                t.abort();
            }
        });
    };
    let attempt = move |popup, cfg: &PkceConfig, endpoints, filter| {
        let slot: web_sys::Element = wait_slot.get_untracked()?.into();
        Some(popup::Attempt {
            popup,
            cfg: cfg.clone(),
            endpoints,
            redirect_uri: redirect_uri(cfg),
            filter,
            slot,
            login_hint: None,
        })
    };
    let tasks = TaskScope::default();
    on_cleanup({
        let tasks = tasks.clone();
        move || tasks.cancel_all()
    });
    // A frame of another site: a popup could never hand its answer back (storage and
    // channels are partitioned by top-level site), so the panel offers no Sign in and says
    // what works instead. Told by the sign-in window's chunk, loaded at once only in a framed
    // `pkce` panel, which draws the words into `wait_slot`.
    let cross_site = RwSignal::new(false);
    if matches!(cfg.auth, AuthConfig::Pkce(_)) && browser::is_framed() {
        tasks.spawn(async move {
            if let Some(slot) = wait_slot.get_untracked() {
                cross_site.set(popup::guide(slot.into()).await);
            }
        });
    }
    let events = match (&cfg.auth, &embedding.on_event) {
        (AuthConfig::Bridge { host_origin }, _) => Events::Parent(host_origin.clone()),
        (_, Some(f)) => Events::Callback(f.clone()),
        _ => Events::None,
    };

    let start_cfg = cfg.clone();
    let start_embedding = embedding.clone();
    tasks.spawn(async move {
        let next = match (
            &start_cfg.auth,
            portal_session(&start_cfg, &start_embedding),
        ) {
            (_, Some(Ok(session))) => Phase::SignedIn(Box::new(service(&start_cfg, session))),
            (_, Some(Err(e))) => signed_out(Some(e)),
            (AuthConfig::Pkce(p), None) => {
                let started = signin::start(p, &redirect_uri(p)).await;
                endpoints.set(started.endpoints.clone());
                match after_sign_in(&start_cfg, p, started.endpoints, started.completion, filter) {
                    Some(next) => next,
                    None => return,
                }
            }
            (_, None) => return,
        };
        phase.set(next);
    });

    let auth = cfg.auth.clone();
    let svc_cfg = cfg.clone();
    let sign_in_tasks = tasks.clone();
    let sign_in = move || {
        set_sign_in_error.set(None);
        let known = endpoints.get_untracked();
        let how = flow::route(&auth, browser::is_framed(), known.is_some());
        let p = match (how, &auth, portal_session(&svc_cfg, &embedding)) {
            (SignInRoute::Reload, ..) => {
                browser::reload();
                return;
            }
            (SignInRoute::AskPortal, _, Some(session)) => {
                phase.set(match session {
                    Ok(s) => Phase::SignedIn(Box::new(service(&svc_cfg, s))),
                    Err(e) => signed_out(Some(e)),
                });
                return;
            }
            (_, AuthConfig::Pkce(p), None) => p.clone(),
            _ => return,
        };
        let keep = filter.get_untracked();
        if how == SignInRoute::Popup {
            // Opened here in the click, so that popup blockers allow it.
            let popup = match popup::open("") {
                Ok(popup) => popup,
                Err(e) => {
                    set_sign_in_error.set(Some((e.to_string(), true)));
                    return;
                }
            };
            stop_waiting();
            let cfg = svc_cfg.clone();
            let task = sign_in_tasks.spawn(async move {
                let ep = match known {
                    Some(ep) => ep,
                    None => match signin::discover_again(&p).await {
                        Ok(ep) => {
                            endpoints.set(Some(ep.clone()));
                            ep
                        }
                        Err(e) => {
                            popup.close();
                            set_sign_in_error.set(Some((e.to_string(), false)));
                            return;
                        }
                    },
                };
                let Some(a) = attempt(popup, &p, ep.clone(), keep) else {
                    return;
                };
                let done = popup::sign_in(a).await;
                if let Some(next) = after_sign_in(&cfg, &p, Some(ep), done, filter) {
                    sign_in_needed.set(false);
                    phase.set(next);
                }
            });
            popup_task.set_value(Some(task));
            return;
        }
        let Some(ep) = known else {
            // SignInRoute::StartOver: the page reads discovery again and goes on.
            let again = signin::start_over_url(&redirect_uri(&p));
            if let Err(e) = browser::navigate(&again) {
                set_sign_in_error.set(Some((e.to_string(), false)));
            }
            return;
        };
        sign_in_tasks.spawn(async move {
            let back = redirect_uri(&p);
            match signin::sign_in_url(&p, &ep, &back, &keep).await {
                Ok(url) => {
                    if let Err(e) = browser::navigate(&url) {
                        set_sign_in_error.set(Some((e.to_string(), false)));
                    }
                }
                Err(e) => set_sign_in_error.set(Some((e.to_string(), false))),
            }
        });
    };
    // Set by the panel while a bulk run is going on.
    let run_active = RwSignal::new(false);
    // The activity trail: every change while the page is open, across sign-ins.
    let trail = RwSignal::new(Vec::<crate::activity::Activity>::new());
    let try_again = sign_in.clone();
    let renew_cfg = cfg.clone();
    let redirect_sign_in = sign_in.clone();
    let renew_tasks = tasks.clone();
    let sign_in_again = move || {
        // With a bulk run on the page, or in a frame, sign in through a popup and keep the
        // page: the session takes the new tokens and the run goes on where it stopped.
        let (now, ep) = (phase.get_untracked(), endpoints.get_untracked());
        let in_popup = flow::renews_in_popup(
            &renew_cfg.auth,
            matches!(now, Phase::SignedIn(_)),
            run_active.get_untracked(),
            browser::is_framed(),
            ep.is_some(),
        );
        let renew = match (in_popup, now, &renew_cfg.auth, ep) {
            (true, Phase::SignedIn(svc), AuthConfig::Pkce(p), Some(ep)) => {
                Some((svc, p.clone(), ep))
            }
            _ => None,
        };
        let Some((svc, p, ep)) = renew else {
            return redirect_sign_in();
        };
        set_sign_in_error.set(None);
        let popup = match popup::open("") {
            Ok(popup) => popup,
            Err(e) => return set_sign_in_error.set(Some((e.to_string(), true))),
        };
        stop_waiting();
        let Some(mut a) = attempt(popup, &p, ep, filter.get_untracked()) else {
            return;
        };
        a.login_hint = svc.session().login_hint();
        let task = renew_tasks.spawn(async move {
            match popup::sign_in(a).await {
                // Still needed if the session was signed out meanwhile.
                Completion::SignedIn { tokens, .. } => match svc.session().renew(tokens) {
                    Ok(renewed) => sign_in_needed.set(!renewed),
                    Err(e) => set_sign_in_error.set(Some((e.to_string(), false))),
                },
                Completion::SignedOut(Some(e)) => {
                    set_sign_in_error.set(Some((e.to_string(), false)))
                }
                _ => {}
            }
        });
        popup_task.set_value(Some(task));
    };
    let rate_limit = cfg.rate_limit;
    let is_host = matches!(cfg.auth, AuthConfig::Host | AuthConfig::Bridge { .. });
    let is_proxy = matches!(cfg.auth, AuthConfig::Proxy);
    // "Sign out of Microsoft too": the provider's end-session page, coming back here. On a
    // shared console this ends the provider's session, so the next person is not signed in
    // as the last one.
    let pkce = match &cfg.auth {
        AuthConfig::Pkce(p) => Some(p.clone()),
        AuthConfig::Host | AuthConfig::Bridge { .. } | AuthConfig::Proxy => None,
    };
    // A sign-out in another tab of the panel signs this one out too: its tokens are its own
    // (memory), but the person asked to be signed out of the panel.
    let sign_outs = StoredValue::new_local(
        pkce.is_some()
            .then(|| {
                signin::SignOuts::listen(move || {
                    if let Phase::SignedIn(svc) = phase.get_untracked() {
                        svc.session().sign_out();
                        signin::signed_out();
                        sign_in_needed.set(false);
                        phase.set(Phase::SignedOut {
                            notice: Some("You signed out of this panel in another tab.".into()),
                            failed: false,
                        });
                    }
                })
            })
            .flatten(),
    );
    let provider_sign_out_url = move || {
        let back = redirect_uri(pkce.as_ref()?);
        signin::provider_sign_out_url(&endpoints.get()?, &back)
    };

    // Check setup: its checks and view are in the sign-in chunk, fetched on the first click,
    // which draws it after the button; a second click (or its Close) removes it. Kept here,
    // so it goes with the shell.
    let setup = StoredValue::new_local(None::<Mounted>);
    let setup_tasks = tasks.clone();
    let check_setup = move |ev: web_sys::MouseEvent| {
        if setup.with_value(Option::is_some) {
            return setup.set_value(None);
        }
        let Some(opener) = ev.current_target() else {
            return;
        };
        let deps = SetupDeps {
            opener: opener.unchecked_into(),
            cfg: cfg.clone(),
            service: match phase.get_untracked() {
                Phase::SignedIn(svc) => Some(*svc),
                _ => None,
            },
            // After the click: the view is not dropped by a handler of its own.
            on_close: std::rc::Rc::new(move || {
                leptos::task::spawn_local(async move { setup.set_value(None) })
            }),
        };
        setup_tasks.spawn(async move {
            match windows::load(Job::Setup(Box::new(deps))).await {
                Ok(Done::Setup(m)) => setup.set_value(m),
                Ok(_) => {}
                Err(e) => {
                    set_sign_in_error.set(Some((format!("Check setup could not load: {e}"), false)))
                }
            }
        });
    };

    view! {
        <div node_ref=wait_slot></div>
        {move || sign_in_error.get().map(|(e, retry)| {
            let again = try_again.clone();
            view! {
                <div class="page-error" role="alert">
                    <p>{e}</p>
                    {retry.then(|| view! {
                        <button type="button" class="primary" on:click=move |_| again()>"Try again"</button>
                    })}
                </div>
            }
        })}
        {move || match phase.get() {
            Phase::Starting => EitherOf3::A(view! { <p class="loading" role="status">"Signing in…"</p> }),
            Phase::SignedOut { notice, failed } => {
                let sign_in = sign_in.clone();
                // Offered right after signing out of the panel.
                let provider_out = (!failed && notice.is_some())
                    .then(provider_sign_out_url.clone())
                    .flatten()
                    .map(|url| view! {
                        <button type="button" class="link" on:click=move |_| {
                            if let Err(e) = browser::navigate(&url) {
                                                set_sign_in_error.set(Some((e.to_string(), false)));
                            }
                        }>"Sign out of Microsoft too"</button>
                    });
                EitherOf3::B(view! {
                    <section class="signin">
                        {notice.map(|n| if failed {
                            Either::Left(view! { <p class="notice failure" role="alert">{n}</p> })
                        } else {
                            Either::Right(view! { <p class="notice" role="status">{n} " " {provider_out}</p> })
                        })}
                        <p>"Sign in with an account that may manage the Defender for Endpoint live response library."</p>
                        {move || (!cross_site.get()).then(|| {
                            let sign_in = sign_in.clone();
                            view! { <button type="button" class="primary" on:click=move |_| sign_in()>"Sign in"</button> }
                        })}
                    </section>
                })
            }
            Phase::SignedIn(svc) => {
                let account = svc.session().account_name();
                let out = svc.clone();
                let sign_in_again = sign_in_again.clone();
                EitherOf3::C(view! {
                    <div class="account">
                        {account.map(|a| view! { <span>"Signed in as " <strong>{a}</strong></span> })}
                        // Behind a token-holding proxy the session is the portal's to end.
                        {(!is_proxy).then(|| view! {
                            <button type="button" class="link" on:click=move |_| {
                                out.session().sign_out();
                                if !is_host {
                                    signin::signed_out();
                                    sign_outs.with_value(|c| c.as_ref().map(signin::SignOuts::announce));
                                }
                                sign_in_needed.set(false);
                                phase.set(Phase::SignedOut { notice: Some("You are signed out of this panel.".into()), failed: false });
                            }>"Sign out"</button>
                        })}
                    </div>
                    {move || sign_in_needed.get().then(|| {
                        let again = sign_in_again.clone();
                        view! {
                            <div class="reauth" role="alert">
                                <p>{if is_proxy {
                                    "Your portal session has expired."
                                } else {
                                    "Your sign-in has expired. Sign in again to continue; the filter is kept."
                                }}</p>
                                <button type="button" class="primary" on:click=move |_| again()>
                                    {if is_proxy { "Reload" } else { "Sign in again" }}
                                </button>
                            </div>
                        }
                    })}
                    <LibraryPanel service=*svc rate_limit=rate_limit filter=filter sign_in_needed=sign_in_needed events=events.clone() run_active=run_active trail=trail/>
                })
            }
        }}
        <p class="setup-link">
            <button type="button" class="link" aria-expanded="false" on:click=check_setup>"Check setup"</button>
        </p>
    }
}
