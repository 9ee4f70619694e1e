/** The SDK's IdentityVerificationClient the PortOneClient calls (built from the module options). */
export const PORTONE_IDENTITY_VERIFICATION_API = Symbol.for('@app/portone:IDENTITY_VERIFICATION_API');
