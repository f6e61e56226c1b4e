// The portal's side of the token bridge (auth.mode "bridge"), for a portal that shows the
// panel in an iframe and keeps the sign-in to itself.
//
//   <script src="https://panel.contoso.com/host-bridge.js"></script>
//   const bridge = MdeLibraryAdmin.connect(iframe, {
//     origin: 'https://panel.contoso.com',          // the panel's exact origin
//     getToken: ({ forceRefresh }) => msal.acquireTokenSilent(...).then(r => r.accessToken),
//     onEvent: (event) => audit(event),              // optional: each change the panel made
//   });
//   bridge.disconnect();                             // when the iframe goes
//
// It answers only that iframe's window, and only when the message comes from the panel's
// exact origin; every other message is ignored. It posts tokens to that window for that
// origin only, so a frame that navigated elsewhere never receives one. It sizes the iframe
// from the panel's resize messages. No dependencies; it defines MdeLibraryAdmin only.
(function () {
  'use strict';
  var PREFIX = 'mde-library-admin:';

  function connect(iframe, options) {
    if (!(iframe instanceof HTMLIFrameElement)) {
      throw new TypeError('MdeLibraryAdmin.connect: the first argument must be the panel\'s <iframe>');
    }
    var opts = options || {};
    var origin = opts.origin;
    if (typeof origin !== 'string' || origin.indexOf('*') >= 0 || new URL(origin).origin !== origin) {
      throw new TypeError('MdeLibraryAdmin.connect: origin must be the panel\'s exact origin, such as https://panel.contoso.com');
    }
    if (typeof opts.getToken !== 'function') {
      throw new TypeError('MdeLibraryAdmin.connect: getToken({ forceRefresh }) must be a function returning (a promise of) the access token');
    }
    var connected = true;

    function reply(message) {
      var target = iframe.contentWindow;
      if (connected && target) target.postMessage(message, origin);
    }

    function onMessage(event) {
      if (!connected || event.source !== iframe.contentWindow || event.origin !== origin) return;
      var data = event.data;
      if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
      if (data.type === PREFIX + 'token-request') {
        var id = data.id;
        if (typeof id !== 'string' || id === '') return;
        Promise.resolve()
          .then(function () { return opts.getToken({ forceRefresh: data.forceRefresh === true }); })
          .then(function (token) {
            if (typeof token !== 'string' || token === '') throw new Error('the portal has no token for the panel');
            reply({ type: PREFIX + 'token', id: id, accessToken: token });
          })
          .catch(function (error) {
            // The message is shown in the panel: the portal's words, never a token.
            var message = error && typeof error.message === 'string' ? error.message : 'the portal could not get a token';
            reply({ type: PREFIX + 'token-error', id: id, message: message });
          });
      } else if (data.type === PREFIX + 'event') {
        if (typeof opts.onEvent === 'function' && data.event && typeof data.event === 'object') {
          opts.onEvent(data.event);
        }
      } else if (data.type === PREFIX + 'resize') {
        var height = data.height;
        if (typeof height === 'number' && isFinite(height) && height > 0) {
          iframe.style.height = Math.ceil(height) + 'px';
        }
      }
    }

    window.addEventListener('message', onMessage);
    return {
      disconnect: function () {
        connected = false;
        window.removeEventListener('message', onMessage);
      },
    };
  }

  window.MdeLibraryAdmin = Object.freeze({ connect: connect });
})();
