import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isVerificationTokenFormat } from '../verification-token';
import { normalizeCarrier, normalizeGenderDigit, normalizeOtp, normalizePhone, isValidName } from './normalize';

/**
 * class-validator decorators over the normalizers. Each one also answers a missing field
 * (`<field> is required`), so one decorator per field is enough. Messages name the field and
 * the rule, never the value.
 */
function rule(name: string, check: (value: unknown) => boolean, describe: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => check(value),
        defaultMessage: (args?: ValidationArguments) =>
          args?.value === undefined || args?.value === null ? `${args?.property} is required` : `${args?.property} ${describe}`,
      },
    },
    options,
  );
}

export const IsPersonName = (o?: ValidationOptions) =>
  rule('isPersonName', isValidName, 'must be 1-50 Hangul or Latin letters, spaces or middle dots', o);

export const IsKoreanMobile = (o?: ValidationOptions) =>
  rule('isKoreanMobile', (v) => normalizePhone(v) !== null, 'must be a Korean mobile number (e.g. 010-1234-5678 or +82 10 1234 5678)', o);

/** Form only (6 or 8 digits with optional separators); the date itself is checked with gender_digit. */
export const IsBirthForm = (o?: ValidationOptions) =>
  rule(
    'isBirthForm',
    (v) => typeof v === 'string' && /^[0-9./ -]{6,14}$/.test(v.trim()) && [6, 8].includes(v.replace(/[^0-9]/g, '').length),
    'must be a date as YYYYMMDD or YYMMDD (separators allowed)',
    o,
  );

/** '1'..'8' as a string or an integer. */
export const IsGenderDigit = (o?: ValidationOptions) =>
  rule('isGenderDigit', (v) => normalizeGenderDigit(v) !== null, 'must be a digit from 1 to 8', o);

export const IsCarrier = (o?: ValidationOptions) =>
  rule('isCarrier', (v) => normalizeCarrier(v) !== null, 'must be one of SKT, KT, LGT (use is_mvno for budget carriers)', o);

export const IsOtp = (o?: ValidationOptions) => rule('isOtp', (v) => normalizeOtp(v) !== null, 'must be 6 digits', o);

export const IsImpUid = (o?: ValidationOptions) =>
  rule('isImpUid', (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v), 'must be an imp_uid (letters, digits, _ and -)', o);

export const IsVerificationToken = (o?: ValidationOptions) =>
  rule('isVerificationToken', isVerificationTokenFormat, 'must be a verification token (43 base64url characters)', o);
