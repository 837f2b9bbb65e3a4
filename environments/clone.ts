/**
 * `create --clone`: a new environment with exactly the packages of another, linked from
 * the package cache (fetched again from their URLs when the cache lost them). No solve:
 * the source environment's records are the plan.
 */
import { TaipanError } from '../channels/model/errors.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';
import type { PrefixRecord } from './prefix/prefix-record.js';
import { Prefix } from './prefix/prefix.js';
import type { SolvedRequest } from './solve-request.js';
import { dependencyOrder, planTransaction } from './transaction/plan.js';

/** The fields that describe one prefix's copy of a package, not the package itself. */
const PREFIX_FIELDS = ['files', 'paths_data', 'link', 'extracted_package_dir', 'package_tarball_full_path', 'requested_spec'] as const;

export function repodataRecordOf(record: PrefixRecord): RepoDataRecord {
  const copy: Record<string, unknown> = { ...record };
  for (const field of PREFIX_FIELDS) delete copy[field];
  return copy as unknown as RepoDataRecord;
}

export async function solveClone(source: string): Promise<SolvedRequest> {
  const opened = await Prefix.open(source);
  if (!(await opened.isEnvironment())) {
    throw new TaipanError('PREFIX_NOT_FOUND', `cannot clone '${source}': it is not an environment`, { hint: 'see the known environments with `taipan env list`' });
  }
  const installed = await opened.records();
  const records = dependencyOrder(installed.map(repodataRecordOf));
  return {
    plan: planTransaction([], records),
    finalRecords: records,
    requestedSpecs: new Map(installed.map((r) => [r.name, r.requested_spec ?? ''])),
  };
}
