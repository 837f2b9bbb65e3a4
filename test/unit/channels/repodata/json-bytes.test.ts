/**
 * The four-bytes-at-a-time test the repodata scanner skips strings with: a word holding a
 * quote or a backslash is always reported, and a word without one never is.
 */
import { hasQuoteOrBackslash } from '../../../../channels/repodata/scan/json-bytes.js';

const isQuoteOrBackslash = (b: number): boolean => b === 0x22 || b === 0x5c;
const word = (bytes: readonly number[]): number => Buffer.from(bytes).readUInt32LE(0);

/** Every byte value at every position, among plain neighbours and among random ones. */
function* words(): Generator<number[]> {
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let position = 0; position < 4; position++) {
    for (let value = 0; value < 256; value++) {
      const plain = [0x61, 0x3d, 0x31, 0x2e];
      plain[position] = value;
      yield plain;
      const mixed = [random(), random(), random(), random()];
      mixed[position] = value;
      yield mixed;
    }
  }
  for (let n = 0; n < 20000; n++) yield [random(), random(), random(), random()];
}

describe('four-byte string test', () => {
  test('hasQuoteOrBackslash is exact', () => {
    for (const bytes of words()) expect([bytes, hasQuoteOrBackslash(word(bytes))]).toEqual([bytes, bytes.some(isQuoteOrBackslash)]);
  });
});
