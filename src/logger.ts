import pino from 'pino';

/**
 * Structured JSON-lines logging (pino) for the ingress, the worker and the Temporal SDK alike.
 * Callers pass identifiers and vocabulary only (provider, reference, status, error types): never
 * request bodies, credentials or anything a person could be identified by.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Where lines go: stderr by default, keeping stdout for the few human lines `npm start` prints. */
export type LogWrite = (line: string) => void;

/** One logger per component, each line tagged `component`. */
export function createLogger(
  component: string,
  level: LogLevel = 'info',
  write: LogWrite = (line) => process.stderr.write(line),
): Logger {
  const base = pino(
    {
      level,
      base: { component },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      // The level's name, not pino's number: log stores and people read it the same.
      formatters: { level: (label) => ({ level: label }) },
    },
    { write },
  );
  return {
    debug: (message, fields = {}) => base.debug(fields, message),
    info: (message, fields = {}) => base.info(fields, message),
    warn: (message, fields = {}) => base.warn(fields, message),
    error: (message, fields = {}) => base.error(fields, message),
  };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
