import { applyDecorators, UseGuards } from '@nestjs/common';
import { JsonBodyGuard } from './json-body.guard';
import { NoStoreGuard } from './no-store';

/**
 * The HTTP policy of a lib's person-facing controller, whatever the host's adapter: bodies only
 * as `application/json` (JsonBodyGuard) and `Cache-Control: no-store` on its answers.
 */
export function JsonEndpoints(): ClassDecorator {
  return applyDecorators(UseGuards(JsonBodyGuard, NoStoreGuard));
}
