/** The api's rate limits raised out of the way, for tests that are not about them. */
export const NO_RATE_LIMITS: Record<string, string> = {
  OTP_SEND_LIMIT_PER_IP: '100000',
  OTP_SEND_LIMIT_PER_PHONE: '1000',
  OTP_CONFIRM_LIMIT_PER_IP: '100000',
  SIGNUP_LIMIT_PER_IP: '100000',
  ADMIN_RATE_LIMIT_PER_KEY: '100000',
  WINDOW_START_LIMIT_PER_IP: '100000',
  REDIRECT_LIMIT_PER_IP: '100000',
};
