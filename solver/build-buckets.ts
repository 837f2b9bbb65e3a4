/**
 * Records of one name bucketed by build string. Old defaults repodata pins exact builds
 * (`numpy-base 1.15.0 py37h3dfced4_0`, dozens of such strings per package); matching each
 * against every record of a name with tens of thousands of them dominated a scaled solve.
 * A spec whose build is a literal can only match records with exactly that build, so it is
 * tested against that bucket alone (the full spec still decides).
 */
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import { isPattern } from '../channels/model/match-spec/glob.js';
import type { RepoDataRecord } from '../channels/model/package-record.js';

/** The build a record must have to match `spec` (a literal build), else undefined. */
export function exactBuildOf(spec: MatchSpec): string | undefined {
  const build = spec.build;
  return build === undefined || isPattern(build) ? undefined : build;
}

/** The build a spec's literal build is compared with (the matcher reads a missing one as ''). */
export function buildOf(record: RepoDataRecord): string {
  return typeof record.build === 'string' ? record.build : '';
}

/** Items by the build of their record, each bucket in the items' order. */
export function bucketByBuild<T>(items: readonly T[], recordOf: (item: T) => RepoDataRecord): Map<string, T[]> {
  const buckets = new Map<string, T[]>();
  for (const item of items) {
    const build = buildOf(recordOf(item));
    const bucket = buckets.get(build);
    if (bucket === undefined) buckets.set(build, [item]);
    else bucket.push(item);
  }
  return buckets;
}
