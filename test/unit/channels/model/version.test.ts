/** Version: API contract and error messages for bad input. */
import { isTaipanError } from '../../../../channels/model/errors.js';
import { Version } from '../../../../channels/model/version.js';

function parseError(text: string): Error & { code?: string } {
  try {
    Version.parse(text);
  } catch (error) {
    if (isTaipanError(error)) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

describe('Version', () => {
  test('normalizes like conda str(): trims, lower-cases, dashes become underscores', () => {
    expect(Version.parse('  1.0.0RC1 ').toString()).toBe('1.0.0rc1');
    expect(Version.parse('1.0-2').toString()).toBe('1.0_2');
    expect(Version.parse('1.0-2').source).toBe('1.0-2');
  });

  test('orders dev < _ < alpha < rc < release < post, epoch first, local last', () => {
    const order = ['1.1dev1', '1.1_', '1.1a1', '1.1rc1', '1.1', '1.1.post1', '1.1post1', '1.2+a', '1.2+b', '1!0.1'];
    const shuffled = [...order].reverse().map((t) => Version.parse(t));
    expect(shuffled.sort((a, b) => a.compare(b)).map((v) => v.source)).toEqual(order);
  });

  test('1.0 equals 1.0.0, comparison is case-insensitive', () => {
    expect(Version.parse('1.0').equals(Version.parse('1.0.0'))).toBe(true);
    expect(Version.parse('1.0RC1').compare(Version.parse('1.0rc1'))).toBe(0);
  });

  test('numerals beyond 2^53 compare exactly', () => {
    const a = Version.parse('1.90071992547409931');
    const b = Version.parse('1.90071992547409932');
    expect(a.compare(b)).toBe(-1);
    expect(b.compare(Version.parse('1.2'))).toBe(1);
  });

  test('accessors', () => {
    const v = Version.parse('2!1.2.dev3+local.1');
    expect(v.epoch).toBe(2);
    expect(v.isDev).toBe(true);
    expect(v.hasLocal).toBe(true);
    expect(Version.parse('1.2').isDev).toBe(false);
    expect(Version.parse('1.2').segments).toEqual([[0], [1], [2]]);
  });

  test('startsWith follows conda (1.2.* and =1.2 semantics)', () => {
    const sw = (v: string, p: string): boolean => Version.parse(v).startsWith(Version.parse(p));
    expect(sw('1.2.3', '1.2')).toBe(true);
    expect(sw('1.20', '1.2')).toBe(false);
    expect(sw('1.2', '1.2')).toBe(true);
    expect(sw('1.2a1', '1.2a')).toBe(true);
    expect(sw('9b', '9')).toBe(true);
    expect(sw('1.2.3+abc', '1.2.3+a')).toBe(true);
  });

  test('tryParse returns null instead of throwing', () => {
    expect(Version.tryParse('1..2')).toBeNull();
    expect(Version.tryParse('1.2')?.toString()).toBe('1.2');
  });

  test.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['1.2$', "character '$' is not allowed"],
    ['1-2_3', "mixes '-' and '_'"],
    ['a!1.0', "epoch before '!' must be an integer"],
    ['1!2!3', "more than one epoch separator '!'"],
    ['1+2+3', "more than one local version separator '+'"],
    ['+1.2', "expected a version before the local version separator '+'"],
    ['1.2+', 'empty version component'],
    ['5.5..mw', 'empty version component'],
    ['1.', 'empty version component'],
  ])('rejects %j with code INVALID_VERSION and a message quoting it (%s)', (text, reason) => {
    const error = parseError(text);
    expect(error.code).toBe('INVALID_VERSION');
    expect(error.message).toContain(`'${text}'`);
    expect(error.message).toContain(reason);
  });
});
