// Globals k6 provides that @types/k6 does not declare.
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
/** k6's event-loop timers (k6 v1+). Callbacks run between event-loop tasks, never inside a k6/ws session. */
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
