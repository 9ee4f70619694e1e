import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DomainError } from '@app/common';
import { AgePolicyModule, AgePolicyService, AgeRestrictedError } from './index';

describe('AgeRestrictedError', () => {
  it('has a stable code, 403 and details { min_age, policy }', () => {
    const error = new AgeRestrictedError(19, 'calendar-year');
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('AGE_RESTRICTED');
    expect(error.status).toBe(403);
    expect(error.details).toEqual({ min_age: 19, policy: 'calendar-year' });
    expect(error.name).toBe('AgeRestrictedError');
    expect(error.message).toMatch(/19/);
    expect(error.message).toMatch(/calendar-year/);
  });

  it('carries neither the birthday nor the age when thrown by the service', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AgePolicyModule.forRoot({ clock: () => new Date('2026-03-14T15:30:00Z') })],
    }).compile();
    let caught: unknown;
    try {
      moduleRef.get(AgePolicyService).check('2013-07-21', { min: 14 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AgeRestrictedError);
    const text = JSON.stringify({ ...(caught as object), message: (caught as Error).message });
    expect(text).not.toMatch(/2013|07-21|0721/);
    expect(Object.keys((caught as AgeRestrictedError).details ?? {})).toEqual(['min_age', 'policy']);
    expect(text).not.toMatch(/"age"/);
    await moduleRef.close();
  });
});

describe('AgePolicyModule isGlobal', () => {
  @Injectable()
  class Consumer {
    constructor(readonly policy: AgePolicyService) {}
  }
  @Module({ providers: [Consumer] })
  class FeatureModule {}

  it('is not global by default', async () => {
    await expect(Test.createTestingModule({ imports: [AgePolicyModule.forRoot({}), FeatureModule] }).compile()).rejects.toThrow(
      /AgePolicyService/,
    );
  });

  it('isGlobal: true exposes the service everywhere', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AgePolicyModule.forRoot({ minAge: 19, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).policy.defaults.minAge).toBe(19);
    await moduleRef.close();
  });
});
