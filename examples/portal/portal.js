// What every page of the Contoso Security Portal example shares: its settings, its token
// backend, its activity log and its error line. A plain ES module: no build step.

/** The accounts the portal signs in, by the name its backend knows them. */
export const ACCOUNTS = { admin: 'Ada Admin', reader: 'Riley Reader' };

/**
 * Reads `/example-config.json`, which the simulator writes so no page hard-codes a port:
 * `{ panelOrigin, apiBase, rateLimit: { perMinute, perHour }, proxyPortal }`.
 */
export async function loadConfig() {
  let resp;
  try {
    resp = await fetch('/example-config.json', { cache: 'no-store' });
  } catch (e) {
    throw new Error(`example-config.json could not be fetched (${e.message})`);
  }
  if (!resp.ok) throw new Error(`example-config.json: HTTP ${resp.status}`);
  const cfg = await resp.json();
  if (typeof cfg.panelOrigin !== 'string' || typeof cfg.apiBase !== 'string') {
    throw new Error('example-config.json lacks panelOrigin or apiBase');
  }
  return cfg;
}

/** Loads a classic script from another origin; rejects when it cannot be loaded. */
export function loadScript(src, integrity) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    if (integrity) {
      s.crossOrigin = 'anonymous';
      s.integrity = integrity;
    }
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`${src} could not be loaded${integrity ? ', or does not match the digest this portal pins' : ''}`));
    document.head.append(s);
  });
}

/** Shows the page's error line (a `role="alert"` paragraph with id `portal-error`). */
export function showError(message) {
  const el = document.getElementById('portal-error');
  el.textContent = message;
  el.hidden = false;
}

/**
 * Counts the tokens the page handed to the panel, in the line with id `token-status`.
 * A forced refresh means the API refused the previous token (401) and the panel asked again.
 */
export class TokenStatus {
  constructor(el) {
    this.el = el;
    this.total = 0;
    this.forced = 0;
  }
  count(forceRefresh) {
    this.total += 1;
    if (forceRefresh) this.forced += 1;
    this.el.textContent = `Tokens handed to the panel: ${this.total} (${this.forced} forced refresh)`;
  }
}

/**
 * The delegated token of one signed-in account. The portal backend (`POST /token`) hands it
 * to the page, which keeps it in this object only (never in storage), gives it to the panel
 * when asked, and asks the backend again when the panel says `forceRefresh`.
 */
export class PortalToken {
  constructor(account, status) {
    this.account = account;
    this.status = status;
    this.token = null;
    this.pending = null;
    this.pendingForced = false;
    this.generation = 0;
  }

  /** The panel's `getToken({ forceRefresh })`: a promise of the token string. */
  get({ forceRefresh = false } = {}) {
    this.status?.count(forceRefresh);
    return this.ready({ forceRefresh });
  }

  /** The token, from the backend unless the page holds one (or `forceRefresh`). */
  ready({ forceRefresh = false } = {}) {
    if (this.token && !forceRefresh) return Promise.resolve(this.token);
    // One backend call at a time; a forced refresh does not settle for a plain one in flight.
    if (this.pending && (this.pendingForced || !forceRefresh)) return this.pending;
    const generation = this.generation;
    const asked = fetchToken(this.account, forceRefresh).then(
      (token) => {
        if (generation === this.generation) this.token = token;
        return token;
      },
    ).finally(() => {
      if (this.pending === asked) this.pending = null;
    });
    this.pending = asked;
    this.pendingForced = forceRefresh;
    return asked;
  }

  /** Forgets the token (sign-out); a call still in flight no longer stores its answer. */
  clear() {
    this.generation += 1;
    this.token = null;
    this.pending = null;
  }
}

async function fetchToken(account, forceRefresh) {
  const resp = await fetch('/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ account, forceRefresh }),
    cache: 'no-store',
  });
  if (!resp.ok) throw new Error(`the portal backend refused a token: HTTP ${resp.status}`);
  const { accessToken } = await resp.json();
  if (typeof accessToken !== 'string') throw new Error('the portal backend sent no token');
  return accessToken;
}

/**
 * The on-page "Portal activity log": one line per event the panel reports
 * (`{ time, action, fileName, sha256, status, outcome, trackingId }`).
 */
export class ActivityLog {
  constructor(list) {
    this.list = list;
  }

  /** Appends one panel event; `who` prefixes the line when the page shows several panels. */
  event(e, who) {
    const li = document.createElement('li');
    li.dataset.source = 'panel';
    const time = new Date().toLocaleTimeString('en-GB');
    li.textContent = [time, who && `${who}:`, describe(e)].filter(Boolean).join(' ');
    this.list.append(li);
  }
}

function describe(e) {
  if (e && typeof e === 'object' && e.action) {
    let line = `${e.action} ${e.fileName ?? ''} → ${e.outcome ?? '?'}`;
    if (e.status != null) line += ` (HTTP ${e.status})`;
    if (e.trackingId) line += ` · tracking id ${e.trackingId}`;
    return line;
  }
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
