/**
 * Check data arrives as JSON whose exact shape belongs to each check; the report reads it through
 * these narrow accessors so a missing or unexpected field hides a section instead of breaking the
 * page.
 */
export type Obj = Record<string, unknown>;

export function obj(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Follows a path of keys; null as soon as one is missing. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === 'number') current = arr(current)[key];
    else current = obj(current)?.[key];
    if (current === undefined || current === null) return null;
  }
  return current;
}

/** "3 s", "2 min 5 s", "1 h 4 min": delays between Received hops. */
export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  let s = Math.abs(Math.round(seconds));
  if (s < 60) return `${sign}${s} s`;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h > 0 ? `${sign}${h} h ${m} min` : `${sign}${m} min${s ? ` ${s} s` : ''}`;
}
