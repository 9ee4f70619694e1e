import { loadAppConfig } from '../config/app-config';

const host = { stdoutIsTTY: false };
const KEYS = { IAMPORT_IMP_KEY: 'key', IAMPORT_IMP_SECRET: 'secret' };

describe('the window flows and the demo page in the configuration', () => {
  it('with the local sandbox (no key): the demo page on, the sandbox merchant code and its iamport.js', () => {
    expect(loadAppConfig({}, host).window).toEqual({
      claimWindowSeconds: 600,
      startLimitPerIp: 30,
      redirectLimitPerIp: 60,
      impCode: 'imp00000000',
      scriptUrl: 'http://127.0.0.1:4010/v1/iamport.js',
      demoPage: true,
    });
    expect(loadAppConfig({ SANDBOX_PORT: '4999' }, host).window.scriptUrl).toBe('http://127.0.0.1:4999/v1/iamport.js');
  });

  it('with real keys: no demo page unless DEMO_PAGE=true, the CDN script, no merchant code unless given', () => {
    const production = {
      NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', IAMPORT_BASE_URL: 'https://api.iamport.kr',
      PII_ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=', PII_HMAC_KEY: 'MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
    };
    const real = loadAppConfig({ ...KEYS, ...production }, host).window;
    expect(real).toMatchObject({ demoPage: false, impCode: null, scriptUrl: 'https://cdn.iamport.kr/v1/iamport.js' });
    const enabled = loadAppConfig({ ...KEYS, DEMO_PAGE: 'true', IAMPORT_IMP_CODE: 'imp12345678' }, host).window;
    expect(enabled).toMatchObject({ demoPage: true, impCode: 'imp12345678' });
    // another upstream base URL (a sandbox elsewhere): its own iamport.js
    expect(loadAppConfig({ ...KEYS, IAMPORT_BASE_URL: 'http://sandbox:4010/' }, host).window.scriptUrl).toBe('http://sandbox:4010/v1/iamport.js');
    expect(loadAppConfig({ ...KEYS, IAMPORT_SCRIPT_URL: 'https://cdn.example/iamport.js' }, host).window.scriptUrl).toBe('https://cdn.example/iamport.js');
  });

  it('with IDENTITY_PROVIDER=portone: the V2 browser-sdk.js of the sandbox or of the CDN, the demo page on the V2 sandbox only', () => {
    const v2 = { IDENTITY_PROVIDER: 'portone' };
    expect(loadAppConfig(v2, host).window).toMatchObject({ scriptUrl: 'http://127.0.0.1:4010/v2/browser-sdk.js', demoPage: true });
    expect(loadAppConfig({ ...v2, PORTONE_BASE_URL: 'http://sandbox:4010' }, host).window.scriptUrl).toBe('http://sandbox:4010/v2/browser-sdk.js');
    const live = loadAppConfig({ ...v2, PORTONE_API_SECRET: 'live', PORTONE_CHANNEL_KEY: 'channel-key-live' }, host).window;
    expect(live).toMatchObject({ scriptUrl: 'https://cdn.portone.io/v2/browser-sdk.js', demoPage: false });
    expect(loadAppConfig({ ...v2, PORTONE_SCRIPT_URL: 'https://cdn.example/v2.js' }, host).window.scriptUrl).toBe('https://cdn.example/v2.js');
  });

  it('validates the claim window and the merchant code', () => {
    expect(() => loadAppConfig({ CERTIFICATION_CLAIM_WINDOW_SECONDS: '0' }, host)).toThrow(/CERTIFICATION_CLAIM_WINDOW_SECONDS must be between 1 and 86400/);
    expect(() => loadAppConfig({ IAMPORT_IMP_CODE: 'imp 1' }, host)).toThrow(/IAMPORT_IMP_CODE must be 1-40 letters/);
    expect(loadAppConfig({ CERTIFICATION_CLAIM_WINDOW_SECONDS: '120' }, host).window.claimWindowSeconds).toBe(120);
  });
});
