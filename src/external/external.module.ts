import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ExternalController } from './external.controller';

@Module({
  imports: [AuthModule],
  controllers: [ExternalController],
})
export class ExternalModule {}
