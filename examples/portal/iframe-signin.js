// The panel framed in its standalone (pkce) mode: nothing to connect, the portal only
// provides the frame.
import { loadConfig, showError } from './portal.js';

try {
  const { panelOrigin } = await loadConfig();
  const iframe = document.createElement('iframe');
  iframe.title = 'Live response library';
  iframe.className = 'panel-frame signin'; // a fixed 700px: nothing reports the panel's height
  iframe.allow = 'clipboard-write';
  iframe.src = `${panelOrigin}/`;
  document.getElementById('panel-place').replaceChildren(iframe);
} catch (e) {
  showError(`The library panel cannot be shown: ${e.message}`);
}
