/**
 * Recipe errors. Every problem in a recipe or a variant file is a TaipanError with code
 * 'RECIPE' whose message starts with `file:line:col:` (rattler-build's span-carrying
 * errors, rendered the way compilers print them), so editors and people can jump to it.
 */
import { TaipanError, isTaipanError } from '../channels/model/errors.js';

export interface SourceLocation {
  readonly file: string;
  /** 1-based; absent when the problem is about the whole file. */
  readonly line?: number;
  /** 1-based. */
  readonly col?: number;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.line === undefined) return loc.file;
  return loc.col === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.col}`;
}

/** A TaipanError('RECIPE') that names the file, line and column of the problem. */
export function recipeError(loc: SourceLocation, message: string, options: { hint?: string; cause?: unknown } = {}): TaipanError {
  return new TaipanError('RECIPE', `${formatLocation(loc)}: ${message}`, options);
}

/**
 * Runs `fn`, turning anything it throws that is not already a TaipanError (a Jinja engine
 * error, a bug in a helper) into a recipe error at `loc`: the renderer must only ever throw
 * TaipanError.
 */
export function atLocation<T>(loc: SourceLocation, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isTaipanError(error)) throw error;
    throw recipeError(loc, cleanEngineMessage(error), { cause: error });
  }
}

/** The first line of a Jinja engine message, without minijinja's `(in <string>:1)` suffix. */
export function cleanEngineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).replace(/\s*\(in [^)]*\)\s*$/, '').trim() || 'invalid template';
}
