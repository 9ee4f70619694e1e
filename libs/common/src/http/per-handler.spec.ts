import type { ExecutionContext } from '@nestjs/common';
import { PerHandler } from './per-handler';

function contextOf(handler: object, controller: object): ExecutionContext {
  return { getHandler: () => handler, getClass: () => controller } as unknown as ExecutionContext;
}

describe('PerHandler', () => {
  it('reads once per handler and controller, and keeps falsy answers too', () => {
    const reads: string[] = [];
    const values = new Map<object, string | undefined>();
    const cache = new PerHandler((handler, controller) => {
      reads.push(`${(controller as { name: string }).name}.${(handler as { name: string }).name}`);
      return values.get(handler);
    });
    class A {}
    class B extends A {}
    function create() {}
    function list() {}
    values.set(create, 'signup');
    for (let i = 0; i < 3; i++) {
      expect(cache.of(contextOf(create, A))).toBe('signup');
      expect(cache.of(contextOf(list, A))).toBeUndefined();
      expect(cache.of(contextOf(create, B))).toBe('signup');
    }
    expect(reads).toEqual(['A.create', 'A.list', 'B.create']);
  });
});
