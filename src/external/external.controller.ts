import { Controller, Get } from '@nestjs/common';

/** Requires a valid access token, like every route not marked `@Public()`. */
@Controller('api/external')
export class ExternalController {
  @Get()
  getExternal(): { msg: string } {
    return { msg: 'Your Access Token was successfully validated!' };
  }
}
