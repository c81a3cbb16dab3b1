// Structured logs: one JSON object per line (ts, level, event, fields); bigints as strings.
export type Level = 'info' | 'warn' | 'error';
export type Logger = (level: Level, event: string, fields?: Record<string, unknown>) => void;

export function jsonLine(level: Level, event: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ts: new Date().toISOString(), level, event, ...fields }, (_, v) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}

export const stdoutLogger: Logger = (level, event, fields) => {
  process.stdout.write(jsonLine(level, event, fields) + '\n');
};
