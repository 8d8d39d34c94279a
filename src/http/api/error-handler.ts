import type { FastifyError, FastifyInstance } from 'fastify'

import { AppError, coerceError, type ErrorCode } from '../../domain/errors.js'
import { failure } from './envelope.js'

/** HTTP status of every error code; a new code does not compile until it has one. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 401,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_STATE: 400,
  SANDBOX_ONLY: 404,
  INTERNAL: 500,
}

/** Fastify's own client-error codes and how they read in the envelope. */
function fromFastifyError(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MiB')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_FAILED', 'Invalid data', {
        fieldErrors: [{ Name: 'request', Error: 'The request body is not valid JSON' }],
      })
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', 'Invalid data', { fieldErrors: [{ Name: 'request', Error: error.message }] })
  }
  return undefined
}

/** One handler turns every error into the envelope; unknown errors become a logged 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((thrown, request, reply) => {
    const appError =
      thrown instanceof AppError
        ? thrown
        : thrown instanceof SyntaxError
          ? new AppError('VALIDATION_FAILED', 'Invalid data', { fieldErrors: [{ Name: 'request', Error: 'The request body is not valid JSON' }] })
          : fromFastifyError(thrown as FastifyError)
    if (appError) {
      return reply.status(ERROR_STATUS[appError.code]).send(failure(appError.message, appError.fieldErrors, appError.data))
    }
    request.log.error({ err: coerceError(thrown) }, 'unhandled error')
    return reply.status(500).send(failure('An unexpected error occurred; it has been logged'))
  })

  app.setNotFoundHandler((request, reply) => {
    // Reference §1.4: ASP.NET's text, kept inside the envelope because some SDKs need JSON.
    const message = `No HTTP resource was found that matches the request URI '${request.url}'.`
    return reply.status(404).send(failure(message))
  })
}
