import { Logger } from '@nestjs/common';
import { createHostApp } from './bootstrap';
import { loadHostConfig } from './config';

async function main(): Promise<void> {
  const { port } = loadHostConfig(process.env);
  const app = await createHostApp();
  await app.listen(port);
  new Logger('Host').log(`host listening on http://127.0.0.1:${port}/api (OpenAPI: /docs)`);
}

main().catch((error: unknown) => {
  new Logger('Host').error(`Boot failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
