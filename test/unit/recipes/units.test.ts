/** The small pieces: hash, pins, selectors, the Python selector evaluator, used variables. */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTaipanError } from '../../../channels/model/errors.js';
import { hashPrefix, pythonJsonDumps, variantHash } from '../../../recipes/hash.js';
import { pinBounds } from '../../../recipes/pins.js';
import { evalPython, PyExprError } from '../../../recipes/python-expr.js';
import { renderRecipeSync } from '../../../recipes/render.js';
import { selectLines, selectorNamespace, splitSelector } from '../../../recipes/selectors.js';
import { namesInExpression, usedVarsInMetaText } from '../../../recipes/used-vars.js';

describe('variant hash', () => {
  test("rattler-build's own test vector (hash.rs test_hash_full_variant)", () => {
    const variant = {
      rust_compiler: 'rust',
      build_platform: 'osx-64',
      c_compiler: 'clang',
      target_platform: 'osx-arm64',
      openssl: '3',
      CONDA_BUILD_SYSROOT: '/Applications/Xcode_13.2.1.app/Contents/Developer/Platforms/MacOSX.platform/Developer/SDKs/MacOSX11.0.sdk',
      channel_targets: 'conda-forge main',
      python: '3.11.* *_cpython',
      c_compiler_version: '14',
    };
    expect(`${hashPrefix(variant, false)}h${variantHash(variant)}`).toBe('py311h507f6e9');
  });
  test('Python json.dumps formatting', () => {
    expect(pythonJsonDumps({ b: ['x', 1, true], a: 'é' })).toBe('{"a": "\\u00e9", "b": ["x", 1, true]}');
  });
  test('prefixes', () => {
    expect(hashPrefix({ python: '3.10', numpy: '1.21', lua: '5.4', r: '4.2' }, false)).toBe('np121py310lua54r42');
    expect(hashPrefix({ perl: '5.26.2' }, false)).toBe('pl5262');
    expect(hashPrefix({ python: '3.11' }, true)).toBe('py');
  });
});

describe('pins', () => {
  test.each([
    ['1.3.2', 'x.x.x.x.x.x', 'x', '>=1.3.2,<2.0a0'],
    ['3.4.6', 'x.x.x.x.x.x', 'x.x', '>=3.4.6,<3.5.0a0'],
    ['5.28.2', 'x.x.x.x.x.x', 'x.x.x', '>=5.28.2,<5.28.3.0a0'],
    ['1.5', 'x.x', 'x.x.x.x', '>=1.5,<1.6.0a0'],
    ['2.1', null, 'x', '<3.0a0'],
    ['2.1', 'x.x', null, '>=2.1'],
  ])('%s min=%s max=%s', (version, lower, upper, expected) => {
    expect(pinBounds(version, lower, upper)).toBe(expected);
  });
});

describe('conda-build selectors', () => {
  const ns = selectorNamespace({ targetPlatform: 'linux-64', buildPlatform: 'linux-64', variant: { python: '3.12.* *_cpython', gcc_maj_ver: '14', use_noarch: 'true' }, env: {} });
  test('the namespace', () => {
    expect(ns).toMatchObject({ linux: true, osx: false, win: false, unix: true, x86_64: true, aarch64: false, linux64: true, py: 312, py3k: true, gcc_maj_ver: 14, use_noarch: true, target_platform: 'linux-64', build_platform: 'linux-64' });
    expect(selectorNamespace({ targetPlatform: 'osx-arm64', buildPlatform: 'osx-64', variant: {}, env: {} })).toMatchObject({ osx: true, arm64: true, unix: true });
    expect(selectorNamespace({ targetPlatform: 'win-64', buildPlatform: 'win-64', variant: {}, env: {} })).toMatchObject({ win: true, win64: true, unix: false });
  });
  test('lines', () => {
    const text = 'a: 1  # [linux]\nb: 2  # [win]\n# comment [osx]\nc: 3  # [py<313 and gcc_maj_ver < 15]\nd: "x"  # [not use_noarch]\ne: 5 # [os.environ.get("CF_CUDA_ENABLED", "False") == "True"]\nf: 6  # [target_platform in ("linux-64", "linux-aarch64")]';
    expect(selectLines(text, ns, 'meta.yaml').split('\n')).toEqual(['a: 1', '', '', 'c: 3', '', '', 'f: 6']);
    expect(splitSelector('- foo  # some comment [win]')).toEqual({ content: '- foo', selector: 'win' });
    expect(splitSelector('see [the docs](http://x)')).toBeNull();
  });
  test('undefined names are False, as conda-build makes them', () => {
    expect(evalPython('not nonexistent and linux', ns)).toBe(true);
  });
});

