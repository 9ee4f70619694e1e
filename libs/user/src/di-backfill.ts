import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BlindIndex, PiiCipher } from '@app/pii';
import { UserRepository, type DiBackfillStore } from './repositories/user.repository';

const BATCH = 500;

/**
 * Fills `users.di_bidx` of accounts created before migration PersonKeys (a migration cannot: it
 * needs the HMAC key), so a later CI-less verification of the same person is recognised. Runs once
 * in the background after boot; idempotent, safe on several instances.
 */
@Injectable()
export class UserDiBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(UserDiBackfill.name);
  private running: Promise<number> | null = null;

  constructor(
    @Inject(UserRepository) private readonly users: DiBackfillStore,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  onApplicationBootstrap(): void {
    this.run().catch((error: unknown) => this.logger.warn(`DI backfill stopped: ${error instanceof Error ? error.name : typeof error}`));
  }

  /** Resolves to the number of accounts it filled (a second call shares the first's run). */
  run(): Promise<number> {
    this.running ??= this.fill().finally(() => (this.running = null));
    return this.running;
  }

  private async fill(): Promise<number> {
    let filled = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await this.users.findWithoutDiBidx(after, BATCH);
      if (batch.length === 0) break;
      for (const { id, diEnc } of batch) {
        let di: string;
        try {
          di = this.cipher.decrypt(diEnc, 'di_enc');
        } catch {
          continue; // a key that is gone: the account stays keyed by its CI
        }
        if (await this.users.setDiBidx(id, this.blindIndex.compute('di', di))) filled += 1;
        else this.logger.warn(`DI backfill: account ${id} shares its DI with another account; left without di_bidx`);
      }
      after = batch[batch.length - 1].id;
    }
    if (filled > 0) this.logger.log(`DI backfill: ${filled} account(s) got their DI blind index`);
    return filled;
  }
}
