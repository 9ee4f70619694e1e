/** What UserModule reports to an observer (metrics). No personal data, no token. */
export type UserEventType =
  /** An account was created. */
  | 'signup_completed'
  /** The person already has an account (409 ALREADY_REGISTERED): the UNIQUE index decided. */
  | 'signup_conflict'
  /** An account was erased (its id only). */
  | 'account_erased';

export interface UserEvent {
  type: UserEventType;
  /** The account's id (signup_completed, account_erased). */
  userId?: string;
}

/** Observer of UserEvents. It must not throw (errors are logged and ignored). */
export type UserEventListener = (event: UserEvent) => void;
