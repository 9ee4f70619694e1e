import type { ArgumentMetadata } from '@nestjs/common';
import { IsObject, IsOptional, IsString } from 'class-validator';
import { ValidationFailedError } from '../domain-error';
import { createValidationPipe, MAX_DEPTH, nestedDeeperThan } from './validation';

class BodyDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsObject()
  meta?: Record<string, unknown>;
}

const body: ArgumentMetadata = { type: 'body', metatype: BodyDto, data: undefined };

/** `levels` levels of arrays, as JSON.parse builds them (the outermost is level 1). */
function nestedArrays(levels: number): unknown[] {
  return JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown[];
}

function nestedObjects(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { name: 'a' };
  for (let i = 1; i < levels; i++) value = { name: 'a', meta: value };
  return value;
}

async function refusalOf(value: unknown): Promise<unknown> {
  try {
    await createValidationPipe().transform(value, body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).details;
  }
  throw new Error('expected a refusal');
}

describe('the nesting bound of the validation pipe', () => {
  it('measures depth without recursion (the object itself is level 1)', () => {
    expect(nestedDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestedDeeperThan({ a: { b: [] } }, 2)).toBe(true);
    expect(nestedDeeperThan(nestedArrays(200_000), MAX_DEPTH)).toBe(true);
    expect(nestedDeeperThan(nestedObjects(MAX_DEPTH), MAX_DEPTH)).toBe(false);
  });

  it(`accepts ${MAX_DEPTH} levels and refuses ${MAX_DEPTH + 1} as 400 VALIDATION_FAILED naming the body`, async () => {
    await expect(createValidationPipe().transform(nestedObjects(MAX_DEPTH), body)).resolves.toBeInstanceOf(BodyDto);
    expect(await refusalOf(nestedObjects(MAX_DEPTH + 1))).toEqual({
      fields: [{ field: 'body', message: `body is nested deeper than ${MAX_DEPTH} levels` }],
    });
  });

  it('refuses 20,000 nested arrays, as a body or as a field, before class-transformer overflows', async () => {
    expect(await refusalOf(nestedArrays(20_000))).toEqual({ fields: [{ field: 'body', message: expect.any(String) }] });
    expect(await refusalOf({ name: 'a', meta: { x: nestedArrays(20_000) } })).toEqual({ fields: [{ field: 'body', message: expect.any(String) }] });
  });
});
