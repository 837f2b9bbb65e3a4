/**
 * A library imported on first need, then at hand synchronously. The compression and
 * archive libraries cost tens of milliseconds to import, and most commands (a dry run on
 * plain repodata.json) never decode a byte; stream callbacks, which cannot await, use
 * `loaded` once `load()` has settled.
 */
export class LazyModule<T> {
  readonly #importer: () => Promise<T>;
  #loading: Promise<T> | undefined;
  #loaded: T | undefined;

  constructor(importer: () => Promise<T>) {
    this.#importer = importer;
  }

  /** The library, when an earlier `load()` has finished. */
  get loaded(): T | undefined {
    return this.#loaded;
  }

  /** The library, for code that runs only after `load()` has finished (anything else is a bug). */
  get value(): T {
    if (this.#loaded === undefined) throw new Error('internal error: a library was used before its import finished');
    return this.#loaded;
  }

  /** Import once; every caller shares the same import (and its failure). */
  load(): Promise<T> {
    this.#loading ??= this.#importer().then((library) => (this.#loaded = library));
    return this.#loading;
  }
}
