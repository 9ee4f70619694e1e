import { DomainError } from '@app/common';

/** No verification token like this one (never issued, or its verification was erased). */
export class VerificationNotFoundError extends DomainError {
  readonly code = 'VERIFICATION_NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('Unknown verification token');
  }
}

/** The verification token (or its verification) was already used for a signup. */
export class VerificationUsedError extends DomainError {
  readonly code = 'VERIFICATION_USED';
  readonly status = 409;
  constructor() {
    super('This verification was already used');
  }
}

/** The verification token's lifetime passed: verify again. */
export class VerificationExpiredError extends DomainError {
  readonly code = 'VERIFICATION_EXPIRED';
  readonly status = 410;
  constructor() {
    super('The verification token has expired; verify again');
  }
}

/** This person (same CI) has an account already: one account per person. */
export class AlreadyRegisteredError extends DomainError {
  readonly code = 'ALREADY_REGISTERED';
  readonly status = 409;
  constructor() {
    super('This person already has an account');
  }
}

/** The account was erased (a tombstone remains: its id, when and why). */
export class AccountErasedError extends DomainError {
  readonly code = 'ACCOUNT_ERASED';
  readonly status = 404;
  constructor() {
    super('This account was erased');
  }
}
