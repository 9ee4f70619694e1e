import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { ValidationFailedError } from '../domain-error';
import { createValidationPipe } from './validation';

class ChildDto {
  @IsString()
  n!: string;
}

class BodyDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsInt()
  count?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => ChildDto)
  child?: ChildDto;

  @IsOptional()
  @IsObject()
  meta?: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  tags?: unknown[];
}

/** A DTO that does declare one of those names (`prototype`: the others are methods of Object for TypeScript). */
class DeclaresPrototypeDto {
  @IsOptional()
  @IsString()
  prototype?: string;
}

/** Object.prototype's own property names (valueOf, toString, constructor, __proto__, ...) and `prototype`. */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

const body = (metatype: ArgumentMetadata['metatype'] = BodyDto): ArgumentMetadata => ({ type: 'body', metatype, data: undefined });

/** Parsed like a JSON body parser does: `__proto__` becomes an own data property. */
const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
const withKey = (base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> =>
  JSON.parse(`${JSON.stringify(base).slice(0, -1)}${Object.keys(base).length ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`) as Record<string, unknown>;

async function refusal(value: unknown, metadata: ArgumentMetadata = body()): Promise<Array<{ field: string; message: string }>> {
  const pipe = createValidationPipe();
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    const e = error as ValidationFailedError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.status).toBe(400);
    return e.details!.fields as Array<{ field: string; message: string }>;
  }
  throw new Error('expected the pipe to refuse the value');
}

describe('createValidationPipe', () => {
  it('accepts a valid body and returns the DTO instance', async () => {
    const dto = await createValidationPipe().transform(json({ name: 'a', count: 2, child: { n: 'x' }, meta: { k: 1 }, tags: [1, { a: 2 }] }), body());
    expect(dto).toBeInstanceOf(BodyDto);
    expect(dto).toMatchObject({ name: 'a', count: 2, child: { n: 'x' }, meta: { k: 1 }, tags: [1, { a: 2 }] });
    expect((dto as BodyDto).child).toBeInstanceOf(ChildDto);
  });

  it('refuses an ordinary unknown field, naming it', async () => {
    expect(await refusal(json({ name: 'a', is_admin: true }))).toEqual([{ field: 'is_admin', message: 'is_admin is not an accepted field' }]);
  });

  it.each(PROTOTYPE_NAMES)('refuses a body key named %s like any unknown field', async (key) => {
    const value = withKey({ name: 'a' }, key, 1);
    expect(Object.keys(value)).toContain(key); // an own key, as a JSON body parser leaves it
    expect(await refusal(value)).toEqual([{ field: key, message: `${key} is not an accepted field` }]);
  });

  it('refuses them in a query object too (a null-prototype object, as query parsers build)', async () => {
    const query = Object.assign(Object.create(null) as Record<string, unknown>, { name: 'a', toString: 'x', hasOwnProperty: '1' });
    const fields = await refusal(query, { type: 'query', metatype: BodyDto, data: undefined });
    expect(fields.map((f) => f.field).sort()).toEqual(['hasOwnProperty', 'toString']);
  });

  it('names them along with every other problem of the same value', async () => {
    const fields = await refusal(withKey({ name: 5, extra: 1 }, 'valueOf', null));
    expect(fields).toEqual(
      expect.arrayContaining([
        { field: 'valueOf', message: 'valueOf is not an accepted field' },
        { field: 'extra', message: 'extra is not an accepted field' },
        expect.objectContaining({ field: 'name' }),
      ]),
    );
    expect(fields).toHaveLength(3);
  });

  it('refuses them in nested objects and arrays, with the dotted path', async () => {
    const value: unknown = JSON.parse(
      '{"name":"a","child":{"n":"x","constructor":1},"meta":{"ok":1,"toString":"x"},"tags":[{"a":1},{"isPrototypeOf":true}]}',
    );
    const fields = await refusal(value);
    expect(fields.map((f) => f.field).sort()).toEqual(['child.constructor', 'meta.toString', 'tags.1.isPrototypeOf']);
    expect(fields.find((f) => f.field === 'meta.toString')?.message).toBe('meta.toString is not an accepted field');
  });

  it('does not name a key inside a field that is refused whole', async () => {
    const fields = await refusal(JSON.parse('{"name":{"toString":""},"count":{"valueOf":1},"child":{"n":"x","valueOf":2}}'));
    expect(fields.map((f) => f.field).sort()).toEqual(['child.valueOf', 'count', 'name']);
  });

  it('does not look into an undeclared key: the key itself is the unknown field', async () => {
    const fields = await refusal(json({ name: 'a', extra: { valueOf: 1, nested: [{ toString: 1 }] } }));
    expect(fields).toEqual([{ field: 'extra', message: 'extra is not an accepted field' }]);
  });

  it('does not refuse a name the DTO declares as an unknown field', async () => {
    const pipe = createValidationPipe();
    const outcome = await pipe.transform(json({ prototype: 'x' }), body(DeclaresPrototypeDto)).then(
      () => [],
      (e: ValidationFailedError) => e.details!.fields as Array<{ message: string }>,
    );
    expect(outcome.filter((f) => f.message.includes('is not an accepted field'))).toEqual([]);
  });

  it('leaves values it does not validate alone (route params, primitives, non-DTO types)', async () => {
    const pipe = createValidationPipe();
    const weird = json({ valueOf: 1 });
    expect(await pipe.transform('imp_1', { type: 'param', metatype: String, data: 'imp_uid' })).toBe('imp_1');
    expect(await pipe.transform(weird, { type: 'body', metatype: Object, data: undefined })).toBe(weird);
    expect(await pipe.transform(weird, { type: 'custom', metatype: BodyDto, data: undefined })).toBe(weird);
  });
});
