import type { ErrorRequestHandler, RequestHandler } from 'express';
import { KeepError, isKeepError } from '../errors.js';
import type { Logger } from '../log.js';

/** An RFC 9457 problem document; `code` is Keep's stable reason code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extra: string]: unknown;
}

export function problemOf(error: KeepError, instance?: string): Problem {
  return {
    type: `urn:keep:problem:${error.code}`,
    title: error.code,
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
    ...(error.extra ?? {}),
  };
}

/** Maps body-parser's failures to stable codes; anything unknown is a 500 with no internals leaked. */
function toKeepError(error: unknown): KeepError {
  if (isKeepError(error)) return error;
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.too.large') return new KeepError('http.body_too_large', 'Request body is larger than the limit', { status: 413 });
  if (type === 'entity.parse.failed') return new KeepError('http.invalid_body', 'Request body is not valid JSON', { status: 400 });
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new KeepError('http.unsupported_media_type', 'Request body encoding is not supported', { status: 415 });
  }
  return new KeepError('http.internal', 'Internal error', { status: 500, cause: error });
}

export function sendProblem(res: Parameters<RequestHandler>[1], error: KeepError, instance?: string): void {
  res.status(error.status).type('application/problem+json').send(JSON.stringify(problemOf(error, instance)));
}

/** The one error boundary of a service app. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const keepError = toKeepError(error);
    if (keepError.status >= 500) log.error('Request failed', { path: req.path, code: keepError.code, error: keepError.cause ?? error });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, keepError, req.path);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new KeepError('http.not_found', `No route for ${req.method} ${req.path}`, { status: 404 }));
};
