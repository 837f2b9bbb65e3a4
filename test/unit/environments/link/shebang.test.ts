import { MAX_SHEBANG_LENGTH, relocateScript, relocateShebangLine, replaceLongShebang } from '../../../../environments/link/shebang.js';
import { replacePrefixPlaceholder } from '../../../../environments/link/placeholder.js';

const PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

function relocate(text: string, prefix: string): string {
  return relocateScript(Buffer.from(text), PLACEHOLDER, prefix, (d) => replacePrefixPlaceholder(d, PLACEHOLDER, prefix, 'text')).toString();
}

describe('replaceLongShebang', () => {
  test('a short shebang is left alone (same buffer)', () => {
    const data = Buffer.from('#!/usr/bin/python3 -E\nprint(1)\n');
    expect(replaceLongShebang(data)).toBe(data);
  });

  test('a shebang over the kernel limit goes through /usr/bin/env, options and body kept', () => {
    const long = `/${'p'.repeat(MAX_SHEBANG_LENGTH)}/bin/python3.11`;
    const out = replaceLongShebang(Buffer.from(`#!${long} -u\nimport sys\n`)).toString();
    expect(out).toBe('#!/usr/bin/env python3.11 -u\nimport sys\n');
  });

  test('exactly 127 bytes still runs as is; 128 does not', () => {
    const at = (n: number): string => `#!/${'a'.repeat(n - '#!/'.length - '/sh'.length)}/sh`;
    expect(at(127)).toHaveLength(127);
    expect(replaceLongShebang(Buffer.from(`${at(127)}\n`)).toString()).toBe(`${at(127)}\n`);
    expect(replaceLongShebang(Buffer.from(`${at(128)}\n`)).toString()).toBe('#!/usr/bin/env sh\n');
  });

  test('an escaped space in the interpreter folder goes through /usr/bin/env', () => {
    expect(replaceLongShebang(Buffer.from('#!/my\\ env/bin/python\nx\n')).toString()).toBe('#!/usr/bin/env python\nx\n');
  });

  test('files without a shebang, or binary data, are untouched', () => {
    for (const text of ['print(1)\n', '', '#', '\x7fELF#!/x']) {
      const data = Buffer.from(text);
      expect(replaceLongShebang(data)).toBe(data);
    }
  });

  test('CRLF line endings are kept', () => {
    const out = replaceLongShebang(Buffer.from(`#!/${'q'.repeat(130)}/perl -w\r\nprint 1;\r\n`)).toString();
    expect(out).toBe('#!/usr/bin/env perl -w\r\nprint 1;\r\n');
  });
});

describe('relocating a script', () => {
  test('the placeholder in the shebang becomes the prefix; a short plain prefix keeps a direct shebang', () => {
    expect(relocate(`#!${PLACEHOLDER}/bin/python\nhome = "${PLACEHOLDER}"\n`, '/e')).toBe('#!/e/bin/python\nhome = "/e"\n');
  });

  test('a prefix with a space: env shebang, the rest of the file gets the plain prefix', () => {
    expect(relocate(`#!${PLACEHOLDER}/bin/python\nhome = "${PLACEHOLDER}"\n`, '/my env')).toBe('#!/usr/bin/env python\nhome = "/my env"\n');
  });

  test('a long prefix: env shebang', () => {
    const prefix = `/${'l'.repeat(130)}`;
    expect(relocate(`#!${PLACEHOLDER}/bin/perl -w\n`, prefix)).toBe('#!/usr/bin/env perl -w\n');
  });

  test('relocateShebangLine only touches the first line', () => {
    const out = relocateShebangLine(Buffer.from(`#!${PLACEHOLDER}/bin/sh\n${PLACEHOLDER}\n`), PLACEHOLDER, '/a b').toString();
    expect(out).toBe(`#!/a\\ b/bin/sh\n${PLACEHOLDER}\n`);
  });
});
