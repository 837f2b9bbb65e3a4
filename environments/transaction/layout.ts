/**
 * Where every file of a transaction goes, decided before the prefix is touched (conda's
 * "prepare" and "verify"): noarch: python relocation, entry point scripts, the .py files
 * to compile, clobbered paths and the copies promoted when their owner leaves. Pure over
 * its inputs, so it is tested without a disk.
 */
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { LinkJson } from '../../channels/archive/index.js';
import { ClobberRegistry, type ClobberRecordView, type Promotion } from '../link/clobber.js';
import { entryPointLauncherPath, entryPointPath, parseEntryPoint, type EntryPoint } from '../link/entry-points.js';
import type { LinkTarget, PackagePathEntry } from '../link/link-package.js';
import { noarchPythonTarget, requirePython, type PythonInfo } from '../link/noarch-python.js';

/** A package to link, with what its cache entry says. */
export interface PackageToLink {
  readonly record: RepoDataRecord;
  readonly paths: readonly PackagePathEntry[];
  readonly linkJson?: LinkJson;
}

/** An entry point's script (or its Windows launcher) to write, and where (possibly a clobbered copy). */
export interface EntryPointTarget {
  readonly entryPoint: EntryPoint;
  /** The Windows `.bat` launcher rather than the script. */
  readonly launcher: boolean;
  readonly target: string;
  readonly originalPath?: string;
}

/** Everything the executor writes for one package. */
export interface PackageLayout {
  readonly record: RepoDataRecord;
  readonly targets: LinkTarget[];
  readonly entryPoints: EntryPointTarget[];
  /** Prefix-relative .py files this package owns and python should compile. */
  readonly compile: string[];
  /** Paths another package already had (this package's copy is under `__clobbers__/`). */
  readonly clobbered: { path: string; owner: string }[];
}

export interface TransactionLayout {
  readonly promotions: Promotion[];
  readonly packages: PackageLayout[];
}

export interface LayoutInput {
  /** What conda-meta holds now. */
  readonly installed: readonly ClobberRecordView[];
  readonly unlink: readonly ClobberRecordView[];
  readonly link: readonly PackageToLink[];
  /** The python the prefix has after the transaction. */
  readonly python: PythonInfo | undefined;
}

export function planLayout(input: LayoutInput): TransactionLayout {
  const registry = new ClobberRegistry(input.installed);
  for (const record of input.unlink) registry.unregister(record);
  const promotions = registry.promotions();
  const packages = input.link.map((item) => layoutPackage(item, registry, input.python));
  return { promotions, packages };
}

function layoutPackage(item: PackageToLink, registry: ClobberRegistry, pythonOrNone: PythonInfo | undefined): PackageLayout {
  const { record } = item;
  const noarchPython = record.noarch === 'python' || item.linkJson?.noarch?.type === 'python';
  const python = noarchPython ? requirePython(pythonOrNone, record.name) : undefined;
  const placed = item.paths.map((entry) => ({ entry, target: python ? noarchPythonTarget(python, entry._path) : entry._path }));
  const entryPoints = python ? (item.linkJson?.noarch?.entry_points ?? []).map((line) => parseEntryPoint(line, record.name)) : [];
  // Each entry point's script, and on Windows its launcher after it.
  const entryFiles = python
    ? entryPoints.flatMap((entryPoint) => {
        const launcher = entryPointLauncherPath(python, entryPoint);
        return [{ entryPoint, path: entryPointPath(python, entryPoint), launcher: false }, ...(launcher ? [{ entryPoint, path: launcher, launcher: true }] : [])];
      })
    : [];
  const entryPaths = entryFiles.map((f) => f.path);
  const decisions = registry.register(record.name, [
    ...placed.filter((p) => p.entry.path_type !== 'directory').map((p) => p.target),
    ...entryPaths,
  ]);
  const targets: LinkTarget[] = placed.map(({ entry, target }) => {
    const decision = decisions.get(target);
    return decision ? { entry, target: decision.clobberPath, originalPath: target } : { entry, target };
  });
  const compile = python
    ? targets
        .filter((t) => t.originalPath === undefined && t.entry.path_type !== 'directory' && t.target.endsWith('.py'))
        .filter((t) => t.target.startsWith(`${python.sitePackages}/`))
        .map((t) => t.target)
    : [];
  return {
    record,
    targets,
    entryPoints: entryFiles.map(({ entryPoint, path: target, launcher }) => {
      const decision = decisions.get(target);
      return decision ? { entryPoint, launcher, target: decision.clobberPath, originalPath: target } : { entryPoint, launcher, target };
    }),
    compile,
    clobbered: [...decisions.values()].map((d) => ({ path: d.path, owner: d.owner })),
  };
}
