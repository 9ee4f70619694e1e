import { DomainError, ValidationFailedError } from '@app/common';

export class CertificationNotFoundError extends DomainError {
  readonly code = 'CERTIFICATION_NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('No verification with this imp_uid');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'USER_NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('No such user');
  }
}

/** A 400 VALIDATION_FAILED naming one query field (the value is never echoed). */
export function invalidField(field: string, message: string): ValidationFailedError {
  return new ValidationFailedError([{ field, message }]);
}
