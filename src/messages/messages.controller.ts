import { Controller, Get } from '@nestjs/common';
import { Public, RequireScopes } from '../auth';

export interface Message {
  text: string;
}

/** Routes in the shape of Auth0's "hello world" API samples, so their single-page apps can call this service. */
@Controller('api/messages')
export class MessagesController {
  @Public()
  @Get('public')
  getPublic(): Message {
    return { text: 'This public message needs no access token.' };
  }

  @Get('protected')
  getProtected(): Message {
    return { text: 'This protected message needs a valid access token.' };
  }

  @RequireScopes('read:admin-messages')
  @Get('admin')
  getAdmin(): Message {
    return { text: 'This admin message needs an access token with read:admin-messages.' };
  }
}
