import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
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
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.signingKeys.check()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) {
        throw error;
      }
      // Terminus's own body would be replaced by the common error shape; keep its reason in the message.
      const lastError = this.signingKeys.describe().lastError ?? 'keys not loaded yet';
      throw new ServiceUnavailableException({ error: 'not_ready', message: `No usable signing keys: ${lastError}` }, { cause: error });
    }
  }
}
