import { stdoutLogger, silentLogger } from './logger';
import { IamportSandbox, sandboxOptionsFromEnv } from './sandbox';
import { portoneOptionsFromEnv } from './v2/state';

/**
 * Runs the sandbox on SANDBOX_PORT (default 4010) and SANDBOX_HOST (default 127.0.0.1).
 * SANDBOX_LOG=off silences the per-request log lines.
 */
async function main(): Promise<void> {
  // Anyone who knows its documented credentials can mint "verified" identities: never a production service.
  if (process.env.NODE_ENV?.trim() === 'production') {
    throw new Error('refusing to run with NODE_ENV=production: the sandbox is a test double for development and CI only');
  }
  const portText = process.env.SANDBOX_PORT ?? '4010';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('SANDBOX_PORT must be a port number');
  const host = process.env.SANDBOX_HOST?.trim() || '127.0.0.1';
  const logger = process.env.SANDBOX_LOG === 'off' ? silentLogger : stdoutLogger;

  const sandbox = new IamportSandbox({ ...sandboxOptionsFromEnv(), ...portoneOptionsFromEnv(), logger });
  const url = await sandbox.listen(port, host);
  stdoutLogger.log(`listening on ${url} (host ${host})`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    stdoutLogger.log(`${signal} received, closing`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`[iamport-sandbox] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
