import type { LoggerOptions } from 'pino'

/**
 * Paths pino replaces with "[redacted]" in every line: credentials, webhook secrets and any card
 * data that could reach a log object (card numbers, CVV), whatever its casing.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.apiKey',
  '*.ApiKey',
  '*.webhookSecret',
  '*.WebhookSecret',
  '*.secret',
  '*.Number',
  '*.number',
  '*.cardNumber',
  '*.CardNumber',
  '*.SecurityCode',
  '*.securityCode',
  '*.cvv',
  '*.pan',
  '*.Card',
  '*.card',
  // Node's clientError carries the raw bytes of a malformed request (keys, card data and all);
  // Fastify logs it at trace level.
  'err.rawPacket',
  '*.rawPacket',
]

/** Pino options for dawri's processes. */
export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }
}
