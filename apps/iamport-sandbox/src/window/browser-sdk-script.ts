import { MESSAGES } from '../messages';
import { SHARED_SCRIPT } from './script-parts';

/**
 * `GET /v2/browser-sdk.js`: `window.PortOne.requestIdentityVerification(request)` as the PortOne
 * browser SDK V2 documents it, on the same window page as V1. It resolves to `{transactionType,
 * identityVerificationId, identityVerificationTxId, code?, message?, pgCode?, pgMessage?}`; with
 * windowType REDIRECTION (the mobile default) the browser goes to `redirectUrl` with them as query
 * parameters instead. `bypass.danal.AGELIMIT` is the window's minimum age, `CPTITLE` its service name.
 */
export function browserSdkScript(): string {
  const messages = JSON.stringify({
    cancelled: MESSAGES.windowCancelled,
    missingId: MESSAGES.windowMissingIdentityVerificationId,
    missingStoreId: MESSAGES.windowMissingStoreId,
    missingRedirectUrl: MESSAGES.windowMissingRedirectUrlV2,
    unsupportedType: MESSAGES.windowUnsupportedType,
  });
  return `/* iamport-sandbox: an emulation of the PortOne browser SDK V2 (identity verification only) */
(function () {
  'use strict';
  var MESSAGES = ${messages};
  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src).origin : location.origin;
${SHARED_SCRIPT}
  function toRedirect(redirectUrl, response) {
    var url = new URL(redirectUrl, location.href);
    Object.keys(response).forEach(function (key) {
      if (response[key] !== undefined && response[key] !== null) url.searchParams.set(key, response[key]);
    });
    location.href = url.toString();
  }

  function requestIdentityVerification(request) {
    request = request || {};
    return new Promise(function (resolve) {
      var id = request.identityVerificationId;
      function answer(code, message, extra) {
        var response = { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: id };
        if (code) { response.code = code; response.message = message; }
        Object.keys(extra || {}).forEach(function (key) { response[key] = extra[key]; });
        return response;
      }
      // Errors before the window opens are answered, never redirected (the SDK reference).
      if (!id) return resolve(answer('FAILURE_TYPE_INVALID_PARAMETER', MESSAGES.missingId));
      if (!request.storeId) return resolve(answer('FAILURE_TYPE_INVALID_PARAMETER', MESSAGES.missingStoreId));
      var device = isMobile() ? 'mobile' : 'pc';
      var type = (request.windowType && request.windowType[device]) || (device === 'mobile' ? 'REDIRECTION' : 'POPUP');
      if (type !== 'POPUP' && type !== 'REDIRECTION') return resolve(answer('FAILURE_TYPE_INVALID_PARAMETER', MESSAGES.unsupportedType));
      var redirect = type === 'REDIRECTION';
      if (redirect && !request.redirectUrl) return resolve(answer('FAILURE_TYPE_INVALID_PARAMETER', MESSAGES.missingRedirectUrl));
      var danal = (request.bypass && request.bypass.danal) || {};
      var customer = request.customer || {};
      var fields = {
        version: 'v2',
        identity_verification_id: id,
        store_id: request.storeId,
        channel_key: request.channelKey,
        min_age: danal.AGELIMIT,
        company: danal.CPTITLE,
        carrier: danal.IsCarrier,
        name: customer.fullName,
        phone: customer.phoneNumber,
        mode: redirect ? 'redirect' : 'popup',
        origin: location.origin,
        m_redirect_url: redirect ? new URL(request.redirectUrl, location.href).toString() : undefined
      };
      if (redirect) return submit('_self', fields);

      var done = false;
      function finish(response) {
        if (done) return;
        done = true;
        if (popup) popup.stop();
        window.removeEventListener('message', onMessage);
        if (request.forceRedirect && request.redirectUrl) return toRedirect(request.redirectUrl, response);
        resolve(response);
      }
      function onMessage(event) {
        var data = event.data;
        if (event.origin !== BASE || !data || data.source !== 'portone-sandbox' || !data.response) return;
        if (data.response.identityVerificationId !== id) return;
        finish(data.response);
      }
      var name = 'portone_identity_verification_' + Date.now();
      var popup = openPopup(name, function () {
        finish(answer('FAILURE_TYPE_PG', MESSAGES.cancelled, { pgCode: 'F1002', pgMessage: MESSAGES.cancelled }));
      });
      if (!popup) return resolve(answer('FAILURE_TYPE_PG', MESSAGES.cancelled, { pgCode: 'F1002', pgMessage: MESSAGES.cancelled }));
      window.addEventListener('message', onMessage);
      submit(name, fields);
    });
  }

  window.PortOne = { requestIdentityVerification: requestIdentityVerification };
})();
`;
}
