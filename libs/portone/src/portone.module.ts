import { Module } from '@nestjs/common';
import { IdentityVerificationClient } from '@portone/server-sdk';
import { PortOneClient } from './portone.client';
import { PORTONE_IDENTITY_VERIFICATION_API } from './portone.constants';
import { PORTONE_MODULE_OPTIONS, PortOneConfigurableModule } from './portone.module-definition';
import { resolvePortOneOptions, type PortOneModuleOptions } from './portone.options';

/**
 * `PortOneModule.forRoot({ baseUrl, apiSecret, storeId?, ... })` or `forRootAsync({ imports, inject,
 * useFactory })`; `isGlobal: true` registers it once. Provides and exports `PortOneClient`.
 */
@Module({
  providers: [
    {
      provide: PORTONE_IDENTITY_VERIFICATION_API,
      inject: [PORTONE_MODULE_OPTIONS],
      useFactory: (options: PortOneModuleOptions) => {
        const o = resolvePortOneOptions(options);
        return IdentityVerificationClient({ secret: o.apiSecret, baseUrl: o.baseUrl, storeId: o.storeId });
      },
    },
    PortOneClient,
  ],
  exports: [PortOneClient],
})
export class PortOneModule extends PortOneConfigurableModule {}
