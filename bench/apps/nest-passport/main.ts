import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { readBaselineEnv } from '../app-env';
import { ExternalController } from './external.controller';
import { JwtStrategy } from './jwt.strategy';

// Baseline: the straightforward NestJS + @nestjs/passport + passport-jwt + jwks-rsa shape.
@Module({
  imports: [PassportModule.register({ defaultStrategy: 'jwt' })],
  controllers: [ExternalController],
  providers: [JwtStrategy],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const env = readBaselineEnv();
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(env.port, env.host);
}

void bootstrap();
