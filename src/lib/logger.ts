import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redactSecrets } from './redact.js';

export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear in a log line. Signature headers,
 * bearer tokens, and any field named like a secret: a log line must never carry
 * something an attacker could replay or sign with. What these paths cannot
 * know about (a URL with ?password= in an error message, a nested field, a
 * token in free text) is caught by redactSecrets, which every finished line
 * goes through (createLogger).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-service-token"]',
  'req.headers["stripe-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["x-goog-channel-token"]',
  'headers.authorization',
  'headers["stripe-signature"]',
  'headers["webhook-signature"]',
  'headers["x-hub-signature-256"]',
  'headers["x-goog-channel-token"]',
  'headers["x-service-token"]',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.token',
  '*.adminToken',
  '*.databaseUrl',
  '*.redisUrl',
  'secret',
  'secrets',
  'password',
  'token',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'integration-service' },
      redact: { paths: REDACT_PATHS, censor: '***' },
      // The finished JSON line, so nothing escapes: messages, fields at any depth,
      // serialized errors (message, stack, cause), child bindings. redactSecrets
      // keeps a JSON document valid; lines without a credential-shaped word
      // leave after one regex test.
      hooks: { streamWrite: redactSecrets },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
