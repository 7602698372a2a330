import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth';
import { SigningKeysHealthIndicator } from '../auth/signing-keys.health';

/** Probes for orchestrators. Neither needs a token. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly signingKeys: SigningKeysHealthIndicator,
  ) {}

  /** Liveness: the process serves HTTP. Does not depend on the identity provider, so an outage there never restarts the service. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: signing keys are loaded, so valid tokens can be verified. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.signingKeys.check()]);
  }
}
