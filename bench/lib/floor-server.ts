import { createServer } from 'node:http';
import { join } from 'node:path';
import { freePort, NodeChild } from './processes';
import type { StartedServer } from './servers';

/**
 * The machine's floor under an admin request: a bare node:http server in its own process
 * answering every request with a fixed JSON body the size of a list page, measured by the same
 * sequential client. Its p99 is the jitter the machine adds whatever the api does.
 */
export async function startFloorServer(): Promise<StartedServer> {
  const port = await freePort();
  const child = new NodeChild('floor', join(__dirname, 'floor-server.js'), { PATH: process.env.PATH, FLOOR_PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await child.waitHealthy(`${url}/`, 10_000);
  return { url, child, stop: () => child.stop(2000) };
}

if (require.main === module) {
  const item = { imp_uid: 'imp_000000000001', flow: 'otp', status: 'used', provider: 'iamport', name: '김*희', phone: '010-****-1234', birthday: '1988-**-**' };
  const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 20 }, () => item), next_cursor: 'x'.repeat(80) }));
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  }).listen(Number(process.env.FLOOR_PORT), '127.0.0.1');
}
