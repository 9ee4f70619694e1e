import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { demoPage, demoScript } from './demo-page';

export const DEMO_OPTIONS = Symbol.for('iamport-backend.demo-options');

export interface DemoOptions {
  /** Where the page loads the browser SDK (`iamport.js`, or V2 `browser-sdk.js`) from: the sandbox's, or the upstream's CDN. */
  scriptUrl: string;
  /** Which SDK that is: `iamport` (`IMP.certification`) or `portone` (`PortOne.requestIdentityVerification`). */
  provider: 'iamport' | 'portone';
}

/** The demo page and its script; the page's script is a file so the CSP needs no inline script. */
@ApiExcludeController()
@Controller('demo')
export class DemoController {
  constructor(@Inject(DEMO_OPTIONS) private readonly options: DemoOptions) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  page(): string {
    return demoPage(this.options.scriptUrl, this.options.provider);
  }

  @Get('demo.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  script(): string {
    return demoScript();
  }
}
