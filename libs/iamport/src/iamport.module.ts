import { Module, type DynamicModule } from '@nestjs/common';
import { IamportClient } from './iamport.client';
import { iamportHttpOptions } from './iamport.http';
import { withOwnHttpModule } from './own-http-module';
import {
  IAMPORT_ASYNC_OPTIONS_TYPE,
  IAMPORT_MODULE_OPTIONS,
  IAMPORT_OPTIONS_TYPE,
  IamportConfigurableModule,
} from './iamport.module-definition';
import type { IamportModuleOptions } from './iamport.options';
import { IAMPORT_TOKEN_STORE, InMemoryIamportTokenStore } from './token-store';

/** Holds the options of one IamportModule, so that its HttpModule can be built from them too. */
@Module({})
class IamportOptionsModule {}

/**
 * `IamportModule.forRoot({ baseUrl, impKey, impSecret, ... })` or `forRootAsync({ imports, inject,
 * useFactory })`; `isGlobal: true` registers it once for the application. Provides and exports
 * `IamportClient` and the token store (`IAMPORT_TOKEN_STORE`).
 */
@Module({
  providers: [
    {
      provide: IAMPORT_TOKEN_STORE,
      useFactory: (options: IamportModuleOptions) => options.tokenStore ?? new InMemoryIamportTokenStore(),
      inject: [IAMPORT_MODULE_OPTIONS],
    },
    IamportClient,
  ],
  exports: [IamportClient, IAMPORT_TOKEN_STORE],
})
export class IamportModule extends IamportConfigurableModule {
  static forRoot(options: typeof IAMPORT_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRoot(options));
  }

  static forRootAsync(options: typeof IAMPORT_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRootAsync(options));
  }
}

function withHttpModule(definition: DynamicModule): DynamicModule {
  return withOwnHttpModule(definition, IamportOptionsModule, IAMPORT_MODULE_OPTIONS, iamportHttpOptions);
}
