/**
 * JSON-lines logging. Callers pass identifiers and vocabulary only (provider, reference, status,
 * error types): never request bodies, credentials or anything a person could be identified by.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function createLogger(
  component: string,
  level: LogLevel = 'info',
  write = (line: string) => process.stderr.write(line),
): Logger {
  const threshold = ORDER.indexOf(level);
  const emit =
    (at: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (ORDER.indexOf(at) < threshold) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: at, component, message, ...fields })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
