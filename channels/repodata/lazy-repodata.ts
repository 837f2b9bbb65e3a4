/**
 * A monolithic repodata.json kept as bytes plus a by-name index of record offsets
 * (see json-scan.ts). Records are parsed and frozen only when their name is asked for,
 * then memoized; names the solver never reaches cost nothing beyond the scan.
 */
import type { Channel } from '../model/channel.js';
import type { RepoDataRecord } from '../model/package-record.js';
import { readRun, scanRepodata, type ScannedRepodata } from './json-scan.js';
import { adoptRecord, keptFileNames, recordContext, type RecordContext } from './records.js';
import type { SubdirRecords } from './subdir-records.js';

export class LazyRepodata implements SubdirRecords {
  readonly url: string;
  private readonly scanned: ScannedRepodata;
  private readonly context: RecordContext;
  private readonly removed: ReadonlySet<string>;
  private readonly built = new Map<string, readonly RepoDataRecord[]>();

  private constructor(scanned: ScannedRepodata, context: RecordContext) {
    this.scanned = scanned;
    this.context = context;
    this.url = context.channelUrl;
    this.removed = new Set(scanned.removed);
  }

  /**
   * Index `bytes` (a whole repodata.json). `source` names it in errors; `relativeTo` is the
   * URL of the file, against which a relative `info.base_url` resolves.
   */
  static fromBytes(bytes: Buffer, channel: Channel, subdir: string, source: string, relativeTo?: string): LazyRepodata {
    const scanned = scanRepodata(bytes, source);
    return new LazyRepodata(scanned, recordContext(channel, subdir, scanned.info?.base_url, source, relativeTo));
  }

  *names(): IterableIterator<string> {
    yield* this.scanned.condaPackages.keys();
    for (const name of this.scanned.packages.keys()) if (!this.scanned.condaPackages.has(name)) yield name;
  }

  /** How many records the subdir holds in all. Builds every record: for tests and small channels. */
  countAll(): number {
    let n = 0;
    for (const name of this.names()) n += this.records(name).length;
    return n;
  }

  records(name: string): readonly RepoDataRecord[] {
    let records = this.built.get(name);
    if (records === undefined) {
      records = this.build(name);
      this.built.set(name, records);
    }
    return records;
  }

  private build(name: string): readonly RepoDataRecord[] {
    const conda = this.entries(this.scanned.condaPackages.get(name));
    const tarBz2 = this.entries(this.scanned.packages.get(name));
    if (conda.size === 0 && tarBz2.size === 0) return [];
    const kept = keptFileNames([...conda.keys()], [...tarBz2.keys()], this.removed);
    return Object.freeze([
      ...kept.conda.map((fn) => adoptRecord(conda.get(fn), fn, this.context)),
      ...kept.tarBz2.map((fn) => adoptRecord(tarBz2.get(fn), fn, this.context)),
    ]);
  }

  private entries(spans: readonly number[] | undefined): Map<string, unknown> {
    const entries = new Map<string, unknown>();
    if (spans === undefined) return entries;
    for (let i = 0; i < spans.length; i += 2) {
      const run = readRun(this.scanned.bytes, spans[i] as number, spans[i + 1] as number);
      for (const fn of Object.keys(run)) entries.set(fn, run[fn]);
    }
    return entries;
  }
}
