import type { EnvironmentVariables } from './env.schema';

/** The sandbox's documented credentials (apps/iamport-sandbox): never a production upstream's. */
const SANDBOX_CREDENTIALS = { key: 'sandbox_imp_key', secret: 'sandbox_imp_secret', portoneSecret: 'sandbox_portone_api_secret' };

/**
 * What NODE_ENV=production refuses, one message per rule, values never shown (`invalid`: the
 * variables the schema already refused, not checked again here).
 */
export function productionProblems(vars: EnvironmentVariables, invalid: Set<string>): string[] {
  if (vars.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (vars.IDENTITY_PROVIDER === 'portone') problems.push(...portoneProblems(vars, invalid));
  else problems.push(...iamportProblems(vars, invalid));
  if (vars.DATABASE_URL === undefined && !invalid.has('DATABASE_URL')) {
    problems.push('DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)');
    if (vars.PII_ENCRYPTION_KEYS === undefined || vars.PII_HMAC_KEY === undefined) {
      // With DATABASE_URL the same requirement has its own message (app-config.ts).
      problems.push('PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required when NODE_ENV=production (generated keys are for development)');
    }
  }
  return problems;
}

/** i'mport V1 (IDENTITY_PROVIDER=iamport, the default). */
function iamportProblems(vars: EnvironmentVariables, invalid: Set<string>): string[] {
  const problems: string[] = [];
  const hasKey = vars.IAMPORT_IMP_KEY !== undefined;
  if (!hasKey) {
    problems.push('IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET are required when NODE_ENV=production');
  } else if (vars.IAMPORT_IMP_KEY === SANDBOX_CREDENTIALS.key || vars.IAMPORT_IMP_SECRET === SANDBOX_CREDENTIALS.secret) {
    problems.push("IAMPORT_IMP_KEY / IAMPORT_IMP_SECRET are the sandbox's credentials: not allowed when NODE_ENV=production");
  }
  // Without a key the upstream is the sandbox, already refused above.
  const baseUrl = vars.IAMPORT_BASE_URL;
  if (hasKey && baseUrl !== undefined && !invalid.has('IAMPORT_BASE_URL') && new URL(baseUrl).protocol !== 'https:' && vars.ALLOW_INSECURE_UPSTREAM !== true) {
    problems.push('IAMPORT_BASE_URL must be an https: URL when NODE_ENV=production (ALLOW_INSECURE_UPSTREAM=true allows http: on a private network)');
  }
  return problems;
}

/** PortOne V2 (IDENTITY_PROVIDER=portone): the same rules on its secret and base URL. */
function portoneProblems(vars: EnvironmentVariables, invalid: Set<string>): string[] {
  const problems: string[] = [];
  const hasSecret = vars.PORTONE_API_SECRET !== undefined;
  if (!hasSecret || vars.PORTONE_CHANNEL_KEY === undefined) {
    problems.push('PORTONE_API_SECRET and PORTONE_CHANNEL_KEY are required with IDENTITY_PROVIDER=portone when NODE_ENV=production');
  } else if (vars.PORTONE_API_SECRET === SANDBOX_CREDENTIALS.portoneSecret) {
    problems.push("PORTONE_API_SECRET is the sandbox's secret: not allowed when NODE_ENV=production");
  }
  // Without a secret the upstream is the sandbox, already refused above.
  const baseUrl = vars.PORTONE_BASE_URL;
  if (hasSecret && baseUrl !== undefined && !invalid.has('PORTONE_BASE_URL') && new URL(baseUrl).protocol !== 'https:' && vars.ALLOW_INSECURE_UPSTREAM !== true) {
    problems.push('PORTONE_BASE_URL must be an https: URL when NODE_ENV=production (ALLOW_INSECURE_UPSTREAM=true allows http: on a private network)');
  }
  return problems;
}
