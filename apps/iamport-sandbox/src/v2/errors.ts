import type { SandboxReply } from '../envelope';

/** A V2 error answer: `{type, message}` (PG_PROVIDER adds pgCode and pgMessage) with the documented status. */
export class V2Error extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'V2Error';
  }

  toReply(): SandboxReply {
    return { status: this.status, body: { type: this.type, message: this.message, ...this.extra } };
  }
}

export const invalidRequest = (message: string) => new V2Error(400, 'INVALID_REQUEST', message);
export const unauthorizedV2 = () => new V2Error(401, 'UNAUTHORIZED', '인증 정보가 올바르지 않습니다.');
export const notFoundV2 = () => new V2Error(404, 'IDENTITY_VERIFICATION_NOT_FOUND', '요청된 본인인증 건이 존재하지 않습니다.');
export const notSentV2 = () => new V2Error(404, 'IDENTITY_VERIFICATION_NOT_SENT', '본인인증 건이 API로 요청된 상태가 아닙니다.');
export const alreadyVerifiedV2 = () => new V2Error(409, 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', '본인인증 건이 이미 인증 완료된 상태입니다.');
export const alreadySentV2 = () => new V2Error(409, 'IDENTITY_VERIFICATION_ALREADY_SENT', '본인인증 건이 이미 API로 요청된 상태입니다.');
export const pgProviderV2 = (pgCode: string, pgMessage: string) =>
  new V2Error(502, 'PG_PROVIDER', 'PG사에서 오류를 전달했습니다.', { pgCode, pgMessage });

/** Whether a path is one of the V2 API's (faults on it answer the V2 error body). */
export function isV2Path(path: string): boolean {
  return path === '/identity-verifications' || path.startsWith('/identity-verifications/') || path === '/login/api-secret' || path === '/token/refresh';
}

/** An envelope error (a body that is not JSON, too large, ...) as the V2 body `{type, message}`. */
export function v2ErrorBody(reply: SandboxReply): SandboxReply {
  const message = (reply.body as { message?: unknown } | null)?.message;
  const type = reply.status === 400 || reply.status === 413 ? 'INVALID_REQUEST' : 'INTERNAL_SERVER_ERROR';
  return { status: reply.status, body: { type, message: typeof message === 'string' ? message : undefined } };
}
