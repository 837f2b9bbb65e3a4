/**
 * Where conda-meta files that are not valid records are reported. Kept apart from the
 * record reader (no imports), so the CLI can listen before it knows which command runs.
 */

/** A conda-meta file that could not be used as a record, and why. */
export interface InvalidRecord {
  readonly file: string;
  readonly problem: string;
}

let listener: ((invalid: InvalidRecord) => void) | undefined;

/** Set (or clear) who hears of invalid records whose reader's caller did not ask itself. */
export function setInvalidRecordListener(next: ((invalid: InvalidRecord) => void) | undefined): void {
  listener = next;
}

/** Report an invalid record to the listener, if any. */
export function reportInvalidRecord(invalid: InvalidRecord): void {
  listener?.(invalid);
}
