import { Controller, Get, UseGuards } from '@nestjs/common';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';

@Controller('api/external')
@UseGuards(JwtAuthGuard)
export class ExternalController {
  @Get()
  getExternal(): { msg: string } {
    return { msg: 'Your Access Token was successfully validated!' };
  }
}
