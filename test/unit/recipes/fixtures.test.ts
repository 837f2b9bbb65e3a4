/**
 * Acceptance: every recipe in ../shared/fixtures/recipes renders for linux-64, osx-arm64 and
 * win-64 with conda-forge's pinning, and a handful render to concrete expected values.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { renderRecipeSync, type RenderOptions } from '../../../recipes/render.js';
import type { RenderedOutput } from '../../../recipes/stage1.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';

const ROOT = sharedPath('fixtures', 'recipes');
const PINNING = path.join(ROOT, 'pinning', 'conda_build_config.yaml');
const PLATFORMS = ['linux-64', 'osx-arm64', 'win-64'] as const;

function render(recipe: string, platform: string, extra: Partial<RenderOptions> = {}): RenderedOutput[] {
  return renderRecipeSync(path.join(ROOT, recipe), { targetPlatform: platform, buildPlatform: platform, variantConfigFiles: [PINNING], env: {}, ...extra });
}

/** The pinning plus the variant files a rattler-build example is meant to be run with (`-m`). */
function withLocalVariants(recipe: string): Partial<RenderOptions> {
  const dir = path.dirname(path.join(ROOT, recipe));
  const local = readdirSync(dir).filter((f) => /^variant[-_]config\.ya?ml$/.test(f));
  return { variantConfigFiles: [PINNING, ...local.map((f) => path.join(dir, f))] };
}

const built = (outs: RenderedOutput[]): RenderedOutput[] => outs.filter((o) => !o.build.skip);
const names = (outs: RenderedOutput[]): string[] => built(outs).map((o) => o.name);
const one = (outs: RenderedOutput[], name: string): RenderedOutput => {
  const found = outs.find((o) => o.name === name);
  if (!found) throw new Error(`no output ${name} in ${outs.map((o) => o.name).join(', ')}`);
  return found;
};

/** Files under v1/ and conda-build/ that are recipes (not variant files, not fragments). */
function allRecipes(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!['tests', 'patches', 'recipe', 'src'].includes(entry)) walk(full);
      } else if (entry === 'meta.yaml' || (full.includes(`${path.sep}v1${path.sep}`) && /\.ya?ml$/.test(entry) && !/variant|conda_build_config/.test(entry))) {
        out.push(path.relative(ROOT, full));
      }
    }
  };
  walk(path.join(ROOT, 'conda-build'));
  walk(path.join(ROOT, 'v1'));
  return out.sort();
}

/** Deliberately invalid recipes and files that are not whole recipes. */
const NOT_VALID = [
  'rattler-build-test-test-parsing/', // parser error cases (checked in errors.test.ts)
  'rattler-build-test-test-section/script-test.yaml', // only a tests: fragment
  'rattler-build-test-race-condition/recipe-pin-invalid.yaml', // pins an output that does not exist
  'rattler-build-test-staging/staging-invalid-inherit.yaml', // inherits from a staging output that does not exist
];
const SLOW = ['ctng-compilers-feedstock'];

