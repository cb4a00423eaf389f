import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs: credentials, cookies, tokens and anything that could be raw PII. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.password',
  '*.user_data',
  '*.userData',
  'access_token',
  'accessToken',
  'password',
  'user_data',
];

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'metaconversions-bus' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination,
  );
}
