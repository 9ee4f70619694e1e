import { Inject, Injectable } from '@nestjs/common';
import type { Database, Transaction } from '@app/common';
import { BlindIndex, PiiCipher } from '@app/pii';
import { CERTIFICATION_DATABASE, CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import { AlreadyConfirmedError, CertificationNotFoundError, IdentityKeyMissingError, UpstreamError } from '../certification.errors';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CertificationReporter } from '../certification.reporter';
import { normalizePhone } from '../input/normalize';
import type { IdentityCertification, IdentityProvider } from '../providers/identity-provider';
import { CertificationRepository, type Certification, type CertificationStore, type VerifiedValues } from '../repositories/certification.repository';
import { VerificationTokenRepository, type VerificationTokenStore } from '../repositories/verification-token.repository';
import { generateVerificationToken } from '../verification-token';
import { buildVerificationView, type VerificationView } from '../verification-view';

/** What the recorder needs of the Database: its transactions. */
export type TransactionRunner = Pick<Database, 'transaction'>;

/**
 * Records certified verifications and issues their single-use tokens: at most one token per
 * verification, by the request holding the row's lock (or the one statement that records it).
 */
@Injectable()
export class CertificationRecorder {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'verificationTokenTtlSeconds' | 'clock'>,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(VerificationTokenRepository) private readonly tokens: VerificationTokenStore,
    @Inject(CERTIFICATION_DATABASE) private readonly db: TransactionRunner,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
    private readonly reporter: CertificationReporter,
    @Inject(IDENTITY_PROVIDER) private readonly provider: Pick<IdentityProvider, 'name' | 'personKeys'> = { name: 'iamport', personKeys: 'ci' },
  ) {}

  /**
   * Records a certified verification on an existing row (pending/locked/expired -> verified)
   * and, if asked, issues its token (409 AlreadyConfirmedError when it has one or was used).
   * Returns the view when a token was issued.
   */
  async record(certification: IdentityCertification, row: Certification, issueToken: boolean): Promise<VerificationView | null> {
    const values = this.verifiedValues(certification, row);
    if (issueToken) {
      // The usual case (a pending row) in one statement; when nothing matched, the path below tells why.
      const done = await this.writeWithToken(certification, values, (hash, expiresAt) =>
        this.certifications.markVerifiedWithToken(row.id, values, hash, expiresAt),
      );
      if (done !== null) {
        this.reporter.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
        return done.view;
      }
    }
    const view = await this.db.transaction(async (tx) => {
      const locked = await this.certifications.lockById(row.id, tx);
      if (locked === null || locked.piiErasedAt !== null) throw new CertificationNotFoundError();
      if (locked.status === 'used') throw new AlreadyConfirmedError();
      if (locked.status !== 'verified') {
        if (!(await this.certifications.markVerified(row.id, values, tx))) throw new AlreadyConfirmedError();
      } else if (!issueToken) {
        return null; // recorded already (by a concurrent request): nothing to do
      }
      return issueToken ? this.issueTokenLocked(row.id, tx) : null;
    });
    if (view) this.reporter.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
    return view;
  }

  /** Issues the token of a verification recorded without one (409 if it has one). */
  async issueForRecorded(row: Certification): Promise<VerificationView> {
    const view = await this.db.transaction(async (tx) => {
      const locked = await this.certifications.lockById(row.id, tx);
      if (locked === null || locked.piiErasedAt !== null) throw new CertificationNotFoundError();
      if (locked.status !== 'verified') throw new AlreadyConfirmedError();
      return this.issueTokenLocked(row.id, tx);
    });
    this.reporter.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
    return view;
  }

  /** Inserts a verification straight from the provider (popup / redirect). @throws DuplicateImpUidError */
  async insertFromProvider(
    impUid: string,
    certification: IdentityCertification,
    issueToken: boolean,
  ): Promise<{ id: string; view: VerificationView | null }> {
    const values = this.verifiedValues(certification, null);
    if (issueToken) {
      // The popup's completion: the row and its token in one statement.
      const done = await this.writeWithToken(certification, values, async (hash, expiresAt) => ({
        id: await this.certifications.insertVerifiedWithToken(impUid, values, hash, expiresAt),
        impUid,
      }));
      this.reporter.emit({ type: 'token_issued', flow: 'popup', certificationId: done!.written.id });
      return { id: done!.written.id, view: done!.view };
    }
    // The redirect's landing: the row alone, its token issued later (issueForRecorded).
    const id = await this.db.transaction((tx) => this.certifications.insertVerified(impUid, values, tx));
    return { id, view: null };
  }

  /** Under the row lock (or having inserted the row): inserts the token, builds the view; `token_issued` after commit. */
  private async issueTokenLocked(id: string, tx: Transaction): Promise<VerificationView> {
    if (await this.tokens.hasToken(id, tx)) throw new AlreadyConfirmedError();
    const now = this.options.clock();
    const { token, hash } = generateVerificationToken();
    const expiresAt = this.tokenExpiry(now);
    await this.tokens.insert(id, hash, expiresAt, tx);
    const row = await this.certifications.getById(id, tx);
    if (row.nameEnc === null || row.birthday === null || row.certifiedAt === null) {
      throw new UpstreamError('The recorded certification lacks required data');
    }
    return buildVerificationView(
      {
        impUid: row.impUid,
        certifiedAt: row.certifiedAt,
        name: this.cipher.decrypt(row.nameEnc, 'name_enc'),
        birthday: row.birthday,
        gender: row.gender,
        foreigner: row.foreigner,
        token,
        tokenExpiresAt: expiresAt,
      },
      now,
    );
  }

  /** A new token, written by `write` with the verification in one statement; the view from the values written (null: nothing written). */
  private async writeWithToken<T extends { impUid: string }>(
    certification: IdentityCertification,
    values: VerifiedValues,
    write: (hash: string, expiresAt: Date) => Promise<T | null>,
  ): Promise<{ written: T; view: VerificationView } | null> {
    const now = this.options.clock();
    const { token, hash } = generateVerificationToken();
    const expiresAt = this.tokenExpiry(now);
    const written = await write(hash, expiresAt);
    if (written === null) return null;
    const view = buildVerificationView(
      {
        impUid: written.impUid,
        certifiedAt: values.certifiedAt,
        name: certification.name ? certification.name.normalize('NFC') : this.cipher.decrypt(values.nameEnc, 'name_enc'),
        birthday: values.birthday,
        gender: values.gender,
        foreigner: values.foreigner,
        token,
        tokenExpiresAt: expiresAt,
      },
      now,
    );
    return { written, view };
  }

  private tokenExpiry(now: Date): Date {
    return new Date(now.getTime() + this.options.verificationTokenTtlSeconds * 1000);
  }

  /**
   * The columns of a certified verification from the provider's answer, falling back to what
   * the OTP request stored when the provider omits a field. Without a birthday, or without the
   * CI a `ci` provider guarantees, it cannot serve a signup: 502; without CI and DI: 422.
   */
  private verifiedValues(c: IdentityCertification, row: Certification | null): VerifiedValues {
    const ci = c.ci || null;
    const di = c.di || null;
    const birthday = c.birthday ?? row?.birthday ?? null;
    const phone = c.phone ? normalizePhone(c.phone) ?? c.phone.replace(/\D/g, '') : null;
    if ((!ci && this.provider.personKeys === 'ci') || !birthday || !/^\d{4}-\d{2}-\d{2}$/.test(birthday)) {
      throw new UpstreamError('The certification lacks the CI or the birthday');
    }
    if (!ci && !di) throw new IdentityKeyMissingError();
    const nameEnc = c.name ? this.cipher.encrypt(c.name.normalize('NFC'), 'name_enc') : row?.nameEnc;
    if (!nameEnc) throw new UpstreamError('The certification lacks the name');
    return {
      nameEnc,
      phoneEnc: phone ? this.cipher.encrypt(phone, 'phone_enc') : (row?.phoneEnc ?? null),
      phoneBidx: phone ? this.blindIndex.compute('phone', phone) : (row?.phoneBidx ?? null),
      ciEnc: ci ? this.cipher.encrypt(ci, 'ci_enc') : null,
      ciBidx: ci ? this.blindIndex.compute('ci', ci) : null,
      diEnc: di ? this.cipher.encrypt(di, 'di_enc') : null,
      diBidx: di ? this.blindIndex.compute('di', di) : null,
      provider: this.provider.name,
      birthday,
      gender: c.gender ?? null,
      foreigner: c.foreigner === true,
      carrier: c.carrier ?? row?.carrier ?? null,
      certifiedAt: c.certifiedAt ?? this.options.clock(),
      merchantUid: c.merchantUid ?? row?.merchantUid ?? null,
    };
  }
}
