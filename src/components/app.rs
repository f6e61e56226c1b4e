//! The page shell: reads `config.json`, completes or starts the sign-in, and shows the
//! account, sign-out and the library panel.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{now_ms, LibraryApi};
use crate::browser;
use crate::components::panel::LibraryPanel;
use crate::config::{load_config, AppConfig, AuthConfig, ConfigError, PkceConfig};
use crate::oauth::{self, AuthError, Endpoints, Return};
use crate::rate::RateGate;
use crate::service::LibraryService;
use crate::session::Session;

/// The root component: configuration first, then the shell.
#[component]
pub fn App() -> impl IntoView {
    // Read once, never refetched: a signal filled by one task, without a resource's async
    // machinery.
    let config = RwSignal::new_local(None::<Result<AppConfig, ConfigError>>);
    spawn_local(async move { config.set(Some(load_config().await)) });
    view! {
        <header class="topbar">
            <h1>"MDE live response library"</h1>
        </header>
        <main>
            {move || match config.get() {
                None => view! { <p class="loading" role="status">"Loading configuration…"</p> }.into_any(),
                Some(Ok(cfg)) => view! { <Shell cfg=cfg/> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="page-error" role="alert">
                        <h2>"The panel cannot start"</h2>
                        <p>{e.to_string()}</p>
                    </div>
                }
                .into_any(),
            }}
        </main>
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

/// What startup found: the endpoints (PKCE) and the resulting phase.
struct Started {
    endpoints: Option<Endpoints>,
    phase: Phase,
    filter: String,
}

fn redirect_uri(p: &PkceConfig) -> String {
    p.redirect_uri
        .clone()
        .unwrap_or_else(|| oauth::strip_query(&browser::location_href()))
}

fn service(cfg: &AppConfig, session: Session) -> LibraryService {
    LibraryService::new(
        LibraryApi::new(&cfg.api_base, &browser::location_origin()),
        session,
        RateGate::new(cfg.rate_limit),
    )
}

/// Finishes a sign-in the address bar reports, if any.
async fn start(cfg: AppConfig) -> Started {
    let p = match &cfg.auth {
        AuthConfig::Host => {
            return Started {
                endpoints: None,
                phase: Phase::SignedIn(Box::new(service(&cfg, Session::host()))),
                filter: String::new(),
            }
        }
        AuthConfig::Pkce(p) => p.clone(),
    };
    let href = browser::location_href();
    let ret = oauth::parse_return(&href);
    if ret != Return::None {
        // The code and state must not linger in the address bar or the history.
        browser::replace_url(&oauth::strip_query(&href));
    }
    let signed_out = |e: AuthError, endpoints| Started {
        endpoints,
        phase: Phase::SignedOut {
            notice: Some(e.to_string()),
            failed: true,
        },
        filter: String::new(),
    };
    let endpoints = match oauth::discover(&p.authority).await {
        Ok(ep) => ep,
        Err(e) => return signed_out(e, None),
    };
    let ep = Some(endpoints.clone());
    match ret {
        Return::None => Started {
            endpoints: ep,
            phase: Phase::SignedOut {
                notice: None,
                failed: false,
            },
            filter: String::new(),
        },
        Return::Error {
            error, description, ..
        } => {
            let _ = oauth::take_pending();
            signed_out(AuthError::Denied { error, description }, ep)
        }
        Return::Code { code, state, iss } => {
            let Some(pending) = oauth::take_pending() else {
                return signed_out(AuthError::NoPendingSignIn, ep);
            };
            if let Err(e) = oauth::check_return(&pending, Some(&state), iss.as_deref(), now_ms()) {
                return signed_out(e, ep);
            }
            match oauth::redeem_code(&p, &endpoints, &pending, &code, now_ms()).await {
                Ok(tokens) => Started {
                    endpoints: ep,
                    phase: Phase::SignedIn(Box::new(service(
                        &cfg,
                        Session::pkce(p.clone(), endpoints, pending.redirect_uri.clone(), tokens),
                    ))),
                    filter: pending.filter,
                },
                Err(e) => signed_out(e, ep),
            }
        }
    }
}

/// Everything below the title bar for a valid configuration.
#[component]
fn Shell(cfg: AppConfig) -> impl IntoView {
    let phase = RwSignal::new_local(Phase::Starting);
    let endpoints = RwSignal::new(None::<Endpoints>);
    let filter = RwSignal::new(String::new());
    let sign_in_needed = RwSignal::new(false);
    let (sign_in_error, set_sign_in_error) = signal(None::<String>);

    let start_cfg = cfg.clone();
    spawn_local(async move {
        let s = start(start_cfg).await;
        endpoints.set(s.endpoints);
        filter.set(s.filter);
        phase.set(s.phase);
    });

    let pkce = match &cfg.auth {
        AuthConfig::Pkce(p) => Some(p.clone()),
        AuthConfig::Host => None,
    };
    let sign_in = move || {
        let (Some(p), Some(ep)) = (pkce.clone(), endpoints.get_untracked()) else {
            set_sign_in_error.set(Some(
                "Sign-in is not available: the sign-in configuration could not be read.".into(),
            ));
            return;
        };
        let keep = filter.get_untracked();
        spawn_local(async move {
            match oauth::begin_sign_in(&p, &ep, &redirect_uri(&p), &keep, now_ms()).await {
                Ok(url) => {
                    if let Err(e) = browser::navigate(&url) {
                        set_sign_in_error.set(Some(e.to_string()));
                    }
                }
                Err(e) => set_sign_in_error.set(Some(e.to_string())),
            }
        });
    };
    let sign_in_again = sign_in.clone();
    let rate_limit = cfg.rate_limit;

    view! {
        {move || sign_in_error.get().map(|e| view! { <p class="page-error" role="alert">{e}</p> })}
        {move || match phase.get() {
            Phase::Starting => view! { <p class="loading" role="status">"Signing in…"</p> }.into_any(),
            Phase::SignedOut { notice, failed } => {
                let sign_in = sign_in.clone();
                view! {
                    <section class="signin">
                        {notice.map(|n| if failed {
                            view! { <p class="notice failure" role="alert">{n}</p> }.into_any()
                        } else {
                            view! { <p class="notice" role="status">{n}</p> }.into_any()
                        })}
                        <p>"Sign in with an account that may manage the Defender for Endpoint live response library."</p>
                        <button type="button" class="primary" on:click=move |_| sign_in()>"Sign in"</button>
                    </section>
                }
                .into_any()
            }
            Phase::SignedIn(svc) => {
                let account = svc.session().account_name();
                let out = svc.clone();
                let sign_in_again = sign_in_again.clone();
                view! {
                    <div class="account">
                        {account.map(|a| view! { <span>"Signed in as " <strong>{a}</strong></span> })}
                        <button type="button" class="link" on:click=move |_| {
                            out.session().sign_out();
                            sign_in_needed.set(false);
                            phase.set(Phase::SignedOut { notice: Some("You are signed out of this panel.".into()), failed: false });
                        }>"Sign out"</button>
                    </div>
                    <Show when=move || sign_in_needed.get()>
                        {
                            let again = sign_in_again.clone();
                            view! {
                                <div class="reauth" role="alert">
                                    <p>"Your sign-in has expired. Sign in again to continue; the filter is kept."</p>
                                    <button type="button" class="primary" on:click=move |_| again()>"Sign in again"</button>
                                </div>
                            }
                        }
                    </Show>
                    <LibraryPanel service=*svc rate_limit=rate_limit filter=filter sign_in_needed=sign_in_needed/>
                }
                .into_any()
            }
        }}
    }
}
