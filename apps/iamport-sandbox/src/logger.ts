/** The sandbox's logger: one line per request with method, path (no query string, no verification id) and status. */
export interface SandboxLogger {
  log(message: string): void;
}

export const silentLogger: SandboxLogger = { log: () => undefined };

/** Writes to stdout without console.* (the code rules forbid console in src). */
export const stdoutLogger: SandboxLogger = {
  log: (message: string) => {
    process.stdout.write(`[iamport-sandbox] ${message}\n`);
  },
};

/**
 * A request's path as the log shows it: no query string (the inbox's phone), and the verification
 * id a path carries (V1 imp_uid, V2 identityVerificationId) replaced by its name, as no log line
 * may hold an imp_uid.
 */
export function logPathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path
    .replace(/^\/certifications\/otp\/confirm\/[^/]+$/, '/certifications/otp/confirm/:imp_uid')
    .replace(/^\/certifications\/[^/]+$/, '/certifications/:imp_uid')
    .replace(/^\/identity-verifications\/[^/]+/, '/identity-verifications/:id');
}
