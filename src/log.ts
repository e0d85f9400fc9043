/**
 * Structured log lines (one JSON object per line, as Workers Logs and `wrangler tail` expect).
 * Callers pass named fields; nothing here formats secrets, and the join pipeline never hands
 * a token secret, KUBE_TOKEN or ADMIN_TOKEN to a logger.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

export function createConsoleLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const emit = (level: Level) => (event: string, fields: LogFields = {}) => {
    write(JSON.stringify({ level, event, ...fields }));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
