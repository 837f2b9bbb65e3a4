/** The JSON punctuation bytes the repodata scanner and the record parser look at. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;

/*
 * Four bytes at a time (SWAR): a little-endian word of four bytes holds a byte of value v
 * exactly when XOR with four v bytes leaves a zero byte, which `(x - 0x01010101) & ~x &
 * 0x80808080` detects without false positives. The scanner steps over words that hold no
 * quote and no backslash.
 */
const LOW_BITS = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;
const FOUR_QUOTES = 0x22222222;
const FOUR_BACKSLASHES = 0x5c5c5c5c;
/** Four spaces, as one word (any byte order). */
export const FOUR_SPACES = 0x20202020;

/** Whether any of the four bytes of `word` is a quote or a backslash. */
export function hasQuoteOrBackslash(word: number): boolean {
  const q = word ^ FOUR_QUOTES;
  const e = word ^ FOUR_BACKSLASHES;
  return (((q - LOW_BITS) & ~q) | ((e - LOW_BITS) & ~e)) & HIGH_BITS ? true : false;
}
