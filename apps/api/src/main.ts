import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from './config/app-config';
import { createApi } from './bootstrap';
import { prepareRuntime } from './runtime';

async function main(): Promise<void> {
  const logger = new Logger('Main');
  let config;
  try {
    config = loadAppConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  if (config.iamport.usingSandbox) {
    logger.warn(`No IAMPORT_IMP_KEY: using the local sandbox at ${config.iamport.baseUrl} as upstream`);
  }
  const runtime = await prepareRuntime(config);
  const app = await createApi({ config, runtime });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await runtime.close();
  });
  await app.listen(config.port, config.host);
  logger.log(`api listening on http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
}

main().catch((e: unknown) => {
  new Logger('Main').error(`Boot failed: ${(e as Error).name}: ${(e as Error).message}`);
  process.exit(1);
});
