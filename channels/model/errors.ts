/**
 * The one error base of taipan. Every failure a user can meet is a TaipanError with a
 * stable `code` (for scripts and --json), a message that quotes the offending text,
 * path or URL, an optional `hint` that says what to do, and the underlying `cause`.
 */
export type TaipanErrorCode =
  | 'INVALID_VERSION'
  | 'INVALID_VERSION_SPEC'
  | 'INVALID_MATCH_SPEC'
  | 'INVALID_PLATFORM'
  | 'INVALID_CHANNEL'
  | 'INVALID_RECORD'
  | 'INVALID_REPODATA'
  | 'REPODATA_NOT_FOUND'
  | 'CORRUPT_ARCHIVE'
  | 'UNSAFE_ARCHIVE_ENTRY'
  | 'UNSUPPORTED_ARCHIVE'
  | 'PACKAGE_METADATA'
  | 'PACKAGE_NOT_FOUND'
  | 'UNSATISFIABLE'
  | 'HASH_MISMATCH'
  | 'DOWNLOAD_FAILED'
  | 'AUTH_FAILED'
  | 'OFFLINE'
  | 'LINK_FAILED'
  | 'PREFIX_EXISTS'
  | 'PREFIX_NOT_FOUND'
  | 'NOT_INSTALLED'
  | 'PIP_FAILED'
  | 'PREFIX_LOCKED'
  | 'PREFIX_CHANGED'
  | 'LINK_SCRIPT_FAILED'
  | 'COMMAND_FAILED'
  | 'INVALID_ARGUMENT'
  | 'CONFIG'
  | 'DISK_ERROR'
  | 'RECIPE'
  | 'TLS_ERROR'
  | 'BUILD_FAILED'
  | 'TEST_FAILED'
  | 'UNSAFE_URL'
  | 'MISSING_HASH'
  | 'NO_ENVIRONMENT'
  | 'NO_SHELL_HOOK';

export interface TaipanErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class TaipanError extends Error {
  readonly code: TaipanErrorCode;
  readonly hint: string | undefined;

  constructor(code: TaipanErrorCode, message: string, options: TaipanErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaipanError';
    this.code = code;
    this.hint = options.hint;
  }

  toJSON(): { code: TaipanErrorCode; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** True for TaipanError from any realm (jest runs tests in separate vm contexts). */
export function isTaipanError(value: unknown): value is TaipanError {
  return (
    value instanceof TaipanError ||
    (value instanceof Error && value.name === 'TaipanError' && typeof (value as TaipanError).code === 'string')
  );
}
