import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readBaselineEnv } from './app-env';

// Reference: NestJS on Express serving the route with no guard, which shows
// what the framework alone costs on this machine.
@Controller('api/external')
class ExternalController {
  @Get()
  getExternal(): { msg: string } {
    return { msg: 'Your Access Token was successfully validated!' };
  }
}

@Module({ controllers: [ExternalController] })
class AppModule {}

async function bootstrap(): Promise<void> {
  const env = readBaselineEnv();
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(env.port, env.host);
}

void bootstrap();