describeShared('all fixture recipes render', () => {
  const recipes = allRecipes().filter((r) => !NOT_VALID.some((n) => r.includes(n)));
  test('the fixture list is complete', () => {
    expect(recipes.length).toBeGreaterThan(80);
  });
  for (const recipe of recipes.filter((r) => !SLOW.some((s) => r.includes(s)))) {
    test(recipe, () => {
      for (const platform of PLATFORMS) {
        const outs = render(recipe, platform, withLocalVariants(recipe));
        expect(outs.length).toBeGreaterThanOrEqual(1);
        for (const o of outs) {
          expect(o.name).toMatch(/^[a-z0-9_.+-]+$/i);
          expect(o.version.length).toBeGreaterThan(0);
          expect(o.hash).toMatch(/^h[0-9a-f]{7}$/);
          expect(o.build.string).not.toContain('\u27ea');
          expect([...o.requirements.build, ...o.requirements.host, ...o.requirements.run].join(' ')).not.toMatch(/\u27ea|\$\{\{|\{\{/);
        }
      }
    });
  }
  test('ctng-compilers (20 outputs, 2 zip groups) on linux-64', () => {
    const outs = render('conda-build/ctng-compilers-feedstock', 'linux-64');
    const native = outs.filter((o) => o.variant.cross_target_platform === 'linux-64' && o.variant.gcc_maj_ver === '15');
    expect(native.map((o) => o.name)).toEqual(expect.arrayContaining(['libgcc', 'libstdcxx', 'gcc_impl_linux-64', 'gcc', 'gxx', 'gfortran']));
    const libgcc = native.find((o) => o.name === 'libgcc')!;
    expect(libgcc.version).toBe('15.2.0');
    expect(libgcc.build.number).toBe(19);
    // libgcc-devel of the native compiler gets build number + 100 (recipe's {% if %})
    expect(native.find((o) => o.name === 'libgcc-devel_linux-64')!.build.number).toBe(119);
    // gcc 13/14 for osx targets are skipped by `skip: true  # [... and gcc_maj_ver < 15]`
    const osx14 = outs.filter((o) => o.variant.cross_target_platform === 'osx-64' && o.variant.gcc_maj_ver === '14');
    expect(osx14.length).toBeGreaterThan(0);
    expect(osx14.every((o) => o.build.skip)).toBe(true);
  });
});

describeShared('meta.yaml recipes render to the expected values', () => {
  test('zlib-feedstock: 4 outputs, wapi ones only on win, exact pins to libzlib', () => {
    const linux = render('conda-build/zlib-feedstock', 'linux-64');
    expect(linux.map((o) => [o.name, o.build.skip])).toEqual([
      ['libzlib', false],
      ['libzlib-wapi', true],
      ['zlib', false],
      ['zlib-wapi', true],
    ]);
    const lib = one(linux, 'libzlib');
    expect(lib.version).toBe('1.3.2');
    expect(lib.build.number).toBe(2);
    expect(lib.build.string).toMatch(/^h[0-9a-f]{7}_2$/);
    // the recipe's conda_build_config.yaml picks the bootstrap compiler over the pinning's gcc
    expect(lib.requirements.build).toEqual(['gcc_bootstrap_linux-64 15.*', 'sysroot_linux-64 2.17.*']);
    expect(lib.requirements.runConstraints).toEqual(['zlib 1.3.2 *_2']);
    expect(lib.requirements.runExports.weak).toEqual(['libzlib >=1.3.2,<2.0a0']);
    const zlib = one(linux, 'zlib');
    expect(zlib.requirements.run).toEqual([`libzlib 1.3.2 ${lib.build.string}`]);
    expect(zlib.tests[0]).toMatchObject({ kind: 'script', script: ['test -f ${PREFIX}/lib/libz.a', 'test -f ${PREFIX}/lib/libz${SHLIB_EXT}', 'test -f ${PREFIX}/include/zlib.h'] });
    const win = render('conda-build/zlib-feedstock', 'win-64');
    expect(names(win)).toEqual(['libzlib', 'libzlib-wapi', 'zlib', 'zlib-wapi']);
    expect(one(win, 'libzlib').requirements.build).toEqual(['vs2022_win-64', 'vs_win-64']);
    expect(one(win, 'zlib-wapi').requirements.run).toEqual([`libzlib-wapi 1.3.2 ${one(win, 'libzlib-wapi').build.string}`, `zlib 1.3.2 ${one(win, 'zlib').build.string}`]);
  });

  test('xz-feedstock: seven outputs sharing one variant', () => {
    const outs = render('conda-build/xz-feedstock', 'linux-64');
    expect(names(outs)).toEqual(['liblzma', 'liblzma-devel', 'xz-tools', 'xz-gpl-tools', 'xz', 'liblzma-static', 'xz-static']);
    expect(new Set(outs.map((o) => o.version))).toEqual(new Set(['5.8.3']));
    expect(one(outs, 'liblzma').requirements.build).toEqual(['sysroot_linux-64 2.17.*', 'gcc_linux-64 15.*', 'make']);
    expect(one(outs, 'liblzma').requirements.runExports.weak).toEqual(['liblzma >=5.8.3,<6.0a0']);
    const win = render('conda-build/xz-feedstock', 'win-64');
    expect(names(win)).not.toContain('xz-gpl-tools');
  });

  test('bzip2 and libffi', () => {
    const bz = render('conda-build/bzip2-feedstock', 'osx-arm64');
    expect(bz.map((o) => [o.name, o.version, o.build.number])).toEqual([['bzip2', '1.0.8', 9]]);
    expect(bz[0]!.requirements.build).toEqual(['macosx_deployment_target_osx-arm64 11.0.*', 'clang_osx-arm64 21.*', 'make']);
    const ffi = render('conda-build/libffi-feedstock', 'linux-64');
    expect(ffi.map((o) => [o.name, o.version, o.build.number])).toEqual([['libffi', '3.4.6', 1]]);
    expect(ffi[0]!.requirements.runExports.weak).toEqual(['libffi >=3.4.6,<3.5.0a0']);
    expect(ffi[0]!.requirements.build).toContain('gcc_linux-64 15.*');
    expect(ffi[0]!.sources[0]).toMatchObject({ kind: 'url', patches: expect.arrayContaining([expect.stringMatching(/\.patch$/)]) });
  });

  test('pyyaml: one variant per python, plus one noarch build on linux-64', () => {
    const linux = render('conda-build/pyyaml-feedstock', 'linux-64');
    const noarch = linux.filter((o) => o.build.noarch === 'python');
    expect(noarch).toHaveLength(1);
    expect(noarch[0]!.build.string).toMatch(/^pyh[0-9a-f]{7}_0$/);
    expect(noarch[0]!.requirements.run).toEqual(['python >=3.10.*', 'yaml']);
    expect(noarch[0]!.targetPlatform).toBe('noarch');
    const native = linux.filter((o) => !o.build.noarch);
    expect(native.map((o) => o.build.string.slice(0, 5))).toEqual(['py310', 'py311', 'py312', 'py313']);
    expect(native.map((o) => o.variant.python)).toEqual(['3.10.* *_cpython', '3.11.* *_cpython', '3.12.* *_cpython', '3.13.* *_cp313']);
    expect(native[0]!.requirements.host).toEqual(['python 3.10.* *_cpython', 'cython', 'setuptools', 'packaging', 'pip', 'yaml']);
    expect(new Set(native.map((o) => o.build.string)).size).toBe(4);
    const osx = render('conda-build/pyyaml-feedstock', 'osx-arm64');
    expect(osx).toHaveLength(4);
    expect(osx.every((o) => !o.build.noarch)).toBe(true);
  });

  test('libprotobuf: multiple outputs with exact pins', () => {
    const outs = render('conda-build/libprotobuf-feedstock', 'linux-64');
    expect(names(outs)).toEqual(['libprotobuf', 'libprotobuf-static', 'libprotobuf-python-headers']);
    const lib = one(outs, 'libprotobuf');
    expect(lib.version).toBe('7.35.0');
    expect(lib.requirements.runExports.weak).toEqual(['libprotobuf >=7.35.0,<7.35.1.0a0']);
    expect(one(outs, 'libprotobuf-static').requirements.run).toContain(`libprotobuf 7.35.0 ${lib.build.string}`);
  });

  test('conda test recipes: variants from the recipe config, features, virtual packages', () => {
    expect(render('conda-build/conda-tests/versioned', 'linux-64').map((o) => o.version)).toEqual(['1.0', '2.0']);
    expect(render('conda-build/conda-tests/virtualdep-package', 'linux-64').map((o) => o.requirements.run)).toEqual([['__glibc'], ['__glibc >=2.28']]);
    expect(render('conda-build/conda-tests/virtualdep-package', 'osx-arm64').map((o) => o.requirements.run)).toEqual([['__osx'], ['__osx >=11.0']]);
  });
});

describeShared('recipe.yaml recipes render to the expected values', () => {
  test('numpy: python variants, skip below 3.12, compilers from the pinning', () => {
    const outs = render('v1/numpy-feedstock', 'linux-64');
    expect(outs.map((o) => [o.variant.python, o.build.skip])).toEqual([
      ['3.10.* *_cpython', true],
      ['3.11.* *_cpython', true],
      ['3.12.* *_cpython', false],
      ['3.13.* *_cp313', false],
    ]);
    const np = built(outs)[0]!;
    expect(np.version).toBe('2.5.1');
    expect(np.build.string).toMatch(/^py312h[0-9a-f]{7}_0$/);
    expect(np.requirements.build).toEqual(['sysroot_linux-64 2.17', 'gcc_linux-64 15', 'gxx_linux-64 15', 'ninja', 'pkg-config']);
    expect(np.requirements.run).toEqual(['python']);
    expect(np.requirements.runExports.weak).toEqual(['numpy >=1.25,<3']);
    expect(np.requirements.runConstraints).toEqual(['numpy-base <0a0']);
    expect(np.build.entryPoints).toEqual([]);
    expect(np.tests[0]).toMatchObject({ kind: 'python', imports: expect.arrayContaining(['numpy', 'numpy.linalg']) });
    const win = built(render('v1/numpy-feedstock', 'win-64'))[0]!;
    expect(win.build.entryPoints).toEqual(['f2py = numpy.f2py.f2py2e:main', 'numpy-config = numpy._configtool:main']);
  });

  test('curl: if/then lists per platform', () => {
    const linux = render('v1/rattler-build-examples-curl', 'linux-64')[0]!;
    expect([linux.name, linux.version, linux.build.number]).toEqual(['curl', '8.0.1', 0]);
    expect(linux.requirements.build).toEqual(['gcc_linux-64 15', 'make', 'perl', 'pkg-config', 'libtool']);
    expect(linux.requirements.host).toEqual(['openssl', 'zlib']);
    expect(linux.tests).toEqual([{ kind: 'script', script: ['curl --version'], requirements: { run: [], build: [] }, files: [] }]);
    const win = render('v1/rattler-build-examples-curl', 'win-64')[0]!;
    expect(win.requirements.build).toEqual(['vs2022_win-64', 'cmake', 'ninja']);
    expect(win.requirements.host).toEqual(['zlib']);
  });

  test('xtensor, rich, cargo-edit', () => {
    const xt = render('v1/rattler-build-examples-xtensor', 'osx-arm64')[0]!;
    expect([xt.name, xt.version]).toEqual(['xtensor', '0.27.1']);
    expect(xt.requirements.build).toContain('clangxx_osx-arm64 21');
    expect(xt.tests.some((t) => t.kind === 'package_contents')).toBe(true);
    const rich = render('v1/rattler-build-examples-rich', 'linux-64');
    expect(rich).toHaveLength(1);
    expect(rich[0]!.build.noarch).toBe('python');
    expect(rich[0]!.build.string).toMatch(/^pyh[0-9a-f]{7}_0$/);
    expect(rich[0]!.targetPlatform).toBe('noarch');
    const cargo = render('v1/rattler-build-examples-cargo-edit', 'linux-64')[0]!;
    expect(cargo.name).toBe('cargo-edit');
    expect(cargo.requirements.build).toContain('rust_linux-64');
  });

  test('mamba: three outputs, explicit build strings with the hash, pins between them', () => {
    const outs = render('v1/rattler-build-examples-mamba', 'linux-64', { variantConfigFiles: [PINNING, path.join(ROOT, 'v1/rattler-build-examples-mamba/variant_config.yaml')] });
    expect(outs.map((o) => o.name)).toEqual(['libmamba', 'libmambapy', 'mamba']);
    const py = one(outs, 'libmambapy');
    expect(py.build.string).toMatch(/^py_sup311h[0-9a-f]{7}_2$/);
    expect(py.build.string).toBe(`py_sup311${py.hash}_2`);
    expect(py.requirements.run).toEqual(['python', `libmamba 1.5.8 ${one(outs, 'libmamba').build.string}`]);
    expect(one(outs, 'libmamba').requirements.runExports.weak).toEqual(['libmamba >=1.5.8,<1.6.0a0']);
    // `${{ "build_mamba.bat" if win }}` renders to nothing on linux; one script name left is a file
    expect(one(outs, 'libmamba').build.script).toEqual({ file: 'build_mamba.sh' });
  });

  test('match() and cdt()', () => {
    const outs = render('v1/rattler-build-examples-match_and_cdt', 'linux-64', { variantConfigFiles: [path.join(ROOT, 'v1/rattler-build-examples-match_and_cdt/variant_config.yaml')] });
    expect(outs.map((o) => o.build.string)).toEqual(['py_33', 'py_35']);
    expect(outs[0]!.requirements.host).toEqual(['cairo-cos6-x86_64']);
    expect(outs.map((o) => o.requirements.run)).toEqual([['asyncio'], []]);
  });

  test('zstd: outputs of recipe:, stdlib and compilers, the recipe conda_build_config', () => {
    const outs = render('v1/zstd-feedstock', 'linux-64');
    expect(outs.map((o) => [o.name, o.version, o.build.number])).toEqual([
      ['zstd', '1.5.7', 6],
      ['zstd-static', '1.5.7', 6],
    ]);
    // the recipe's conda_build_config.yaml sets cxx_compiler to gcc_bootstrap as well
    expect(outs[0]!.requirements.build.slice(0, 3)).toEqual(['sysroot_linux-64 2.17', 'gcc_bootstrap_linux-64 15', 'gcc_bootstrap_linux-64 15']);
    expect(outs[0]!.build.script).toEqual({ file: 'install.sh' });
  });
});
