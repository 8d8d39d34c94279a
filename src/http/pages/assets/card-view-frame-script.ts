/**
 * The script of the Card View iframe (`/cardview/frame.js`): formats the fields, reports the
 * BIN and its height to the merchant page, applies the `style` of `init(config)` through the
 * CSSOM (allowed by the frame's CSP, unlike inline style markup), and on `submit` validates and
 * posts the card to `/cardview/submit` on our origin. Only the SessionId, brand and card
 * identifier ever go back to the merchant page.
 */
export const CARD_VIEW_FRAME_SCRIPT = String.raw`/* dawri Card View frame */
(function () {
  'use strict';
  var SOURCE = 'dawri-cardview';
  var params = new URLSearchParams(location.search);
  var parentOrigin = params.get('origin');
  var target = parentOrigin && parentOrigin !== 'null' ? parentOrigin : '*';
  var form = document.getElementById('card-form');
  var supportedNetworks = '';
  var errorStyle = {};

  function send(message) {
    message.source = SOURCE;
    if (window.parent !== window) window.parent.postMessage(message, target);
  }
  function reportHeight() { send({ type: 'height', height: document.documentElement.scrollHeight }); }

  var fields = form ? {
    holderName: document.getElementById('cardHolderName'),
    number: document.getElementById('cardNumber'),
    expiry: document.getElementById('expiryDate'),
    code: document.getElementById('securityCode')
  } : {};
  var messages = form ? form.dataset : {};

  function digits(text) { return (text || '').replace(/\D/g, ''); }
  function luhn(number) {
    if (!/^\d{12,19}$/.test(number)) return false;
    var sum = 0, double = false;
    for (var i = number.length - 1; i >= 0; i--) {
      var d = number.charCodeAt(i) - 48;
      if (double) { d *= 2; if (d > 9) d -= 9; }
      sum += d; double = !double;
    }
    return sum % 10 === 0;
  }

  var lastBin = null;
  function onNumberInput() {
    var raw = digits(fields.number.value).slice(0, 19);
    var amex = /^3[47]/.test(raw);
    var groups = amex ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var out = [], at = 0;
    for (var g = 0; g < groups.length && at < raw.length; g++) { out.push(raw.slice(at, at + groups[g])); at += groups[g]; }
    fields.number.value = out.join(' ');
    var bin = raw.length >= 6 ? raw.slice(0, 6) : null;
    if (bin !== lastBin) { lastBin = bin; send({ type: 'bin', bin: bin }); }
  }
  function onExpiryInput(event) {
    var raw = digits(fields.expiry.value).slice(0, 4);
    if (event && event.inputType === 'deleteContentBackward') { fields.expiry.value = fields.expiry.value.replace(/\/$/, ''); return; }
    fields.expiry.value = raw.length > 2 ? raw.slice(0, 2) + '/' + raw.slice(2) : (raw.length === 2 ? raw + '/' : raw);
  }

  function setError(name, message) {
    var input = fields[name];
    if (!input) return;
    var box = document.getElementById(input.id + '-error');
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      input.parentNode.classList.add('invalid');
      for (var key in errorStyle) input.style.setProperty(key, errorStyle[key]);
      if (box) { box.textContent = message; box.hidden = false; }
    } else {
      input.removeAttribute('aria-invalid');
      input.parentNode.classList.remove('invalid');
      for (var k in errorStyle) input.style.removeProperty(k);
      if (box) { box.textContent = ''; box.hidden = true; }
    }
    reportHeight();
  }

  function readCard() {
    var expiry = /^(\d{2})\/?(\d{2})$/.exec(fields.expiry.value.replace(/\s/g, ''));
    return {
      Number: digits(fields.number.value),
      ExpiryMonth: expiry ? expiry[1] : '',
      ExpiryYear: expiry ? expiry[2] : '',
      SecurityCode: fields.code.value.trim(),
      HolderName: fields.holderName.value.trim()
    };
  }

  function validate(card) {
    var errors = [];
    if (!luhn(card.Number)) errors.push({ field: 'number', message: messages.msgNumber });
    var month = Number(card.ExpiryMonth);
    if (!card.ExpiryMonth || month < 1 || month > 12) errors.push({ field: 'expiry', message: messages.msgExpiry });
    if (!/^\d{3,4}$/.test(card.SecurityCode)) errors.push({ field: 'code', message: messages.msgCode });
    return errors;
  }

  var SERVER_FIELDS = { number: 'number', expirymonth: 'expiry', expiryyear: 'expiry', securitycode: 'code', holdername: 'holderName' };
  function fromServer(list) {
    var errors = [];
    for (var i = 0; i < (list || []).length; i++) {
      var name = String(list[i].Name || '').split('.').pop().toLowerCase();
      var field = SERVER_FIELDS[name];
      if (name === 'sessionid') errors.push({ field: null, message: messages.msgSession });
      else if (field === 'number' && /brand/i.test(list[i].Error)) errors.push({ field: field, message: messages.msgBrand });
      else if (field) errors.push({ field: field, message: messages['msg' + (field === 'expiry' ? 'Expiry' : field === 'code' ? 'Code' : 'Number')] });
    }
    return errors;
  }

  function showErrors(errors) {
    ['holderName', 'number', 'expiry', 'code'].forEach(function (name) {
      var found = errors.filter(function (e) { return e.field === name; })[0];
      setError(name, found ? found.message : null);
    });
  }

  function finish(id, errors) {
    showErrors(errors);
    send({ type: 'result', id: id, ok: false, message: errors[0] ? errors[0].message : messages.msgNumber, errors: errors.map(function (e) { return { field: e.field, message: e.message }; }) });
    var first = errors.filter(function (e) { return e.field; })[0];
    if (first) fields[first.field].focus();
  }

  var busy = false;
  function submitCard(id) {
    if (!form) { send({ type: 'result', id: id, ok: false, message: document.querySelector('.problem').textContent, errors: [] }); return; }
    if (busy) { send({ type: 'result', id: id, ok: false, message: 'A submission is already in progress', errors: [] }); return; }
    var card = readCard();
    var errors = validate(card);
    if (errors.length > 0) { finish(id, errors); return; }
    busy = true;
    fetch('/cardview/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ SessionId: form.dataset.sessionId, SupportedNetworks: supportedNetworks, Card: card })
    }).then(function (response) {
      return response.json();
    }).then(function (body) {
      busy = false;
      if (body && body.IsSuccess) {
        showErrors([]);
        send({ type: 'result', id: id, ok: true, response: body.Data });
      } else {
        var mapped = fromServer(body && body.ValidationErrors);
        finish(id, mapped.length > 0 ? mapped : [{ field: null, message: (body && body.Message) || messages.msgSession }]);
      }
    }).catch(function () {
      busy = false;
      send({ type: 'result', id: id, ok: false, message: 'The card could not be sent; check your connection and try again', errors: [] });
    });
  }

  function px(value) { return typeof value === 'number' ? value + 'px' : String(value); }
  function applyStyle(style) {
    if (!style) return;
    if (style.direction === 'rtl' || style.direction === 'ltr') document.documentElement.dir = style.direction;
    var input = style.input || {};
    var label = style.label || {};
    var inputs = document.querySelectorAll('input');
    for (var i = 0; i < inputs.length; i++) {
      var s = inputs[i].style;
      if (input.color) s.color = input.color;
      if (input.fontSize) s.fontSize = px(input.fontSize);
      if (input.fontFamily) s.fontFamily = input.fontFamily;
      if (input.inputHeight) s.height = px(input.inputHeight);
      if (input.inputMargin !== undefined) s.marginBottom = px(input.inputMargin);
      if (input.borderColor) s.borderColor = input.borderColor;
      if (input.borderWidth !== undefined) s.borderWidth = px(input.borderWidth);
      if (input.borderRadius !== undefined) s.borderRadius = px(input.borderRadius);
      if (input.boxShadow) s.boxShadow = input.boxShadow;
    }
    var placeholders = input.placeHolder || {};
    if (form) {
      if (placeholders.holderName) fields.holderName.placeholder = placeholders.holderName;
      if (placeholders.cardNumber) fields.number.placeholder = placeholders.cardNumber;
      if (placeholders.expiryDate) fields.expiry.placeholder = placeholders.expiryDate;
      if (placeholders.securityCode) fields.code.placeholder = placeholders.securityCode;
    }
    var labels = document.querySelectorAll('label');
    var texts = label.text || {};
    var byField = { cardHolderName: texts.holderName, cardNumber: texts.cardNumber, expiryDate: texts.expiryDate, securityCode: texts.securityCode };
    for (var j = 0; j < labels.length; j++) {
      var l = labels[j];
      if (byField[l.htmlFor]) l.textContent = byField[l.htmlFor];
      // Hidden labels stay readable by screen readers.
      if (label.display === false) l.classList.add('visually-hidden');
      if (label.color) l.style.color = label.color;
      if (label.fontSize) l.style.fontSize = px(label.fontSize);
      if (label.fontWeight) l.style.fontWeight = String(label.fontWeight);
      if (label.fontFamily) l.style.fontFamily = label.fontFamily;
    }
    var error = style.error || {};
    errorStyle = {};
    if (error.borderColor) errorStyle['border-color'] = error.borderColor;
    if (error.borderRadius !== undefined) errorStyle['border-radius'] = px(error.borderRadius);
    if (error.boxShadow) errorStyle['box-shadow'] = error.boxShadow;
    reportHeight();
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || (target !== '*' && event.origin !== target)) return;
    var data = event.data;
    if (!data || data.source !== SOURCE) return;
    if (data.type === 'config' && data.config) {
      supportedNetworks = String(data.config.supportedNetworks || '');
      applyStyle(data.config.style);
    } else if (data.type === 'submit') {
      submitCard(data.id);
    }
  });

  if (form) {
    fields.number.addEventListener('input', onNumberInput);
    fields.expiry.addEventListener('input', onExpiryInput);
    form.addEventListener('submit', function (event) { event.preventDefault(); });
    ['holderName', 'number', 'expiry', 'code'].forEach(function (name) {
      fields[name].addEventListener('change', function () { setError(name, null); });
    });
  }
  if (typeof ResizeObserver === 'function') new ResizeObserver(reportHeight).observe(document.body);
  send({ type: 'ready' });
  reportHeight();
})();
`