describe('used variables', () => {
  test("conda-build's scan", () => {
    const text = 'requirements:\n  build:\n    - {{ compiler("c") }}\n  host:\n    - python\n    - numpy >=1\n    - foo  # [openssl == "3"]\n  run:\n    - {{ pin_compatible("zlib") }}\n';
    expect([...usedVarsInMetaText(['python', 'numpy', 'c_compiler', 'c_compiler_version', 'cxx_compiler', 'zlib', 'perl'], text)].sort()).toEqual(['c_compiler', 'c_compiler_version', 'python']);
    expect([...usedVarsInMetaText(['openssl'], text, true)]).toEqual(['openssl']);
  });
  test('names in an expression', () => {
    expect([...namesInExpression('python | version_to_buildstring')]).toEqual(['python']);
    expect([...namesInExpression("pin_subpackage('x', upper_bound='x.x') if win and not cuda is defined else env.get('A')")].sort()).toEqual(['cuda', 'env', 'pin_subpackage', 'win']);
  });
});

describe('properties: only TaipanError, never a crash or a hang', () => {
  const tokens = fc.constantFrom('linux', 'win', 'py', '(', ')', '[', ']', 'and', 'or', 'not', 'in', '==', '<', '"x"', "'y'", '3', '1.5', ',', '.', 'startswith', 'os', 'environ', 'get', ' ', '+', '-', '*', '/', '%', 'None', 'True', '${{', '}}', '{{', '{%', '%}', ':', '\n', '- ', '#', 'if', 'then', 'else');
  const exprText = fc.oneof(fc.string({ maxLength: 40 }), fc.array(tokens, { maxLength: 25 }).map((t) => t.join(' ')));

  test('the selector evaluator throws only PyExprError', () => {
    const ns = selectorNamespace({ targetPlatform: 'linux-64', buildPlatform: 'linux-64', variant: {}, env: {} });
    fc.assert(
      fc.property(exprText, (text) => {
        try {
          evalPython(text, ns);
        } catch (error) {
          if (!(error instanceof PyExprError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'taipan-prop-'));
  const check = (file: string, text: string): void => {
    writeFileSync(path.join(dir, file), text);
    try {
      renderRecipeSync(path.join(dir, file), { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} });
    } catch (error) {
      if (!isTaipanError(error)) throw error;
    }
  };
  const body = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.array(tokens, { maxLength: 30 }).map((t) => t.join('')),
    fc.tuple(fc.array(tokens, { maxLength: 8 }), fc.array(tokens, { maxLength: 8 })).map(([a, b]) => `package:\n  name: x${a.join('')}\n  version: "1${b.join('')}"\nrequirements:\n  run:\n    - ${a.join(' ')}\n    - if: ${b.join(' ')}\n      then: z\n`),
  );

  test('recipe.yaml rendering throws only TaipanError', () => {
    fc.assert(fc.property(body, (text) => check('recipe.yaml', text)), { numRuns: 300 });
  });
  test('meta.yaml rendering throws only TaipanError', () => {
    const meta = fc.oneof(body, fc.tuple(fc.array(tokens, { maxLength: 10 }), fc.array(tokens, { maxLength: 6 })).map(([a, b]) => `{% set v = "1" %}\npackage:\n  name: x\n  version: {{ v }}${a.join('')}\nrequirements:\n  run:\n    - y  # [${b.join(' ')}]\n`));
    fc.assert(fc.property(meta, (text) => check('meta.yaml', text)), { numRuns: 300 });
  });
});
