import { replacePrefixPlaceholder } from '../../../environments/link/placeholder.js';

const PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

describe('replacePrefixPlaceholder', () => {
  test('text mode replaces every occurrence', () => {
    const data = Buffer.from(`a=${PLACEHOLDER}/bin\nb=${PLACEHOLDER}\n`);
    expect(replacePrefixPlaceholder(data, PLACEHOLDER, '/home/u/env', 'text').toString()).toBe('a=/home/u/env/bin\nb=/home/u/env\n');
  });

  test('binary mode keeps the length and pads the C string with NULs', () => {
    const data = Buffer.concat([Buffer.from('\x7fELF'), Buffer.from(`${PLACEHOLDER}/lib:${PLACEHOLDER}/x\0tail`)]);
    const out = replacePrefixPlaceholder(data, PLACEHOLDER, '/e', 'binary');
    expect(out.length).toBe(data.length);
    const cString = out.subarray(4, out.indexOf(0, 4)).toString();
    expect(cString).toBe('/e/lib:/e/x');
    expect(out.subarray(out.length - 4).toString()).toBe('tail');
  });

  test('binary mode refuses a prefix longer than the placeholder', () => {
    expect(() => replacePrefixPlaceholder(Buffer.from(`${PLACEHOLDER}\0`), PLACEHOLDER, `/${'x'.repeat(40)}`, 'binary')).toThrow(/longer than the package's binary placeholder/);
  });

  test('data without the placeholder is returned as is', () => {
    const data = Buffer.from('nothing here');
    expect(replacePrefixPlaceholder(data, PLACEHOLDER, '/e', 'text')).toBe(data);
  });
});
