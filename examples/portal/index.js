// Home page: links to the proxy-mode portal, which lives on the panel's origin.
import { loadConfig, showError } from './portal.js';

const links = document.getElementById('proxy-links');
try {
  const cfg = await loadConfig();
  if (cfg.proxyPortal) {
    const link = (account, label) => {
      const a = document.createElement('a');
      a.href = `${cfg.panelOrigin}/portal/sign-in?account=${account}`;
      a.textContent = label;
      return a;
    };
    links.replaceChildren(
      link('admin', 'open it as Ada Admin'),
      ' or ',
      link('reader', 'as Riley Reader'),
      '.',
    );
  } else {
    links.textContent = '(off: start the simulator with --portal).';
  }
} catch (e) {
  links.textContent = '(unavailable)';
  showError(`The portal's settings could not be read: ${e.message}`);
}
