/**
 * Access to ../shared (real fixtures and conformance data made by others). A user's clone
 * has no ../shared: tests that need it are skipped with a printed reason, except under
 * TAIPAN_REQUIRE_SHARED=1 (set by .ci/run), where a missing ../shared is a failure.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const SHARED_DIR = path.resolve(process.cwd(), '..', 'shared');

export function sharedAvailable(): boolean {
  return existsSync(path.join(SHARED_DIR, 'fixtures')) && existsSync(path.join(SHARED_DIR, 'conformance'));
}

/** Absolute path of a file or folder under ../shared. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

/**
 * `describe` for tests that read ../shared. When it is absent: skip with a printed reason,
 * or fail when TAIPAN_REQUIRE_SHARED=1.
 */
export function describeShared(name: string, body: () => void): void {
  if (sharedAvailable()) {
    describe(name, body);
    return;
  }
  if (process.env.TAIPAN_REQUIRE_SHARED === '1') {
    describe(name, () => {
      test('../shared is present (TAIPAN_REQUIRE_SHARED=1)', () => {
        throw new Error(`TAIPAN_REQUIRE_SHARED=1 but '${SHARED_DIR}' is missing`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.log(`skipping '${name}': '${SHARED_DIR}' is absent (the real fixtures live there)`);
  // The body is not run at all: it may read ../shared while it declares its tests.
  describe(name, () => {
    test.skip(`needs '${SHARED_DIR}' (absent)`, () => undefined);
  });
}
