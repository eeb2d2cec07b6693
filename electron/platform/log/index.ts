/** Structured logging (JSON lines) with health-data redaction on every line. */
import type { Clock } from '../clock';
import { Redactor } from './redact';

export { Redactor, REDACTED } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  at: string;
  level: LogLevel;
  scope: string;
  event: string;
  fields?: Record<string, unknown>;
}

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
  readonly redactor: Redactor;
}

export type LogSink = (line: string, record: LogRecord) => void;

export interface LoggerOptions {
  clock: Clock;
  sink: LogSink;
  level?: LogLevel;
  scope?: string;
  redactor?: Redactor;
}

export function createLogger(options: LoggerOptions): Logger {
  const redactor = options.redactor ?? new Redactor();
  const minRank = LEVEL_RANK[options.level ?? 'info'];
  const scope = options.scope ?? 'pupitre';

  const write = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_RANK[level] < minRank) return;
    const record: LogRecord = {
      at: new Date(options.clock.now()).toISOString(),
      level,
      scope,
      event: redactor.redactString(event),
    };
    if (fields !== undefined) record.fields = redactor.redactValue(fields) as Record<string, unknown>;
    options.sink(JSON.stringify(record), record);
  };

  return {
    redactor,
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (childScope) => createLogger({ ...options, redactor, scope: `${scope}.${childScope}` }),
  };
}

/** A logger that keeps its lines in memory, for tests and for the Diagnostic screen's tail. */
export function createMemoryLogger(clock: Clock, level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ clock, level, sink: (line) => lines.push(line) });
  return Object.assign(logger, { lines });
}

export const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};
