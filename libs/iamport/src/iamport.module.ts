import { Module } from '@nestjs/common';
import { IamportClient } from './iamport.client';
import { IamportConfigurableModule, IAMPORT_MODULE_OPTIONS } from './iamport.module-definition';
import type { IamportModuleOptions } from './iamport.options';
import { IAMPORT_TOKEN_STORE, InMemoryIamportTokenStore } from './token-store';

/**
 * `IamportModule.forRoot({ baseUrl, impKey, impSecret, ... })` or
 * `IamportModule.forRootAsync({ imports, inject, useFactory })`; `isGlobal: true` to register
 * it once for the whole application. Provides and exports `IamportClient` and the token store
 * (`IAMPORT_TOKEN_STORE`: `options.tokenStore`, else an in-memory store).
 *
 * HTTP: the client talks node:http(s) through keep-alive agents of its own (no redirects, no
 * shared HTTP module), so interceptors registered elsewhere never see the Authorization header
 * or the personal data in request bodies.
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
export class IamportModule extends IamportConfigurableModule {}
