/**
 * Starting the emscripten-built WASM libraries (libzstd, libbzip2) safely. Their Node glue
 * installs process-wide `uncaughtException`/`unhandledRejection` handlers that rethrow,
 * which would turn any later crash into exit code 7, and it prints "Aborted(...)" when its
 * .wasm file is missing (as in the single-file bundle an installer carries). So: the file
 * is looked for first, and the handlers the start added are removed again.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Whether `relative` (to the folder of `specifier`'s entry file) exists; false when the package cannot be resolved. */
export function packageFileExists(specifier: string, relative: string): boolean {
  try {
    return existsSync(path.join(path.dirname(createRequire(import.meta.url).resolve(specifier)), relative));
  } catch {
    return false;
  }
}

type GlueEvent = 'uncaughtException' | 'unhandledRejection';
const GLUE_EVENTS: readonly GlueEvent[] = ['uncaughtException', 'unhandledRejection'];

function listenersOf(event: GlueEvent): Function[] {
  return process.listeners(event as 'uncaughtException');
}

/** Run `start` (a library's init), then take back the process handlers it installed. */
export async function startWithoutProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const before = new Map(GLUE_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  try {
    return await start();
  } finally {
    for (const event of GLUE_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event as 'uncaughtException', listener as NodeJS.UncaughtExceptionListener);
      }
    }
  }
}
