/**
 * `taipan pack`: an environment as one relocatable archive, as conda-pack makes them. The
 * files go in as they are in the prefix (so the archive works unchanged at the original
 * path), plus `bin/conda-unpack`, `bin/activate` (and `Scripts\\activate.bat` for Windows
 * environments) and `.taipan-pack/plan`, which says where the old path sits in which
 * file. Unpacking anywhere else is: extract, run `bin/conda-unpack` (or `taipan unpack`).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaipanError } from '../../channels/model/errors.js';
import { readEnvVars } from '../activation/env-vars.js';
import { isEnvironment, readPrefixRecords } from '../prefix/prefix-record.js';
import { packFormatOf, writePackArchive, type PackEntry, type PackFormat } from './archive-writer.js';
import { formatPlans, planFile, type FilePlan } from './rewrite-plan.js';
import { RewriteSelection } from './rewrite-selection.js';
import { activateBat, activateScript, condaUnpackScript, PACK_DIR } from './scripts.js';

export interface PackOptions {
  readonly prefix: string;
  readonly output: string;
  /** From the output's name when absent. */
  readonly format?: PackFormat;
}

export interface PackResult {
  readonly output: string;
  readonly format: PackFormat;
  readonly files: number;
  /** Files whose path is rewritten at unpack time, by mode. */
  readonly rewritten: { readonly text: number; readonly binary: number };
}

/** taipan's own bookkeeping, which means nothing in another place. */
const SKIPPED = [/^conda-meta\/\.taipan/, /^\.taipan-trash(\/|$)/, new RegExp(`^${PACK_DIR.replace('.', '\\.')}(/|$)`)];

export async function packEnvironment(options: PackOptions): Promise<PackResult> {
  const prefix = path.resolve(options.prefix);
  if (!(await isEnvironment(prefix))) {
    throw new TaipanError('PREFIX_NOT_FOUND', `'${prefix}' is not an environment (it has no conda-meta folder)`, { hint: 'name an environment with -n NAME or -p PREFIX' });
  }
  const format = options.format ?? packFormatOf(options.output);
  const records = await readPrefixRecords(prefix);
  const selection = new RewriteSelection(records);
  const windows = records.some((r) => r.subdir?.startsWith('win-'));
  const envVars = await readEnvVars(prefix);
  const generated = new Map<string, { data: Buffer; mode: number }>([
    ['bin/conda-unpack', { data: Buffer.from(condaUnpackScript()), mode: 0o755 }],
    ['bin/activate', { data: Buffer.from(activateScript(prefix, envVars)), mode: 0o644 }],
  ]);
  if (windows) generated.set('Scripts/activate.bat', { data: Buffer.from(activateBat(envVars)), mode: 0o644 });

  const entries: PackEntry[] = [];
  const plans: FilePlan[] = [];
  for (const relative of await listTree(prefix)) {
    if (SKIPPED.some((re) => re.test(relative)) || generated.has(relative)) continue;
    entries.push({ kind: 'disk', path: relative });
    const full = path.join(prefix, relative);
    const info = await lstat(full);
    if (!info.isFile() || relative.includes('\n') || !selection.mayRewrite(relative)) continue;
    const data = await readFile(full);
    const rule = selection.ruleFor(relative, data);
    const plan = rule && planFile(relative, data, prefix, rule);
    if (plan) plans.push(plan);
  }
  for (const [relative, { data, mode }] of generated) {
    entries.push({ kind: 'buffer', path: relative, data, mode });
    const plan = planFile(relative, data, prefix, { mode: 'text' });
    if (plan) plans.push(plan);
  }
  entries.push({ kind: 'buffer', path: `${PACK_DIR}/plan`, data: Buffer.from(formatPlans(prefix, plans)), mode: 0o644 });
  await writePackArchive(prefix, entries, options.output, format);
  return {
    output: options.output,
    format,
    files: entries.length,
    rewritten: { text: plans.filter((p) => p.mode === 'text').length, binary: plans.filter((p) => p.mode === 'binary').length },
  };
}

/** Files, symlinks and empty folders under `root`, as sorted POSIX relative paths. */
async function listTree(root: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  const children = await readdir(path.join(root, relative), { withFileTypes: true });
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const childPath = relative ? `${relative}/${child.name}` : child.name;
    if (child.isDirectory()) {
      const inner = await listTree(root, childPath);
      out.push(...(inner.length > 0 ? inner : [childPath]));
    } else {
      out.push(childPath);
    }
  }
  return out;
}
