import { AuditLogEntity, UpstreamDeletionEntity } from '@app/admin';
import { CertificationEntity, VerificationTokenEntity } from '@app/certification';
import { UserEntity, UserTombstoneEntity } from '@app/user';

/** Every entity of the api's DataSource (the libs register theirs through forFeature too). */
export const ENTITIES = [CertificationEntity, VerificationTokenEntity, UserEntity, UserTombstoneEntity, AuditLogEntity, UpstreamDeletionEntity];
