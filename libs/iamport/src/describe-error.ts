import { IamportApiError, IamportError } from './iamport.errors';

/** For logs: the class name, or status and code; never a message that could carry upstream text. */
export function describeError(error: unknown): string {
  if (error instanceof IamportApiError) {
    return `HTTP ${error.httpStatus}${error.upstreamCode !== undefined ? `, code ${error.upstreamCode}` : ''}`;
  }
  if (error instanceof IamportError) return error.name;
  return nameOf(error);
}

export function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
