/**
 * Turning the API's values into text for people, and back (arguments).
 */
import { JSONFloat, RunInfo } from '../api/types';

/**
 * A float from the API, where NaN and infinities travel as strings.
 */
export function toNumber(value: JSONFloat | null | undefined): number {
  if (value === null || value === undefined) {
    return NaN;
  }
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return NaN;
}

/**
 * A metric value, short enough for a table cell.
 */
export function formatNumber(value: JSONFloat | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  const number = toNumber(value);
  if (!Number.isFinite(number)) {
    return String(value);
  }
  if (Number.isInteger(number) && Math.abs(number) < 1e9) {
    return String(number);
  }
  const magnitude = Math.abs(number);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return number.toExponential(3);
  }
  return Number(number.toPrecision(5)).toString();
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * A point in time (seconds since the epoch) as local `YYYY-MM-DD HH:MM:SS`.
 */
export function formatTime(seconds: number | null): string {
  if (seconds === null) {
    return '';
  }
  const date = new Date(seconds * 1000);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/**
 * A length of time in seconds as `850 ms`, `12.3 s`, `4m 05s` or `2h 03m`.
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)}m ${pad(whole % 60)}s`;
  }
  return `${Math.floor(whole / 3600)}h ${pad(Math.floor((whole % 3600) / 60))}m`;
}

/**
 * How long a run ran, or has been running until `now` (seconds).
 */
export function runDuration(run: RunInfo, now: number): number | null {
  if (run.started_at === null) {
    return null;
  }
  return (run.ended_at ?? now) - run.started_at;
}

export function formatBytes(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${size} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Split a command line into arguments the way a POSIX shell does for plain
 * words, single and double quotes and backslash escapes (no expansion).
 * Throws on an unclosed quote, naming where it opened.
 */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  let quoteAt = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote === "'") {
      if (char === "'") {
        quote = null;
      } else {
        current += char;
      }
    } else if (quote === '"') {
      if (char === '"') {
        quote = null;
      } else if (char === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
        current += line[++i];
      } else {
        current += char;
      }
    } else if (char === "'" || char === '"') {
      quote = char;
      quoteAt = i;
      inWord = true;
    } else if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) {
        args.push(current);
        current = '';
        inWord = false;
      }
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== null) {
    throw new Error(`unclosed ${quote} quote at position ${quoteAt}`);
  }
  if (inWord) {
    args.push(current);
  }
  return args;
}

/**
 * Who made a run or a change, as every panel shows it: the recorded account (the server records the same
 * operating-system account as the SDK, server/identity.py), or "unknown" for records that name nobody.
 */
export function userLabel(user: string | null | undefined): string {
  return user ? user : 'unknown';
}
