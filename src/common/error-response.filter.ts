import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestWithId } from './request-id';

/** The one JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** Machine-readable code: an OAuth error code for authentication errors, else the HTTP status in snake case. */
  error: string;
  message: string;
  requestId: string | undefined;
}

/** An HttpException that also sets response headers, such as `WWW-Authenticate`. */
export interface ExceptionWithHeaders {
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Writes every error, expected or not, in the `ErrorBody` shape. Unexpected
 * errors become a 500 whose body reveals nothing and whose stack is logged.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorResponseFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<RequestWithId>();
    const response = context.getResponse<Response>();
    if (response.headersSent) {
      return;
    }

    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let error = 'internal_server_error';
    let message = 'The server failed to process the request.';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      ({ error, message } = describeHttpException(exception));
      for (const [name, value] of Object.entries(headersOf(exception))) {
        response.setHeader(name, value);
      }
    } else {
      const stack = exception instanceof Error ? exception.stack : undefined;
      const detail = exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
      this.logger.error(`unhandled error request_id=${request.id ?? '-'}: ${detail}`, stack);
    }

    const body: ErrorBody = { statusCode: status, error, message, requestId: request.id };
    response.status(status).json(body);
  }
}

function describeHttpException(exception: HttpException): { error: string; message: string } {
  const payload = exception.getResponse();
  const fallbackError = snakeCase(HttpStatus[exception.getStatus()] ?? 'error');
  if (typeof payload === 'string') {
    return { error: fallbackError, message: payload };
  }

  const { error, message } = payload as { error?: unknown; message?: unknown };
  const isOAuthCode = typeof error === 'string' && /^[a-z_]+$/.test(error);
  return {
    error: isOAuthCode ? error : fallbackError,
    message: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message,
  };
}

function headersOf(exception: HttpException): Readonly<Record<string, string>> {
  const headers = (exception as Partial<ExceptionWithHeaders>).headers;
  return typeof headers === 'object' && headers !== null ? headers : {};
}

function snakeCase(name: string): string {
  return name.toLowerCase();
}
