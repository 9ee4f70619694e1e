import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schema of the 201 of POST /users (documentation only). */
export class UserCreatedResponse {
  @ApiProperty({ format: 'uuid', example: '81ee3c14-33af-45e5-8c09-784388873751' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:50:36.627Z' })
  created_at: string;
}
