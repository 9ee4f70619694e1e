/** What UserModule reports to an observer (metrics). No personal data, no token. */
export type UserEventType =
  /** An account was created. */
  | 'signup_completed'
  /** The person already has an account (409 ALREADY_REGISTERED): the UNIQUE index decided. */
  | 'signup_conflict';

export interface UserEvent {
  type: UserEventType;
  /** The new account's id (signup_completed). */
  userId?: string;
}

/** Observer of UserEvents. It must not throw (errors are logged and ignored). */
export type UserEventListener = (event: UserEvent) => void;
