/**
 * The size limits of one input, shared by every layer it is unpacked through (an email carrying a
 * ZIP carrying gzip…): the bytes produced by decompression all count against one budget, so no
 * nesting or overlapping-entry trick multiplies it.
 */
import { InputError } from '../../errors.ts';

export interface SizeLimits {
  /** Largest input file accepted, as given (compressed). */
  maxInputBytes: number;
  /** Most bytes that decompressing one input may produce, all layers together. */
  maxUncompressedBytes: number;
  /** Most files read from one ZIP archive. */
  maxEntries: number;
  /** Deepest nesting of containers (email → zip → gzip is 3). */
  maxNesting: number;
}

export const DEFAULT_SIZE_LIMITS: SizeLimits = {
  maxInputBytes: 32 * 1024 * 1024,
  maxUncompressedBytes: 64 * 1024 * 1024,
  maxEntries: 100,
  maxNesting: 4,
};

export class Budget {
  remaining: number;
  readonly limits: SizeLimits;

  constructor(limits: SizeLimits) {
    this.limits = limits;
    this.remaining = limits.maxUncompressedBytes;
  }

  spend(bytes: number, what: string): void {
    if (bytes > this.remaining) throw this.exceeded(what);
    this.remaining -= bytes;
  }

  /** The error for decompressed data above the limit: a zip bomb, or a report too large to read. */
  exceeded(what: string): InputError {
    return new InputError(`${what} decompresses to more than ${this.limits.maxUncompressedBytes} bytes: refused as a possible zip bomb (raise --max-size if the report is genuine)`);
  }
}
