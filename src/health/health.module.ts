import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '../auth/auth.module';
import { HealthController } from './health.controller';

@Module({
  // The readiness failure is already logged by the key store, once per outage; terminus would log it on every probe.
  imports: [TerminusModule.forRoot({ logger: false }), AuthModule],
  controllers: [HealthController],
})
export class HealthModule {}
