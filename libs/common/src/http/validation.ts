import { ValidationError, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { ValidationFailedError } from '../domain-error';

type FieldError = { field: string; message: string };

/** Flattens class-validator errors to `[{field, message}]` with dotted paths. */
export function flattenValidationErrors(
  errors: ValidationError[],
  parent = '',
): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const e of errors) {
    // A key that is the empty string (`{"": 1}`) is named `""`, so every refusal names a field.
    const field = parent ? `${parent}.${e.property || '""'}` : e.property || '""';
    if (e.constraints) {
      // One message per field is enough; `whitelistValidation` means an unknown field.
      const [key, message] = Object.entries(e.constraints)[0];
      out.push({ field, message: key === 'whitelistValidation' ? unknownFieldMessage(field) : message });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

function unknownFieldMessage(field: string): string {
  return `${field} is not an accepted field`;
}

/**
 * Keys that never reach class-validator's whitelist check: Nest's ValidationPipe deletes
 * `__proto__`, `prototype` and `constructor` (stripProtoKeys), and class-transformer's
 * plainToInstance skips every key the instance already answers from Object.prototype
 * (`valueOf`, `toString`, `hasOwnProperty`, ...). Sent as body or query keys, they would be
 * dropped silently instead of refused as unknown fields.
 */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Declared types that say nothing about the properties of a nested value. */
const OPAQUE_TYPES: ReadonlySet<unknown> = new Set([Object, Array, String, Number, Boolean, Date, Map, Set, Promise]);

/** A JSON-like container to look into: an array, or an object of Object.prototype or none. */
function isPlainContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Bound of a body's or query's nesting (the object itself is level 1). class-transformer recurses
 * once per level: 20,000 nested arrays overflow its stack (a 500) well within the body limit.
 */
export const MAX_DEPTH = 8;

/** Whether plain objects and arrays nest deeper than `max` levels in `root` (an iterative walk). */
export function nestedDeeperThan(root: object, max: number): boolean {
  const pending: Array<{ value: object; depth: number }> = [{ value: root, depth: 1 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (depth > max) return true;
    for (const child of Object.values(value)) {
      if (isPlainContainer(child)) pending.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * The global ValidationPipe, plus two checks before it: nesting deeper than MAX_DEPTH is refused
 * before class-transformer runs; and own keys of the raw body or query (nested
 * plain objects and arrays included) named after an Object.prototype member or `prototype` are
 * refused like any unknown field, unless the DTO declares a property of that name. The walk is a
 * Set lookup per key, on the value as received, before anything strips those keys.
 */
class StrictKeysValidationPipe extends ValidationPipe {
  /** Property names with class-validator metadata (what the whitelist accepts), per class. */
  private readonly declaredCache = new WeakMap<object, ReadonlySet<string>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (
      (metadata.type === 'body' || metadata.type === 'query') &&
      typeof metatype === 'function' &&
      isPlainContainer(value) &&
      this.toValidate(metadata)
    ) {
      if (nestedDeeperThan(value, MAX_DEPTH)) {
        throw new ValidationFailedError([{ field: metadata.type, message: `${metadata.type} is nested deeper than ${MAX_DEPTH} levels` }]);
      }
      if (!Array.isArray(value)) {
        const refused = this.prototypeNamedKeys(value, metatype);
        if (refused.length > 0) throw await this.refusal(refused, value, metadata);
      }
    }
    return super.transform(value, metadata);
  }

  /**
   * The refused keys, with whatever else the regular validation finds wrong in the value. A key
   * inside a field that the regular validation refuses whole (e.g. `{"nickname": {"toString": 1}}`
   * where a string is expected) is not named on top of that field.
   */
  private async refusal(refused: FieldError[], value: unknown, metadata: ArgumentMetadata): Promise<ValidationFailedError> {
    let others: FieldError[] = [];
    try {
      await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        others = ((error.details?.fields as FieldError[] | undefined) ?? []).filter((f) => f.field !== 'body');
      }
    }
    const kept = refused.filter((r) => !others.some((o) => r.field.startsWith(`${o.field}.`)));
    const named = new Set(kept.map((f) => f.field));
    return new ValidationFailedError([...kept, ...others.filter((f) => !named.has(f.field))]);
  }

  private prototypeNamedKeys(root: object, metatype: unknown): FieldError[] {
    const refused: FieldError[] = [];
    const pending: Array<{ value: object; path: string; type: unknown }> = [{ value: root, path: '', type: metatype }];
    let seen: WeakSet<object> | undefined;
    while (pending.length > 0) {
      const { value, path, type } = pending.pop()!;
      if (Array.isArray(value)) {
        // The element type of an array property is not known here: items count as undeclared.
        for (const [index, item] of Object.entries(value)) {
          if (isPlainContainer(item)) pending.push({ value: item, path: `${path}.${index}`, type: undefined });
        }
        continue;
      }
      // A known class: only its declared properties are looked into (the whitelist refuses the
      // others whole). An unknown type (a free-form object, an array item): every key.
      const known = typeof type === 'function';
      const declared = this.declared(type);
      for (const key of Object.keys(value)) {
        const field = path ? `${path}.${key}` : key;
        if (PROTOTYPE_NAMES.has(key) && !declared.has(key)) {
          refused.push({ field, message: unknownFieldMessage(field) });
          continue;
        }
        if (known && !declared.has(key)) continue;
        const child = (value as Record<string, unknown>)[key];
        if (!isPlainContainer(child)) continue;
        seen ??= new WeakSet([root]);
        if (seen.has(child)) continue; // a cycle (not JSON, but a query or body parser could build one)
        seen.add(child);
        pending.push({ value: child, path: field, type: nestedType(type, key) });
      }
    }
    return refused;
  }

  private declared(type: unknown): ReadonlySet<string> {
    if (typeof type !== 'function') return EMPTY;
    let names = this.declaredCache.get(type);
    if (!names) {
      // Every metadata of the class and its parents, whatever its groups: what the whitelist knows.
      const metadatas = getMetadataStorage().getTargetValidationMetadatas(type, '', false, false);
      names = new Set(metadatas.map((m) => m.propertyName));
      this.declaredCache.set(type, names);
    }
    return names;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The class of a nested DTO property, from its TypeScript design type (undefined if unknown). */
function nestedType(type: unknown, key: string): unknown {
  if (typeof type !== 'function') return undefined;
  const designType = Reflect.getMetadata?.('design:type', type.prototype as object, key) as unknown;
  return typeof designType === 'function' && !OPAQUE_TYPES.has(designType) ? designType : undefined;
}

/**
 * The validation pipe of every route: DTO classes with class-validator, unknown fields
 * rejected (keys named after Object.prototype members included, which class-transformer would
 * otherwise drop silently), and failures answered as 400 VALIDATION_FAILED naming the fields.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictKeysValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      return new ValidationFailedError(fields.length ? fields : [{ field: 'body', message: 'invalid body' }]);
    },
  });
}
