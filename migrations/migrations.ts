import { InitialSchema1763856000000 } from './1763856000000-InitialSchema';
import { AdminSchema1763856100000 } from './1763856100000-AdminSchema';
import { CertificationFlows1764683915000 } from './1764683915000-CertificationFlows';
import { UserErasure1764731905123 } from './1764731905123-UserErasure';
import { PersonKeys1764738291573 } from './1764738291573-PersonKeys';
import { AuditLogAppendOnly1764739154210 } from './1764739154210-AuditLogAppendOnly';

/**
 * Every migration, oldest first. The api and the TypeORM CLI DataSource both list them here
 * (explicit classes rather than a glob, so the same list works from sources under Jest and
 * from `dist/`). `npm run migration:generate` writes a new file beside this one: add it here.
 */
export const MIGRATIONS = [
  InitialSchema1763856000000,
  AdminSchema1763856100000,
  CertificationFlows1764683915000,
  UserErasure1764731905123,
  PersonKeys1764738291573,
  AuditLogAppendOnly1764739154210,
];
