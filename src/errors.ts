/**
 * An error the user caused and can fix (a bad domain, an unreadable file, a malformed flag). The CLI
 * prints its message on one line and exits 2; the server answers 400. Anything else is a bug.
 */
export class InputError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
