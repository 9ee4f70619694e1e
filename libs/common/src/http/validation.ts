import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from '../domain-error';

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
      out.push({ field, message: key === 'whitelistValidation' ? `${field} is not an accepted field` : message });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/**
 * The validation pipe of every route: DTO classes with class-validator, unknown fields
 * rejected, and failures answered as 400 VALIDATION_FAILED naming the fields.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
