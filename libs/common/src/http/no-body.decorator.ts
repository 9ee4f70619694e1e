import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@NoBody()`, read by JsonBodyGuard. */
export const NO_BODY = Symbol.for('@app/common:no-body');

/**
 * A POST of a `@JsonEndpoints()` controller that takes no body: a request without Content-Type
 * and without a body passes JsonBodyGuard; one that sends a body must still send JSON.
 */
export const NoBody = (): MethodDecorator => SetMetadata(NO_BODY, true);
