/**
 * Linking one package as a step of a transaction: its files, its entry points, its
 * bytecode, its post-link script, and last its conda-meta record, every file through the
 * journal. A failing post-link script fails the step (and so the transaction), as in conda.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import type { CacheEntry } from '../package-cache/package-cache.js';
import { compilePyc, existingFiles } from '../link/compile-pyc.js';
import { entryPointLauncher, entryPointScript } from '../link/entry-points.js';
import { linkPackage, unsafePackagePath } from '../link/link-package.js';
import type { PrefixPathGuard } from '../prefix/prefix-paths.js';
import { messagesPath, runLinkScript, takeMessages } from '../link/link-scripts.js';
import { pycPath, type PythonInfo } from '../link/noarch-python.js';
import { prefixRecordFileName, type PrefixPathEntry, type PrefixRecord } from '../prefix/prefix-record.js';
import { condaMetaDir } from '../prefix/prefix-files.js';
import { writeJsonAtomically } from '../../channels/util/fs.js';
import type { Journal } from './journal.js';
import type { PackageLayout } from './layout.js';
import { pathExists } from '../../channels/util/fs.js';

/** Something a package's linking or unlinking tells the user (never printed here). */
export type Notice = {
  kind: 'notice';
  record: RepoDataRecord;
  level: 'info' | 'warning';
  source: 'post-link' | 'pre-unlink' | 'clobber' | 'pyc' | 'unlink';
  text: string;
};

export interface LinkStepContext {
  readonly prefix: string;
  readonly journal: Journal;
  readonly python: PythonInfo | undefined;
  readonly windows: boolean;
  readonly alwaysCopy?: boolean;
  readonly requestedSpec: string;
  readonly notify: (notice: Notice) => void;
  /** The transaction's checks of every path written into the prefix. */
  readonly guard: PrefixPathGuard;
}

/** Link one package; returns its record as written and the unowned files it replaced. */
export async function linkStep(context: LinkStepContext, layout: PackageLayout, entry: CacheEntry): Promise<{ record: PrefixRecord; replaced: string[] }> {
  const { prefix, journal, record } = { ...context, record: layout.record };
  if (layout.clobbered.length > 0) {
    const owners = [...new Set(layout.clobbered.map((c) => c.owner))].join("', '");
    context.notify({
      kind: 'notice',
      record,
      level: 'warning',
      source: 'clobber',
      text: `'${record.name}' ships ${layout.clobbered.length} path(s) that '${owners}' already installed (${layout.clobbered
        .slice(0, 3)
        .map((c) => c.path)
        .join(', ')}${layout.clobbered.length > 3 ? ', …' : ''}); the installed files are kept and '${record.name}''s copies are under '__clobbers__/${record.name}/'`,
    });
  }
  const result = await linkPackage(entry.dir, prefix, layout.targets, journal, { alwaysCopy: context.alwaysCopy, windows: context.windows, guard: context.guard });
  const paths = [...result.paths];
  const replaced = [...result.replaced];

  for (const ep of layout.entryPoints) {
    const python = context.python as PythonInfo;
    const data = ep.launcher ? entryPointLauncher(python, ep.entryPoint) : entryPointScript(prefix, python, ep.entryPoint);
    const problem = context.guard.problem(ep.originalPath ?? ep.target, 'payload');
    if (problem !== undefined) throw unsafePackagePath(entry.dir, ep.target, `entry point '${ep.entryPoint.name}': ${problem}`);
    const target = path.join(prefix, ep.target);
    if (await journal.displace(target)) replaced.push(ep.target);
    await journal.create(target, async () => {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, data);
      await chmod(target, 0o755);
    });
    paths.push({
      _path: ep.target,
      // conda's type for its launcher .exe, the role the .bat plays.
      path_type: ep.launcher ? 'windows_python_entrypoint_exe' : context.windows ? 'windows_python_entrypoint_script' : 'unix_python_entrypoint',
      sha256: createHash('sha256').update(data).digest('hex'),
      size_in_bytes: data.length,
      ...(ep.originalPath ? { original_path: ep.originalPath } : {}),
    });
  }

  paths.push(...(await compileStep(context, layout)));
  await postLinkStep(context, record);

  const metaFile = path.join(condaMetaDir(prefix), prefixRecordFileName(record));
  const written: PrefixRecord = {
    ...record,
    files: paths.filter((p) => p.path_type !== 'directory').map((p) => p._path),
    paths_data: { paths_version: 1, paths },
    link: { source: entry.dir, type: result.linkType },
    extracted_package_dir: entry.dir,
    package_tarball_full_path: entry.archive,
    requested_spec: context.requestedSpec,
  };
  await writeRecord(journal, metaFile, written);
  return { record: written, replaced };
}

/** Replace (or create) a conda-meta record through the journal. */
export async function writeRecord(journal: Journal, metaFile: string, record: PrefixRecord): Promise<void> {
  await journal.displace(metaFile);
  await journal.create(metaFile, () => writeJsonAtomically(metaFile, record));
}

async function compileStep(context: LinkStepContext, layout: PackageLayout): Promise<PrefixPathEntry[]> {
  const python = context.python;
  if (!python || layout.compile.length === 0) return [];
  const interpreter = path.join(context.prefix, python.executable);
  const expected = layout.compile.map((py) => pycPath(python, py));
  // Logged before python runs: a kill during compileall leaves nothing unaccounted.
  context.journal.willCreate(expected.map((p) => path.join(context.prefix, p)));
  let warning: string | undefined;
  try {
    const result = await compilePyc(context.prefix, interpreter, layout.compile);
    if (result.status !== 0) warning = `python could not compile every file of '${layout.record.name}': ${result.output.trim().split('\n').slice(-3).join(' ')}`;
  } catch (error) {
    warning = `cannot run '${interpreter}' to compile '${layout.record.name}': ${(error as Error).message}`;
  }
  if (warning) context.notify({ kind: 'notice', record: layout.record, level: 'warning', source: 'pyc', text: warning });
  return (await existingFiles(context.prefix, expected)).map((p) => ({ _path: p, path_type: 'pyc_file' as const }));
}

async function postLinkStep(context: LinkStepContext, record: RepoDataRecord): Promise<void> {
  const messages = messagesPath(context.prefix);
  if (!(await pathExists(messages))) context.journal.willCreate([messages]);
  const result = await runLinkScript(context.prefix, record, 'post-link', context.windows);
  const text = await takeMessages(context.prefix);
  if (text) context.notify({ kind: 'notice', record, level: 'info', source: 'post-link', text });
  if (result && result.status !== 0) {
    const tail = result.output.trim().split('\n').slice(-5).join('\n');
    throw new TaipanError('LINK_SCRIPT_FAILED', `the post-link script of '${record.name}-${record.version}-${record.build}' failed with exit code ${result.status}${tail ? `:\n${tail}` : ''}`, {
      hint: 'the transaction was rolled back and the environment is as it was; report the failure to the package maintainers',
    });
  }
}

