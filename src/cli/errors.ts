/** Exit codes (DESIGN.md): 0 healthy, 1 problems found, 2 bad usage or unreadable input, 3 could not complete. */
export const EXIT = { healthy: 0, problems: 1, usage: 2, incomplete: 3 } as const;

export { InputError as UsageError } from '../errors.ts';
