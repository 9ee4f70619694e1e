import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import type { AppConfig } from './app-config';
import { APP_CONFIG, APP_CONFIG_NAMESPACE } from './app-config.provider';

/** ConfigService's typing of the api: `ConfigService<ApiConfig, true>`. */
export interface ApiConfig {
  [APP_CONFIG_NAMESPACE]: AppConfig;
}

/**
 * @nestjs/config for the api: ConfigModule (global) with the AppConfig that `loadAppConfig`
 * validated at boot (main.ts) as its `app` namespace, and the same object under APP_CONFIG for
 * the `forRootAsync` factories (`inject: [APP_CONFIG]`). No .env file is read: the environment
 * was read once, by the schema.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [registerAs(APP_CONFIG_NAMESPACE, () => config)],
        }),
      ],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (configService: ConfigService<ApiConfig, true>) => configService.get(APP_CONFIG_NAMESPACE, { infer: true }),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
