// A load balancer in a few lines: forwards every request to TARGET (http://host:port) and appends
// the peer address it sees to X-Forwarded-For, as a real one does. Prints {"url": ...} on stdout.
import { createServer, request } from 'node:http';

const target = new URL(process.env.TARGET);
const server = createServer((req, res) => {
  const seen = req.socket.remoteAddress.replace(/^::ffff:/, '');
  const prior = req.headers['x-forwarded-for'];
  const headers = { ...req.headers, 'x-forwarded-for': prior ? `${prior}, ${seen}` : seen };
  const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
