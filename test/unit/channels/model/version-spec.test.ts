/** VersionSpec: API contract and error messages for bad input. */
import { isTaipanError } from '../../../../channels/model/errors.js';
import { Version } from '../../../../channels/model/version.js';
import { VersionSpec } from '../../../../channels/model/version-spec.js';

function specError(text: string): Error & { code?: string } {
  try {
    VersionSpec.parse(text);
  } catch (error) {
    if (isTaipanError(error)) return error;
    throw error;
  }
  throw new Error(`expected '${text}' to be rejected`);
}

const matches = (spec: string, version: string): boolean => VersionSpec.parse(spec).matches(Version.parse(version));

describe('VersionSpec', () => {
  test('"," binds tighter than "|", parentheses group', () => {
    expect(matches('>=1.2,<2|1.0.*', '1.0.5')).toBe(true);
    expect(matches('>=1.2,<2|1.0.*', '1.5')).toBe(true);
    expect(matches('>=1.2,<2|1.0.*', '2.1')).toBe(false);
    expect(matches('(1.0|2.0),>1.5', '1.0')).toBe(false);
    expect(matches('(1.0|2.0),>1.5', '2.0')).toBe(true);
  });

  test('fuzzy forms: =1.2, 1.2.*, 1.2*, !=1.2.*, ~=', () => {
    expect(matches('=1.2', '1.2.7')).toBe(true);
    expect(matches('1.2.*', '1.20')).toBe(false);
    expect(matches('1.2*', '1.2.1')).toBe(true);
    expect(matches('!=1.2.*', '1.2.1')).toBe(false);
    expect(matches('~=1.2.3', '1.2.9')).toBe(true);
    expect(matches('~=1.2.3', '1.3')).toBe(false);
  });

  test('regex and glob specs match the version text', () => {
    expect(matches('^1\\.7\\.[0-9]+$', '1.7.12')).toBe(true);
    expect(matches('1.*.3', '1.7.0.3')).toBe(true);
    expect(matches('1.*.3', '1.7.4')).toBe(false);
  });

  test('toString is conda str(): constraints as written, joined without parentheses', () => {
    expect(VersionSpec.parse('1.2*').toString()).toBe('1.2.*');
    expect(VersionSpec.parse(' >=1.2 , <2 ').toString()).toBe('>=1.2,<2');
    expect(VersionSpec.parse('((1.5|1.6),1.7)').toString()).toBe('1.5|1.6,1.7');
  });

  test('ANY, isAny, exactVersion', () => {
    expect(VersionSpec.ANY.isAny()).toBe(true);
    expect(VersionSpec.parse('*').isAny()).toBe(true);
    expect(VersionSpec.parse('>=1').isAny()).toBe(false);
    expect(VersionSpec.parse('==1.7').exactVersion()).toBe('1.7');
    expect(VersionSpec.parse('1.7').exactVersion()).toBe('1.7');
    expect(VersionSpec.parse('=1.7').exactVersion()).toBeNull();
    expect(VersionSpec.parse('1.7|1.8').exactVersion()).toBeNull();
  });

  test('parse is memoized and specs are immutable', () => {
    expect(VersionSpec.parse('>=3.1,<4')).toBe(VersionSpec.parse('>=3.1,<4'));
    expect(Object.isFrozen(VersionSpec.parse('>=3.1,<4'))).toBe(true);
  });

  test('matchesString parses the version', () => {
    expect(VersionSpec.parse('>=1').matchesString('1.5')).toBe(true);
    expect(() => VersionSpec.parse('>=1').matchesString('1..5')).toThrow(/invalid version '1\.\.5'/);
  });

  test('~= with one component fails where conda fails: when matching a version at or above it', () => {
    const spec = VersionSpec.parse('~=1');
    expect(spec.matches(Version.parse('0.9'))).toBe(false);
    expect(() => spec.matches(Version.parse('1.5'))).toThrow(/at least two components/);
  });

  test.each([
    ['', 'found nothing'],
    ['>= 1.7', 'invalid operator'],
    ['<>1.2', 'invalid operator'],
    ['===3.3.2', 'invalid operator'],
    ['~=1.2.*', "'~=' cannot be combined with '.*'"],
    ['^1.5', "start with '^' and end with '$'"],
    ['1.5)', "')' has no matching '('"],
    ['(1.5', "'(' is never closed"],
    ['1.5||1.6', 'nothing on one side'],
    ['=2,', 'nothing on one side'],
    ['>=1..2', "invalid version '1..2'"],
    ['1.0(2.0)', "expected '|' or ','"],
  ])('rejects %j with code INVALID_VERSION_SPEC and a message quoting it (%s)', (text, reason) => {
    const error = specError(text);
    expect(error.code).toBe('INVALID_VERSION_SPEC');
    expect(error.message).toContain(`'${text}'`);
    expect(error.message).toContain(reason);
  });
});
