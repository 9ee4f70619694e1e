import type { UserEventListener } from './user.events';

/** Options of `UserModule.forRoot` / `forRootAsync`. */
export interface UserModuleOptions {
  /** Observer of signups (metrics): see `UserEvent`. Must not throw. */
  onEvent?: UserEventListener;
  /** Source of "now" for token expiry (tests). Default `() => new Date()`. */
  clock?: () => Date;
  /**
   * Hours a used verification keeps its own copy of the personal data after the signup (then
   * retention erases it). Default 0: the signup erases it, the account holds the only copy.
   */
  keepVerificationPiiHours?: number;
}

export interface UserModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
  /** Name of the host's TypeORM DataSource (default: the default DataSource). */
  dataSource?: string;
  /** Mount `UserController` (`POST /users`). Default true. */
  controller?: boolean;
}
