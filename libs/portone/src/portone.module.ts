import { HttpService } from '@nestjs/axios';
import { Module, type DynamicModule } from '@nestjs/common';
// The subpath alone: the package root loads every API of the SDK (~9 MB more RSS).
import { IdentityVerificationClient } from '@portone/server-sdk/identityVerification';
import { upstreamHttpOptions, withOwnHttpModule } from '@app/iamport';
import { PortOneClient } from './portone.client';
import { PORTONE_IDENTITY_VERIFICATION_API } from './portone.constants';
import { PortOneHttpApi } from './portone-http.api';
import { PORTONE_ASYNC_OPTIONS_TYPE, PORTONE_MODULE_OPTIONS, PORTONE_OPTIONS_TYPE, PortOneConfigurableModule } from './portone.module-definition';
import { resolvePortOneOptions, type PortOneModuleOptions } from './portone.options';

/** Holds the options of one PortOneModule, so that its HttpModule can be built from them too. */
@Module({})
class PortOneOptionsModule {}

/**
 * `PortOneModule.forRoot({ baseUrl, apiSecret, storeId?, ... })` or `forRootAsync({ imports, inject,
 * useFactory })`; `isGlobal: true` registers it once. Provides and exports `PortOneClient`.
 */
@Module({
  providers: [
    {
      provide: PORTONE_IDENTITY_VERIFICATION_API,
      inject: [PORTONE_MODULE_OPTIONS, HttpService],
      useFactory: (options: PortOneModuleOptions, http: HttpService) => {
        const o = resolvePortOneOptions(options);
        if (o.transport === 'fetch') return IdentityVerificationClient({ secret: o.apiSecret, baseUrl: o.baseUrl, storeId: o.storeId });
        return new PortOneHttpApi(http, o.apiSecret, o.storeId);
      },
    },
    PortOneClient,
  ],
  exports: [PortOneClient],
})
export class PortOneModule extends PortOneConfigurableModule {
  static forRoot(options: typeof PORTONE_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRoot(options));
  }

  static forRootAsync(options: typeof PORTONE_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withHttpModule(super.forRootAsync(options));
  }
}

function withHttpModule(definition: DynamicModule): DynamicModule {
  return withOwnHttpModule(definition, PortOneOptionsModule, PORTONE_MODULE_OPTIONS, (options: PortOneModuleOptions) =>
    upstreamHttpOptions({ baseUrl: options?.baseUrl, timeoutMs: options?.timeoutMs }),
  );
}
