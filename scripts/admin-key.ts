/**
 * `npm run admin:key -- --id ops --scopes verifications:read+pii:reveal [--json]`: prints a new
 * admin API key (shown once) and its `ADMIN_API_KEYS` entry `id:sha256hex:scopes`. Nothing is
 * stored anywhere; add the entry to the api's environment and restart it.
 */
import { runAdminKeyCommand } from '@app/admin';

const { exitCode, stdout, stderr } = runAdminKeyCommand(process.argv.slice(2));
if (stdout) process.stdout.write(stdout);
if (stderr) process.stderr.write(stderr);
process.exitCode = exitCode;
