import { SchedulerRegistry } from '@nestjs/schedule';
import { fakeProviderError, inMemoryCertification } from '../testing/in-memory';
import { CertificationRecovery } from './certification-recovery';
import { CertificationRecoveryJob, RECOVERY_INTERVAL_NAME } from './recovery.job';

function setup(options: Parameters<typeof inMemoryCertification>[0] = {}) {
  const t = inMemoryCertification(options);
  const recovery = new CertificationRecovery(t.options, t.certifications, t.provider, t.recorder, t.reporter);
  return { ...t, recovery };
}

async function pending(t: ReturnType<typeof setup>, expiresInSeconds: number) {
  const { id } = await t.provider.requestOtp({ name: '홍길동', phone: '01012345678', birth: '900101', genderDigit: '1', carrier: 'SKT' });
  return t.certifications.seed({ impUid: id, otpExpiresAt: new Date(t.now().getTime() + expiresInSeconds * 1000) });
}

describe('CertificationRecovery.recoverPending', () => {
  it('records confirmed ones without a token and expires stale ones; recent ones are left alone', async () => {
    const t = setup();
    const confirmed = await pending(t, 180);
    await t.provider.confirmOtp(confirmed.impUid, t.provider.otpFor(confirmed.impUid));
    const stale = await pending(t, 10);
    t.advance(120);
    const recent = await pending(t, 180);
    const report = await t.recovery.recoverPending({ minAgeSeconds: 60 });
    expect(report).toEqual({ checked: 2, recovered: 1, expired: 1, failed: 0 });
    expect(t.certifications.rows.get(confirmed.id)!.status).toBe('verified');
    expect(t.tokens.tokens).toHaveLength(0);
    expect(t.certifications.rows.get(stale.id)!.status).toBe('expired');
    expect(t.certifications.rows.get(recent.id)!.status).toBe('pending');
  });

  it('expires one the provider does not know, and stops at the first unavailability', async () => {
    const t = setup();
    const unknown = t.certifications.seed({ impUid: 'imp_gone' });
    await pending(t, 180);
    await pending(t, 180);
    t.advance(120);
    t.provider.certifications.delete('imp_gone');
    t.provider.failNext('getCertification', fakeProviderError('not_found', 'getCertification'));
    t.provider.failNext('getCertification', fakeProviderError('failed', 'getCertification', { retryable: true }));
    const report = await t.recovery.recoverPending({ minAgeSeconds: 60, limit: 10 });
    expect(report).toEqual({ checked: 2, recovered: 0, expired: 1, failed: 1 });
    expect(t.certifications.rows.get(unknown.id)!.status).toBe('expired');
  });
});

describe('CertificationRecoveryJob', () => {
  it('registers its interval with the SchedulerRegistry and removes it on shutdown', async () => {
    const t = setup({ recovery: { intervalSeconds: 30 } });
    const registry = new SchedulerRegistry();
    const job = new CertificationRecoveryJob(t.options, t.recovery, registry);
    job.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([RECOVERY_INTERVAL_NAME]);
    await job.runOnce();
    await job.onModuleDestroy();
    expect(registry.doesExist('interval', RECOVERY_INTERVAL_NAME)).toBe(false);
  });

  it('does nothing without the recovery option, and runs nothing on its own without a registry', async () => {
    const off = setup();
    const registry = new SchedulerRegistry();
    new CertificationRecoveryJob(off.options, off.recovery, registry).onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
    const on = setup({ recovery: { intervalSeconds: 30 } });
    expect(() => new CertificationRecoveryJob(on.options, on.recovery).onApplicationBootstrap()).not.toThrow();
  });

  it('never overlaps two runs', async () => {
    const t = setup({ recovery: { intervalSeconds: 30, minAgeSeconds: 0 } });
    await pending(t, 180);
    const job = new CertificationRecoveryJob(t.options, t.recovery);
    const first = job.runOnce();
    const second = job.runOnce();
    await Promise.all([first, second]);
    expect(t.provider.calls.getCertification).toBe(1);
  });
});
