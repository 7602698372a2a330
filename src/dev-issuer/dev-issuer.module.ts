import { Module } from '@nestjs/common';
import { DevIssuerService } from './dev-issuer.service';

@Module({ providers: [DevIssuerService] })
export class DevIssuerModule {}
