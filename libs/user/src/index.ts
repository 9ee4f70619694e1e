export { UserEntity } from './user.entity';
