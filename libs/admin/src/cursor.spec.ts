import { decodeCursor, encodeCursor } from './cursor';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const T = '2025-03-04T05:06:07.123456Z';

describe('keyset cursors', () => {
  it('round-trips with microseconds', () => {
    const c = encodeCursor('certifications', { t: T, id: ID });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('certifications', c)).toEqual({ t: T, id: ID });
    expect(decodeCursor('audit', encodeCursor('audit', { t: T, id: '42' }))).toEqual({ t: T, id: '42' });
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'abc$%'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['padded', encodeCursor('certifications', { t: T, id: ID }) + '='],
    ['a JSON array', b64([1])],
    ['wrong version', b64({ v: 2, k: 'c', t: T, i: ID })],
    ['another list', encodeCursor('audit', { t: T, id: '42' })],
    ['extra field', b64({ v: 1, k: 'c', t: T, i: ID, x: 1 })],
    ['bad id', b64({ v: 1, k: 'c', t: T, i: "1' OR 1=1" })],
    ['milliseconds only', b64({ v: 1, k: 'c', t: '2025-03-04T05:06:07.123Z', i: ID })],
    ['impossible date', b64({ v: 1, k: 'c', t: '2025-02-30T05:06:07.123456Z', i: ID })],
    ['too long', 'A'.repeat(300)],
  ])('rejects %s with 400 VALIDATION_FAILED on cursor', (_case, raw) => {
    expect(() => decodeCursor('certifications', raw)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400, details: { fields: [expect.objectContaining({ field: 'cursor' })] } }),
    );
  });
});
