/**
 * `npm run bench -- --cpu-prof DIR` preloads this: it writes the profile on SIGTERM itself, since
 * Nest re-raises the signal after closing and node's own --cpu-prof would never write its file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // In-thread inspector sessions answer synchronously.
    session.post('Profiler.stop', (err, result) => {
      if (!err && result) writeFileSync(join(dir, `${process.env.BENCH_CPU_PROF_NAME ?? 'node'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.prependListener('SIGTERM', write);
  process.prependListener('SIGINT', write);
  process.once('beforeExit', write);
}
