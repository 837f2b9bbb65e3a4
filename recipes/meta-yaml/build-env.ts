/**
 * The build-environment variables conda-build puts in a meta.yaml's Jinja context at render
 * time (`environ.get_dict`): `{{ PYTHON }}`, `{{ PKG_HASH }}`, `environ["PREFIX"]`,
 * `SHLIB_EXT`, `PY_VER`, ... The folders do not exist yet when rendering (conda-build shows
 * placeholder paths), so taipan renders them as references to the variable the build script
 * and the tests see (`${PREFIX}`): a script line `{{ PYTHON }} -m pip` then runs the host's
 * python, as in conda-build. On Windows a reference (`%PREFIX%`) cannot start a YAML plain
 * value, so there they are placeholder folders as in conda-build (`C:\placehold\PREFIX`).
 * PKG_HASH is the variant hash, known only
 * after rendering, so it is a marker that {@link fillPackageHash} replaces.
 */

/** Stands for the variant hash until it is known (7 hex digits, no `h`, as conda-build's PKG_HASH). */
export const PKG_HASH_MARKER = '\u27EAPKG_HASH\u27EB';

export function fillPackageHash(text: string, hash: string): string {
  return text.split(PKG_HASH_MARKER).join(hash.replace(/^h/, ''));
}

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  readonly buildNumber: string;
}

const FOLDER_VARS = ['PREFIX', 'BUILD_PREFIX', 'SRC_DIR', 'SYS_PREFIX', 'SYS_PYTHON', 'CONDA_DEFAULT_ENV', 'STDLIB_DIR', 'SP_DIR', 'PYTHON', 'PERL', 'LUA', 'R'];
const WINDOWS_FOLDER_VARS = ['LIBRARY_PREFIX', 'LIBRARY_BIN', 'LIBRARY_INC', 'LIBRARY_LIB', 'SCRIPTS'];

function majorMinor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return (value.split(' ')[0] ?? '').split('.').slice(0, 2).join('.').replace(/\.\*$/, '');
}

/**
 * The variables, for `targetPlatform` and the (string) variant. `pkg` is the package's
 * name, version and build number from a first render, or undefined on that first render.
 */
export function buildEnvVars(options: { targetPlatform: string; buildPlatform: string; recipeDir: string; variant: Readonly<Record<string, string>>; pkg: PackageInfo | undefined }): Record<string, string> {
  const { targetPlatform, variant } = options;
  const win = targetPlatform.startsWith('win-');
  const ref = (name: string): string => (win ? `C:\\placehold\\${name}` : `\${${name}}`);
  const out: Record<string, string> = {};
  for (const name of FOLDER_VARS) out[name] = ref(name);
  if (win) for (const name of WINDOWS_FOLDER_VARS) out[name] = ref(name);
  const arch = targetPlatform.slice(targetPlatform.indexOf('-') + 1);
  Object.assign(out, {
    CONDA_BUILD: '1',
    CONDA_BUILD_STATE: 'RENDER',
    PYTHONNOUSERSITE: '1',
    ARCH: arch === '64' ? '64' : arch === '32' ? '32' : arch,
    SUBDIR: targetPlatform,
    build_platform: options.buildPlatform,
    target_platform: targetPlatform,
    RECIPE_DIR: options.recipeDir,
    SHLIB_EXT: win ? '.dll' : targetPlatform.startsWith('osx-') ? '.dylib' : '.so',
    CPU_COUNT: '1',
    PKG_BUILD_STRING: 'placeholder',
    PKG_HASH: PKG_HASH_MARKER,
  });
  if (options.pkg) Object.assign(out, { PKG_NAME: options.pkg.name, PKG_VERSION: options.pkg.version, PKG_BUILDNUM: options.pkg.buildNumber });
  // python_vars: the python of the variant (conda-build's default 3.x when there is none).
  const py = majorMinor(variant.python);
  if (py) Object.assign(out, { PY_VER: py, CONDA_PY: py.replace('.', ''), PY3K: py.startsWith('3.') ? '1' : '0' });
  const np = majorMinor(variant.numpy);
  if (np) Object.assign(out, { NPY_VER: np, CONDA_NPY: np.replace('.', ''), NPY_DISTUTILS_APPEND_FLAGS: '1' });
  if (variant.perl) Object.assign(out, { PERL_VER: variant.perl, CONDA_PERL: variant.perl });
  if (variant.lua) Object.assign(out, { LUA_VER: variant.lua, CONDA_LUA: variant.lua });
  const r = variant.r_base;
  if (r) Object.assign(out, { R_VER: r, CONDA_R: r });
  return out;
}
