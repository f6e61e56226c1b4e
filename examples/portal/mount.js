// Two panels mounted in this page with embed.js, imported from the panel's origin:
// `mount(element, options)` resolves to a handle with `unmount()`. The handles are on
// `window.examplePanels` (an array), for the end-to-end tests; nothing else is global.
import { ActivityLog, PortalToken, TokenStatus, loadConfig, showError } from './portal.js';

const log = new ActivityLog(document.getElementById('activity-log'));
const status = new TokenStatus(document.getElementById('token-status'));
const unmountButton = document.getElementById('unmount');
const remountButton = document.getElementById('remount');

const views = [
  { account: 'admin', who: 'Admin', element: document.getElementById('admin-panel') },
  { account: 'reader', who: 'Reader', element: document.getElementById('reader-panel') },
];
for (const view of views) view.token = new PortalToken(view.account, status);

window.examplePanels = [];

let config;
let mount;
try {
  config = await loadConfig();
  ({ mount } = await import(`${config.panelOrigin}/embed.js`));
  if (typeof mount !== 'function') throw new Error('embed.js exports no mount()');
} catch (e) {
  showError(`The library panels cannot be shown: ${e.message}`);
}

function options(view) {
  return {
    apiBase: config.apiBase,
    auth: { mode: 'host' },
    rateLimit: config.rateLimit ?? { perMinute: 100, perHour: 1500 },
    getToken: ({ forceRefresh = false } = {}) => view.token.get({ forceRefresh }),
    onEvent: (event) => log.event(event, view.who),
  };
}

async function mountBoth() {
  remountButton.disabled = true;
  const results = await Promise.allSettled(views.map((v) => mount(v.element, options(v))));
  window.examplePanels = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) showError(`A panel could not be mounted: ${failed.reason?.message ?? failed.reason}`);
  unmountButton.disabled = window.examplePanels.length === 0;
  remountButton.disabled = window.examplePanels.length > 0;
}

async function unmountBoth() {
  unmountButton.disabled = true;
  const handles = window.examplePanels;
  window.examplePanels = [];
  try {
    await Promise.all(handles.map((h) => h.unmount()));
  } catch (e) {
    showError(`Unmounting failed: ${e.message}`);
  }
  remountButton.disabled = false;
}

if (mount) {
  unmountButton.addEventListener('click', unmountBoth);
  remountButton.addEventListener('click', mountBoth);
  await mountBoth();
}
