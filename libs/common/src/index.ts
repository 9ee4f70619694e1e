export { DomainError, ValidationFailedError } from './domain-error';
