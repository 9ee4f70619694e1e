const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The demo page: the popup and redirect buttons, the OTP form, the verified view and the last answer. */
export function demoPage(scriptUrl: string, provider: 'iamport' | 'portone' = 'iamport'): string {
  const upstream = provider === 'portone' ? 'PortOne V2 sandbox (<code>PortOne.requestIdentityVerification</code>)' : "i'mport sandbox (<code>IMP.certification</code>)";
  const scriptOrigin = new URL(scriptUrl).origin;
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' ${escape(scriptOrigin)}; style-src 'unsafe-inline'; connect-src 'self'; form-action ${escape(scriptOrigin)}">
<title>본인인증 demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 16px; max-width: 720px; color: #222; }
  h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 24px; }
  button { padding: 8px 14px; font-size: 15px; margin: 4px 6px 4px 0; }
  input, select { padding: 6px; font-size: 15px; margin: 2px 0; }
  .grid { display: grid; grid-template-columns: 9em 1fr; gap: 4px 8px; align-items: center; max-width: 420px; }
  pre { background: #f3f3f3; padding: 10px; white-space: pre-wrap; word-break: break-all; font-size: 13px; }
  .note { color: #666; font-size: 13px; }
  .verified { border: 1px solid #3a3; background: #efe; padding: 10px; }
  .message { color: #b00; min-height: 1.2em; }
</style>
<script src="${escape(scriptUrl)}"></script>
<script src="/demo/demo.js" defer></script>
</head>
<body>
<h1>휴대폰 본인인증 demo</h1>
<p class="note" data-testid="provider" data-provider="${provider}">Against the ${upstream}. Each verification runs in a flow started by <code>POST /certifications/window</code> and bound to this browser by a cookie.</p>

<h2>Certification window</h2>
<button type="button" data-testid="verify-popup">Verify in a popup</button>
<button type="button" data-testid="verify-redirect">Verify with a redirect (mobile)</button>
<p class="message" data-testid="message"></p>

<h2>OTP API</h2>
<form id="otp-form" class="grid" onsubmit="return false">
  <label for="otp-name">name</label><input id="otp-name" name="name">
  <label for="otp-birth">birth</label><input id="otp-birth" name="birth" placeholder="YYMMDD">
  <label for="otp-gender">gender_digit</label><input id="otp-gender" name="gender_digit" maxlength="1">
  <label for="otp-phone">phone</label><input id="otp-phone" name="phone">
  <label for="otp-carrier">carrier</label><select id="otp-carrier" name="carrier"><option>SKT</option><option>KT</option><option>LGT</option></select>
</form>
<button type="button" data-testid="otp-request">Send OTP</button>
<input id="otp-code" data-testid="otp-code" placeholder="OTP" maxlength="6">
<button type="button" data-testid="otp-confirm">Confirm OTP</button>

<h2>Result</h2>
<div class="verified" data-testid="verified" hidden></div>
<button type="button" data-testid="signup" hidden>Sign up</button>
<pre data-testid="result">(no answer yet)</pre>
</body>
</html>`;
}

/** The page's script: starts flows, calls IMP.certification, claims the result, signs up. */
export function demoScript(): string {
  return `(function () {
  'use strict';
  var flow = null, token = null, otpImpUid = null;
  var $ = function (id) { return document.querySelector('[data-testid="' + id + '"]'); };
  function api(method, path, body, quiet) {
    return fetch(path, {
      method: method,
      credentials: 'same-origin',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (json) {
        if (!quiet || !res.ok) $('result').textContent = JSON.stringify({ status: res.status, body: json }, null, 2);
        return { status: res.status, body: json };
      });
    });
  }
  // The next flow is started ahead of the click (the popup must open within it); quietly after a verification.
  function startFlow(quiet) {
    return api('POST', '/certifications/window', undefined, quiet).then(function (r) {
      flow = r.status === 201 ? r.body : null;
      if (flow && window.IMP) window.IMP.init(flow.imp_code);
    });
  }
  function showVerified(view) {
    token = view.verification_token;
    var box = $('verified');
    box.textContent = 'Verified: ' + view.name + ', born ' + view.birthday + ', age ' + view.age;
    box.hidden = false;
    $('signup').hidden = false;
  }
  function claim(impUid) {
    return api('POST', '/certifications', { imp_uid: impUid }).then(function (r) {
      if (r.status === 200) showVerified(r.body);
      return startFlow(true);
    });
  }
  function onWindow(rsp) {
    if (rsp.success) { $('message').textContent = ''; return claim(rsp.imp_uid); }
    $('message').textContent = 'Not verified: ' + rsp.error_msg + ' (' + rsp.error_code + ')';
    return startFlow(true);
  }
  // PortOne V2: the flow start names the verification; the promise answers it (or the browser comes back with it).
  function openV2(popup) {
    var type = popup ? 'POPUP' : 'REDIRECTION';
    var request = {
      storeId: flow.store_id,
      identityVerificationId: flow.imp_uid,
      channelKey: flow.channel_key,
      windowType: { pc: type, mobile: type },
      redirectUrl: location.origin + '/demo',
      bypass: { danal: { CPTITLE: document.title } }
    };
    if (flow.min_age !== null) request.bypass.danal.AGELIMIT = flow.min_age;
    window.PortOne.requestIdentityVerification(request).then(function (response) {
      if (response) onWindow(fromV2(response));
    });
  }
  function fromV2(response) {
    if (!response.code) return { success: true, imp_uid: response.identityVerificationId };
    return { success: false, imp_uid: response.identityVerificationId, error_code: response.pgCode || response.code, error_msg: response.message };
  }
  function open(popup) {
    if (!flow) return;
    if (flow.provider === 'portone') return openV2(popup);
    var param = { merchant_uid: flow.merchant_uid, company: document.title, popup: popup };
    if (flow.min_age !== null) param.min_age = flow.min_age;
    if (!popup) param.m_redirect_url = location.origin + '/demo';
    window.IMP.certification(param, onWindow);
  }
  $('verify-popup').addEventListener('click', function () { open(true); });
  $('verify-redirect').addEventListener('click', function () { open(false); });
  $('signup').addEventListener('click', function () { api('POST', '/users', { verification_token: token }); });
  $('otp-request').addEventListener('click', function () {
    var body = {};
    new FormData(document.getElementById('otp-form')).forEach(function (v, k) { body[k] = v; });
    api('POST', '/certifications/otp/request', body).then(function (r) { if (r.status === 201) otpImpUid = r.body.imp_uid; });
  });
  $('otp-confirm').addEventListener('click', function () {
    if (!otpImpUid) return;
    api('POST', '/certifications/otp/confirm/' + encodeURIComponent(otpImpUid), { otp: $('otp-code').value }).then(function (r) {
      if (r.status === 200) showVerified(r.body);
    });
  });
  // Back from the redirect flow: take the answer out of the URL (history, Referer) before anything else.
  var query = new URLSearchParams(location.search);
  var v2 = query.get('identityVerificationId') !== null;
  var back = v2 || query.get('imp_uid') !== null || query.get('success') !== null;
  if (back) history.replaceState(null, '', location.pathname);
  var rsp = !back ? null : v2
    ? fromV2({ identityVerificationId: query.get('identityVerificationId'), code: query.get('code'), pgCode: query.get('pgCode'), message: query.get('message') })
    : { success: query.get('success') === 'true', imp_uid: query.get('imp_uid'), error_code: query.get('error_code'), error_msg: query.get('error_msg') };
  if (rsp && rsp.success) { claim(rsp.imp_uid); return; }
  if (rsp) onWindow(rsp);
  else startFlow();
})();
`;
}
