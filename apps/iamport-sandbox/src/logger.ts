/** The sandbox's logger: one line per request with method, path (no query string) and status. */
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
