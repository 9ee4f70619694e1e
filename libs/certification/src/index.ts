export { CertificationEntity, type CertificationStatus, type CertificationFlow } from './entities/certification.entity';
export { VerificationTokenEntity } from './entities/verification-token.entity';
