import { Controller, Get, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

@Controller('api/external')
export class ExternalController {
  @UseGuards(AuthGuard('jwt'))
  @Get()
  getExternal(): { msg: string } {
    return { msg: 'Your Access Token was successfully validated!' };
  }
}
