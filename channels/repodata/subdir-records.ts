/**
 * What the channel index needs from one subdir of one channel, however its repodata was
 * read (a whole repodata.json indexed lazily, or CEP-16 shards fetched by name).
 */
import type { RepoDataRecord } from '../model/package-record.js';

export interface SubdirRecords {
  /** `<channel>/<subdir>` without credentials. */
  readonly url: string;
  /** Every package name the subdir knows (cheap: no record is built). */
  names(): Iterable<string>;
  /** The records of one name, built on first use. Sharded subdirs answer only names loaded with `load`. */
  records(name: string): readonly RepoDataRecord[];
  /** Sharded subdirs fetch the shards of these names; the others have everything already. */
  load?(names: readonly string[]): Promise<void>;
}
