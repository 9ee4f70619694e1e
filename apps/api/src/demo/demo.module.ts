import { Module, type DynamicModule } from '@nestjs/common';
import { DemoController, DEMO_OPTIONS, type DemoOptions } from './demo.controller';

/** `GET /demo`: a page to try the browser flows against the sandbox (off in production unless DEMO_PAGE=true). */
@Module({})
export class DemoModule {
  static forRoot(options: DemoOptions): DynamicModule {
    return { module: DemoModule, controllers: [DemoController], providers: [{ provide: DEMO_OPTIONS, useValue: options }] };
  }
}
