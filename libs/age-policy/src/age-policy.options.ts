import type { AgeMode } from './age-policy';

/** Options of `AgePolicyModule.forRoot` / `forRootAsync`. */
export interface AgePolicyModuleOptions {
  /** Default minimum age (inclusive) where `@RequireAge` sets none. Default 14. */
  minAge?: number;
  /** Default way of counting. Default `'international'` (만 나이). */
  mode?: AgeMode;
  /** Source of "now" (tests, replays). Default `() => new Date()`. */
  clock?: () => Date;
}

export interface AgePolicyModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
}

export const DEFAULT_MIN_AGE = 14;
export const DEFAULT_AGE_MODE: AgeMode = 'international';
