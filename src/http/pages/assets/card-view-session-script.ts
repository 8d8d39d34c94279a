/**
 * The Card View library merchants load from `/cardview/v{1,2,3}/session.js` (reference §3.3). It
 * defines `window.myFatoorah` with `init(config)` and `submit()`. The card fields live in an
 * iframe served by us, so card data never touches the merchant's page; the two talk through
 * postMessage, each checking the other's origin and window. Plain ES2017 for every browser;
 * no bundler. The origin of the frame is the origin this script was loaded from.
 */
export const CARD_VIEW_SESSION_SCRIPT = String.raw`/* dawri Card View (MyFatoorah v2 compatible) */
(function () {
  'use strict';
  var SOURCE = 'dawri-cardview';
  var current = document.currentScript;
  var ORIGIN = current && current.src ? new URL(current.src, location.href).origin : location.origin;
  var state = { frame: null, ready: false, queue: [], pending: {}, seq: 0, config: null };

  function fail(message) {
    var error = new Error(message);
    error.name = 'CardViewError';
    return error;
  }

  function post(message) {
    message.source = SOURCE;
    if (!state.frame || !state.frame.contentWindow) return;
    if (!state.ready) { state.queue.push(message); return; }
    state.frame.contentWindow.postMessage(message, ORIGIN);
  }

  window.addEventListener('message', function (event) {
    if (!state.frame || event.source !== state.frame.contentWindow || event.origin !== ORIGIN) return;
    var data = event.data;
    if (!data || data.source !== SOURCE) return;
    if (data.type === 'ready') {
      state.ready = true;
      post({ type: 'config', config: serializableConfig(state.config) });
      var queued = state.queue.splice(0);
      for (var i = 0; i < queued.length; i++) post(queued[i]);
    } else if (data.type === 'bin') {
      if (state.config && typeof state.config.onCardBinChanged === 'function') {
        try { state.config.onCardBinChanged(data.bin); } catch (error) { setTimeout(function () { throw error; }); }
      }
    } else if (data.type === 'height') {
      if (typeof data.height === 'number' && !(state.config && state.config.style && state.config.style.cardHeight)) {
        state.frame.style.height = Math.ceil(data.height) + 'px';
      }
    } else if (data.type === 'result') {
      var pending = state.pending[data.id];
      if (!pending) return;
      delete state.pending[data.id];
      clearTimeout(pending.timer);
      if (data.ok) {
        pending.resolve(data.response);
      } else {
        var error = fail(data.message || 'The card details are not valid');
        error.errors = data.errors || [];
        pending.reject(error);
      }
    }
  });

  function serializableConfig(config) {
    var style = config.style || {};
    return {
      supportedNetworks: Array.isArray(config.supportedNetworks) ? config.supportedNetworks.join(',') : (config.supportedNetworks || ''),
      style: JSON.parse(JSON.stringify(style))
    };
  }

  function init(config) {
    if (!config || typeof config !== 'object') throw fail('myFatoorah.init(config) needs a config object');
    if (!config.sessionId) throw fail('myFatoorah.init: sessionId is required (from InitiateSession)');
    if (!config.cardViewId) throw fail('myFatoorah.init: cardViewId is required (the id of the container element)');
    var container = document.getElementById(config.cardViewId);
    if (!container) throw fail('myFatoorah.init: no element with id "' + config.cardViewId + '"');
    if (state.frame && state.frame.parentNode) state.frame.parentNode.removeChild(state.frame);
    var style = config.style || {};
    var language = (config.language || (style.direction === 'rtl' ? 'ar' : 'en')).toString().toLowerCase() === 'ar' ? 'ar' : 'en';
    var frame = document.createElement('iframe');
    frame.src = ORIGIN + '/cardview/frame?sessionId=' + encodeURIComponent(config.sessionId) +
      '&countryCode=' + encodeURIComponent(config.countryCode || '') +
      '&language=' + language +
      '&origin=' + encodeURIComponent(location.origin);
    frame.title = language === 'ar' ? 'بيانات البطاقة' : 'Card details';
    frame.setAttribute('scrolling', 'no');
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.style.height = (style.cardHeight || 230) + 'px';
    frame.style.display = 'block';
    state = { frame: frame, ready: false, queue: [], pending: state.pending, seq: state.seq, config: config };
    container.appendChild(frame);
  }

  function submit() {
    return new Promise(function (resolve, reject) {
      if (!state.frame) { reject(fail('Call myFatoorah.init(config) before myFatoorah.submit()')); return; }
      var id = ++state.seq;
      var timer = setTimeout(function () {
        delete state.pending[id];
        reject(fail('The card form did not answer; check your network and try again'));
      }, 30000);
      state.pending[id] = { resolve: resolve, reject: reject, timer: timer };
      post({ type: 'submit', id: id });
    });
  }

  window.myFatoorah = { init: init, submit: submit };
})();
`
