import { MESSAGES } from '../messages';
import type { WindowSession } from './window-session';

export interface WindowPrefill {
  name: string;
  phone: string;
  carrier: string;
  company: string;
}

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** In a `<script>`: JSON with `<` escaped, so no value can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The certification window: a plain carrier-like form (the upstream's field names), and a box
 * marked SANDBOX ONLY that shows the OTP just sent.
 */
export function windowPage(session: WindowSession, prefill: WindowPrefill): string {
  const carrier = (value: string, label: string) =>
    `<option value="${value}"${prefill.carrier === value ? ' selected' : ''}>${label}</option>`;
  const config = {
    session: session.id,
    version: session.version,
    txId: session.txId,
    initialError: session.initialError,
    mode: session.mode,
    merchantUid: session.merchantUid,
    openerOrigin: session.openerOrigin,
    redirectUrl: session.redirectUrl,
    cancelled: MESSAGES.windowCancelled,
  };
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>휴대폰 본인인증 (sandbox)</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #222; }
  header { background: #e4002b; color: #fff; padding: 14px 18px; font-weight: 600; }
  main { padding: 16px 18px; max-width: 420px; }
  label { display: block; margin: 10px 0 4px; font-size: 14px; }
  input, select { width: 100%; box-sizing: border-box; padding: 8px; font-size: 15px; border: 1px solid #bbb; border-radius: 4px; }
  .row { display: flex; gap: 8px; } .row > div { flex: 1; }
  button { margin-top: 14px; width: 100%; padding: 10px; font-size: 15px; border: 0; border-radius: 4px; background: #e4002b; color: #fff; }
  button.secondary { background: #888; }
  .error { color: #c00; margin-top: 10px; min-height: 1.2em; font-size: 14px; }
  .sandbox { margin-top: 14px; padding: 10px; border: 2px dashed #f0a000; background: #fff8e0; font-size: 14px; }
  .sandbox strong { font-size: 20px; letter-spacing: 3px; }
  .company { font-size: 13px; color: #555; }
</style>
</head>
<body>
<header>휴대폰 본인인증</header>
<main>
  ${prefill.company ? `<p class="company">${escape(prefill.company)}</p>` : ''}
  <form id="person" autocomplete="off" onsubmit="return false">
    <label for="name">이름</label>
    <input id="name" name="name" value="${escape(prefill.name)}">
    <div class="row">
      <div><label for="birth">생년월일 (YYMMDD)</label><input id="birth" name="birth" inputmode="numeric" maxlength="8"></div>
      <div><label for="gender_digit">주민번호 뒤 첫자리</label><input id="gender_digit" name="gender_digit" inputmode="numeric" maxlength="1"></div>
    </div>
    <label for="carrier">통신사</label>
    <select id="carrier" name="carrier">${carrier('SKT', 'SKT')}${carrier('KT', 'KT')}${carrier('LGT', 'LG U+')}</select>
    <label><input type="checkbox" name="is_mvno" value="true" style="width:auto"${prefill.carrier === 'MVNO' ? ' checked' : ''}> 알뜰폰</label>
    <label for="phone">휴대폰번호</label>
    <input id="phone" name="phone" inputmode="tel" value="${escape(prefill.phone)}">
    <button type="button" data-testid="send-otp">인증번호 요청</button>
  </form>
  <label for="otp">인증번호</label>
  <input id="otp" name="otp" inputmode="numeric" maxlength="6">
  <button type="button" data-testid="confirm-otp">확인</button>
  <button type="button" class="secondary" data-testid="cancel">취소</button>
  <div class="error" data-testid="window-error" role="alert"></div>
  <div class="sandbox" data-testid="sandbox-otp" hidden>SANDBOX ONLY: the OTP just sent is <strong></strong> (also in /__sandbox/inbox). A real carrier texts it.</div>
</main>
<script>
(function () {
  var C = ${scriptJson(config)};
  var impUid = null;
  var finished = false;
  var $ = function (sel) { return document.querySelector(sel); };
  function showError(message) { $('[data-testid="window-error"]').textContent = message || ''; }
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { return { ok: res.ok, json: json }; }); });
  }
  function finish(rsp) {
    if (finished) return;
    finished = true;
    if (C.version === 'v2') return finishV2(rsp);
    rsp.merchant_uid = C.merchantUid;
    if (C.mode === 'popup') {
      if (window.opener) window.opener.postMessage({ source: 'iamport-sandbox', rsp: rsp }, C.openerOrigin || '*');
      setTimeout(function () { window.close(); }, 50);
      return;
    }
    var url = new URL(C.redirectUrl);
    url.searchParams.set('imp_uid', rsp.imp_uid || '');
    url.searchParams.set('merchant_uid', C.merchantUid);
    url.searchParams.set('success', String(rsp.success));
    if (!rsp.success) {
      url.searchParams.set('error_code', rsp.error_code);
      url.searchParams.set('error_msg', rsp.error_msg);
    }
    location.replace(url.toString());
  }
  // PortOne V2: the SDK's response (a failure has code and message; the PG's own code in pgCode).
  function finishV2(rsp) {
    var response = { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: C.merchantUid, identityVerificationTxId: C.txId };
    if (!rsp.success) {
      response.code = rsp.v2_code || 'FAILURE_TYPE_PG';
      response.message = rsp.error_msg;
      if (!rsp.v2_code) { response.pgCode = rsp.error_code; response.pgMessage = rsp.error_msg; }
    }
    if (C.mode === 'popup') {
      if (window.opener) window.opener.postMessage({ source: 'portone-sandbox', response: response }, C.openerOrigin || '*');
      setTimeout(function () { window.close(); }, 50);
      return;
    }
    var url = new URL(C.redirectUrl);
    Object.keys(response).forEach(function (key) { url.searchParams.set(key, response[key]); });
    location.replace(url.toString());
  }
  function fail(code, message) { finish({ success: false, imp_uid: impUid, error_code: code, error_msg: message }); }
  $('[data-testid="send-otp"]').addEventListener('click', function () {
    var form = new FormData($('#person'));
    var body = { session: C.session };
    form.forEach(function (value, key) { body[key] = value; });
    showError('');
    post('/v1/certification/otp', body).then(function (r) {
      if (!r.ok) {
        if (r.json.error_code === 'MIN_AGE') return fail('MIN_AGE', r.json.message);
        return showError(r.json.message);
      }
      impUid = r.json.imp_uid;
      var box = $('[data-testid="sandbox-otp"]');
      box.querySelector('strong').textContent = r.json.sandbox_otp;
      box.hidden = false;
      $('#otp').focus();
    });
  });
  $('[data-testid="confirm-otp"]').addEventListener('click', function () {
    showError('');
    post('/v1/certification/confirm', { session: C.session, otp: $('#otp').value }).then(function (r) {
      if (!r.ok) return showError(r.json.message);
      finish({ success: true, imp_uid: r.json.imp_uid, error_code: null, error_msg: null });
    });
  });
  $('[data-testid="cancel"]').addEventListener('click', function () { fail('F1002', C.cancelled); });
  if (C.initialError) finish({ success: false, v2_code: C.initialError.code, error_msg: C.initialError.message });
  window.addEventListener('pagehide', function () { if (C.mode === 'popup' && !finished && window.opener) fail('F1002', C.cancelled); });
})();
</script>
</body>
</html>`;
}
