import { HttpModule, type HttpModuleOptions } from '@nestjs/axios';
import type { DynamicModule, Type } from '@nestjs/common';

/**
 * Moves a configurable module's options providers into `holder`, a module both the client and its
 * own HttpModule import, so the options factory runs once and the HttpModule is built from it.
 */
export function withOwnHttpModule<O>(
  definition: DynamicModule,
  holder: Type<unknown>,
  optionsToken: string | symbol,
  httpOptions: (options: O) => HttpModuleOptions,
): DynamicModule {
  const options: DynamicModule = {
    module: holder,
    imports: definition.imports ?? [],
    providers: definition.providers ?? [],
    exports: [optionsToken],
  };
  const http = HttpModule.registerAsync({ imports: [options], inject: [optionsToken], useFactory: httpOptions });
  return { ...definition, imports: [options, http], providers: [] };
}
