// Boots the compiled examples/monolith in a process of its own (Jest on Node 20 cannot load a
// CommonJS package that requires Nest's ES modules) and prints, as one JSON line, what the test
// reads from the application object; then answers `{id, sql, params}` lines on stdin with the
// rows of the app's own DataSource (PGlite takes one connection: the test cannot open another).
// `node host-harness.cjs host|minimal`, cwd examples/monolith.
const { join } = require('node:path');
const { createInterface } = require('node:readline');

async function main() {
  const dist = join(process.cwd(), 'dist');
  let app;
  if (process.argv[2] === 'host') {
    const { createHostApp } = require(join(dist, 'bootstrap.js'));
    app = await createHostApp({ logger: false, env: JSON.parse(process.env.HOST_ENV ?? '{}') });
  } else {
    const { NestFactory } = require('@nestjs/core');
    const { ExpressAdapter } = require('@nestjs/platform-express');
    const { MinimalHostModule } = require(join(dist, 'minimal-host.module.js'));
    app = await NestFactory.create(MinimalHostModule, new ExpressAdapter(), { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  const { DataSource } = require('typeorm');
  const dataSource = app.get(DataSource);
  const { type, synchronize, migrationsRun } = dataSource.options;
  const report = {
    url: `http://127.0.0.1:${app.getHttpServer().address().port}`,
    adapter: app.getHttpAdapter().getType(),
    options: { type, synchronize, migrationsRun },
    tables: dataSource.entityMetadatas.map((m) => m.tableName),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const { id, sql, params } = JSON.parse(line);
    dataSource.query(sql, params).then(
      (rows) => process.stdout.write(`${JSON.stringify({ id, rows })}\n`),
      (error) => process.stdout.write(`${JSON.stringify({ id, error: error.message })}\n`),
    );
  });
  process.once('SIGTERM', () => app.close().then(() => process.exit(0), () => process.exit(1)));
}

main().catch((error) => {
  process.stderr.write(`host-harness: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
