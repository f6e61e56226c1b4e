// The panel framed from its own origin, with tokens from this portal: the portal signs the
// user in, keeps the delegated token in memory and answers the panel's token requests
// through host-bridge.js (MdeLibraryAdmin.connect), which also sizes the frame.
import {
  ACCOUNTS,
  ActivityLog,
  PortalToken,
  TokenStatus,
  loadConfig,
  loadScript,
  showError,
} from './portal.js';

const signin = document.getElementById('signin');
const signOutButton = document.getElementById('sign-out');
const who = document.getElementById('who');
const place = document.getElementById('panel-place');
const log = new ActivityLog(document.getElementById('activity-log'));
const status = new TokenStatus(document.getElementById('token-status'));

// Pinned (README "Integrity"): the portal runs only the host-bridge.js it reviewed. The panel's
// build fails when embed/host-bridge.js no longer has this digest.
const HOST_BRIDGE_INTEGRITY = 'sha384-2qCamwz9DKJtX33SaWEqIlGbGSW2c3qo7cgayhmrD4PycD33drB+Z36UNDEBHGi8';

let config = null;
let token = null; // the signed-in account's PortalToken
let connection = null; // what MdeLibraryAdmin.connect returned

async function start() {
  try {
    config = await loadConfig();
    await loadScript(`${config.panelOrigin}/host-bridge.js`, HOST_BRIDGE_INTEGRITY);
    if (typeof window.MdeLibraryAdmin?.connect !== 'function') {
      throw new Error('host-bridge.js did not define MdeLibraryAdmin.connect');
    }
  } catch (e) {
    showError(`The library panel cannot be shown: ${e.message}`);
    return;
  }
  for (const button of signin.querySelectorAll('button[data-account]')) {
    button.disabled = false;
    button.addEventListener('click', () => signIn(button.dataset.account));
  }
  signOutButton.addEventListener('click', signOut);
}

async function signIn(account) {
  token = new PortalToken(account, status);
  try {
    // The portal has a token before it shows anything that needs one.
    await token.ready();
  } catch (e) {
    token = null;
    showError(`Sign-in failed: ${e.message}`);
    return;
  }
  signin.hidden = true;
  signOutButton.hidden = false;
  who.textContent = `Signed in as ${ACCOUNTS[account]}`;

  const iframe = document.createElement('iframe');
  iframe.title = 'Live response library';
  iframe.className = 'panel-frame';
  iframe.allow = 'clipboard-write'; // the panel copies hashes and tracking ids
  iframe.src = `${config.panelOrigin}${config.bridgePath ?? "/bridge/"}`;
  place.replaceChildren(iframe);
  // In the same task as the insertion: the bridge listens before the panel can ask.
  connection = window.MdeLibraryAdmin.connect(iframe, {
    origin: config.panelOrigin,
    getToken: ({ forceRefresh = false } = {}) => token.get({ forceRefresh }),
    onEvent: (event) => log.event(event),
  });
}

function signOut() {
  connection?.disconnect();
  connection = null;
  token?.clear();
  token = null;
  place.replaceChildren();
  signOutButton.hidden = true;
  signin.hidden = false;
  who.textContent = 'Not signed in';
}

start();
