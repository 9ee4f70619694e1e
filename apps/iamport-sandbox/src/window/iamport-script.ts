import { MESSAGES } from '../messages';
import { SHARED_SCRIPT } from './script-parts';

/**
 * `GET /v1/iamport.js`: `window.IMP` with `init(merchantCode)` and `certification(param, callback)`
 * as the upstream's browser SDK V1 documents them. The parameters travel to the window in a form
 * POST (never in a URL: they may carry a name and a phone number). A popup reports back by
 * postMessage; the redirect returns the browser to `m_redirect_url`.
 */
export function iamportScript(): string {
  const messages = JSON.stringify({
    cancelled: MESSAGES.windowCancelled,
    missingMerchantUid: MESSAGES.windowMissingMerchantUid,
    missingRedirectUrl: MESSAGES.windowMissingRedirectUrl,
  });
  return `/* iamport-sandbox: an emulation of the i'mport browser SDK V1 (certification only) */
(function () {
  'use strict';
  var MESSAGES = ${messages};
  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src).origin : location.origin;
  var merchantCode = null;

${SHARED_SCRIPT}
  function certification(param, callback) {
    param = param || {};
    var reply = typeof callback === 'function' ? callback : function () {};
    function fail(code, message, impUid) {
      reply({ success: false, imp_uid: impUid || null, merchant_uid: param.merchant_uid || null, error_code: code, error_msg: message });
    }
    if (!param.merchant_uid) return fail('F0000', MESSAGES.missingMerchantUid);
    // On a PC the window is always a popup; on mobile popup: false (the default) redirects.
    var redirect = isMobile() && param.popup !== true;
    if (redirect && !param.m_redirect_url) return fail('F0000', MESSAGES.missingRedirectUrl);
    var fields = {
      merchant_uid: param.merchant_uid,
      min_age: param.min_age,
      name: param.name,
      phone: param.phone,
      carrier: param.carrier,
      company: param.company,
      pg: param.pg,
      channel_key: param.channelKey,
      imp_code: merchantCode,
      mode: redirect ? 'redirect' : 'popup',
      origin: location.origin,
      m_redirect_url: redirect ? param.m_redirect_url : undefined
    };
    if (redirect) return submit('_self', fields);

    var name = 'imp_certification_' + Date.now();
    var done = false;
    var popup = openPopup(name, function () {
      finish({ success: false, imp_uid: null, merchant_uid: param.merchant_uid, error_code: 'F1002', error_msg: MESSAGES.cancelled });
    });
    if (!popup) return fail('F0000', MESSAGES.cancelled);
    function finish(rsp) {
      if (done) return;
      done = true;
      popup.stop();
      window.removeEventListener('message', onMessage);
      reply(rsp);
    }
    function onMessage(event) {
      var data = event.data;
      if (event.origin !== BASE || !data || data.source !== 'iamport-sandbox' || !data.rsp) return;
      if (data.rsp.merchant_uid !== param.merchant_uid) return;
      finish(data.rsp);
    }
    window.addEventListener('message', onMessage);
    submit(name, fields);
  }

  window.IMP = {
    init: function (code) { merchantCode = code; },
    certification: certification
  };
})();
`;
}
