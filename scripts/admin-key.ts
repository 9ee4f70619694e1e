/** `npm run admin:key -- --id ops --scopes verifications:read+pii:reveal [--json]`: a new key, shown once (docs/admin.md). */
import { runAdminKeyCommand } from '@app/admin';

const { exitCode, stdout, stderr } = runAdminKeyCommand(process.argv.slice(2));
if (stdout) process.stdout.write(stdout);
if (stderr) process.stderr.write(stderr);
process.exitCode = exitCode;
