/**
 * Unlinking one package as a step of a transaction: its pre-unlink script (a failure is
 * reported, not fatal, as in conda), then every file its record lists and the record
 * itself, moved into the journal's trash so a failure later can bring them back.
 * Also the promotion of clobbered copies whose owner has just left.
 */
import path from 'node:path';
import { messagesPath, runLinkScript, takeMessages } from '../link/link-scripts.js';
import type { Promotion } from '../link/clobber.js';
import { prefixRecordFileName, readPrefixRecords, type PrefixRecord } from '../prefix/prefix-record.js';
import { condaMetaDir } from '../prefix/prefix-files.js';
import { removeEmptyParents, type Journal } from './journal.js';
import { writeRecord, type Notice } from './link-step.js';
import { pathExists } from '../../channels/util/fs.js';
import type { PrefixPathGuard } from '../prefix/prefix-paths.js';

export interface UnlinkStepContext {
  readonly prefix: string;
  readonly journal: Journal;
  readonly windows: boolean;
  readonly notify: (notice: Notice) => void;
  /** The transaction's checks of every path removed from the prefix. */
  readonly guard: PrefixPathGuard;
}

/** Remove one installed package. */
export async function unlinkStep(context: UnlinkStepContext, record: PrefixRecord): Promise<void> {
  const { prefix, journal } = context;
  // Logged first, like the post-link's: a kill while the script runs leaves nothing unaccounted.
  const messages = messagesPath(prefix);
  if (!(await pathExists(messages))) journal.willCreate([messages]);
  const script = await runLinkScript(prefix, record, 'pre-unlink', context.windows);
  // What the script told the user goes to the user, and its file does not stay in the prefix.
  const text = await takeMessages(prefix);
  if (text) context.notify({ kind: 'notice', record, level: 'info', source: 'pre-unlink', text });
  if (script && script.status !== 0) {
    context.notify({
      kind: 'notice',
      record,
      level: 'warning',
      source: 'pre-unlink',
      text: `the pre-unlink script of '${record.name}' failed with exit code ${script.status}; removing the package anyway`,
    });
  }
  const entries = record.paths_data.paths.filter((p) => p.path_type !== 'directory');
  const refused: string[] = [];
  for (const { _path: file, path_type: type } of entries) {
    // Checked as linking checks: a record is data on disk, and nothing outside the prefix may go.
    const problem = context.guard.problem(file, 'record');
    if (problem !== undefined) {
      refused.push(`'${file}' (${problem})`);
      continue;
    }
    const target = path.join(prefix, file);
    // Only a symlink moved away can change where a folder leads (a lying type changes nothing
    // unsafe: what resolved through the link no longer resolves at all).
    if ((await journal.displace(target)) && type === 'softlink') context.guard.forget();
    await removeEmptyParents(path.dirname(target), prefix);
  }
  if (refused.length > 0) {
    context.notify({
      kind: 'notice',
      record,
      level: 'warning',
      source: 'unlink',
      text: `left ${refused.length} path(s) of '${record.name}' alone, which its record '${prefixRecordFileName(record)}' lists but which are not safe to remove: ${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ', …' : ''}`,
    });
  }
  await journal.displace(path.join(condaMetaDir(prefix), prefixRecordFileName(record)));
}

/**
 * Move each promoted copy from `__clobbers__/` to its path and rewrite its package's
 * record to match (one rewrite per package).
 */
export async function promoteStep(context: UnlinkStepContext, promotions: readonly Promotion[]): Promise<void> {
  if (promotions.length === 0) return;
  const { prefix, journal } = context;
  const byOwner = new Map<string, Promotion[]>();
  // The record said where its copy is and where it belongs: data, checked like any path.
  const safe = promotions.filter((p) => context.guard.problem(p.from, 'record') === undefined && context.guard.problem(p.path, 'payload') === undefined);
  for (const p of safe) byOwner.set(p.owner, [...(byOwner.get(p.owner) ?? []), p]);
  const installed = await readPrefixRecords(prefix);
  for (const [owner, list] of byOwner) {
    for (const p of list) {
      await journal.displace(path.join(prefix, p.path));
      await journal.move(path.join(prefix, p.from), path.join(prefix, p.path));
      await removeEmptyParents(path.dirname(path.join(prefix, p.from)), prefix);
    }
    const record = installed.find((r) => r.name === owner);
    if (!record) continue;
    const moved = new Map(list.map((p) => [p.from, p.path]));
    const paths = record.paths_data.paths.map((entry) => {
      const to = moved.get(entry._path);
      if (to === undefined) return entry;
      const { original_path: _dropped, ...rest } = entry;
      return { ...rest, _path: to };
    });
    const files = record.files.map((f) => moved.get(f) ?? f);
    await writeRecord(journal, path.join(condaMetaDir(prefix), prefixRecordFileName(record)), {
      ...record,
      files,
      paths_data: { paths_version: 1, paths },
    });
  }
}

