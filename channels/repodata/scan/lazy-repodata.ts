/**
 * A monolithic repodata.json as a by-name index of record offsets (see json-scan.ts) over
 * its bytes, in memory or in the file (repodata-bytes.ts). A name's records are parsed and
 * frozen only when it is asked for (record-parser.ts), then memoized; names the solver never
 * reaches cost nothing beyond the scan. Once every name is built the bytes are let go.
 */
import type { Channel } from '../../model/channel.js';
import type { RepoDataRecord } from '../../model/package-record.js';
import { scanRepodata, type ScannedRepodata, type SpanIndex } from './json-scan.js';
import { ParsedRecords, RecordParser } from './record-parser.js';
import { archiveStem, recordContext } from '../records.js';
import { BufferBytes, FileBytes, type RepodataBytes } from './repodata-bytes.js';
import type { SubdirRecords } from '../subdir-records.js';

export class LazyRepodata implements SubdirRecords {
  readonly url: string;
  private readonly packages: SpanIndex;
  private readonly condaPackages: SpanIndex;
  private readonly parser: RecordParser;
  private readonly removed: ReadonlySet<string>;
  private readonly built = new Map<string, readonly RepoDataRecord[]>();
  /** Names not built yet; at zero the bytes are released. */
  private unbuilt: number;

  private constructor(
    private readonly bytes: RepodataBytes,
    scanned: ScannedRepodata,
    channel: Channel,
    subdir: string,
    source: string,
    relativeTo: string | undefined,
  ) {
    const context = recordContext(channel, subdir, scanned.info?.base_url, source, relativeTo);
    this.url = context.channelUrl;
    this.packages = scanned.packages;
    this.condaPackages = scanned.condaPackages;
    this.parser = new RecordParser(context);
    this.removed = new Set(scanned.removed);
    this.unbuilt = scanned.condaPackages.size;
    for (const name of scanned.packages.keys()) if (!scanned.condaPackages.has(name)) this.unbuilt++;
    if (this.unbuilt === 0) bytes.release();
  }

  /**
   * Index `bytes` (a whole repodata.json). `source` names it in errors; `relativeTo` is the
   * URL of the file, against which a relative `info.base_url` resolves.
   */
  static fromBytes(bytes: Buffer, channel: Channel, subdir: string, source: string, relativeTo?: string): LazyRepodata {
    return new LazyRepodata(new BufferBytes(bytes), scanRepodata(bytes, source), channel, subdir, source, relativeTo);
  }

  /**
   * Index the repodata.json at `file` without holding it in memory: it is scanned in chunks
   * and records are read back from it by offset. `scanned` is the index of its bytes when it
   * was made while they were written (a download): used when the file still has the size
   * it was made for, else the file is scanned again. Errors opening it (ENOENT…) are thrown
   * as they are.
   */
  static fromFile(file: string, channel: Channel, subdir: string, source: string, relativeTo?: string, scanned?: { index: ScannedRepodata; size: number }): LazyRepodata {
    let opened: { bytes: FileBytes; scanned: ScannedRepodata } | undefined;
    if (scanned !== undefined) {
      const bytes = FileBytes.open(file);
      if (bytes.byteLength === scanned.size) opened = { bytes, scanned: scanned.index };
      else bytes.release();
    }
    const { bytes, scanned: index } = opened ?? FileBytes.scan(file, source);
    try {
      return new LazyRepodata(bytes, index, channel, subdir, source, relativeTo);
    } catch (error) {
      bytes.release();
      throw error;
    }
  }

  *names(): IterableIterator<string> {
    yield* this.condaPackages.keys();
    for (const name of this.packages.keys()) if (!this.condaPackages.has(name)) yield name;
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
      const conda = this.condaPackages.get(name);
      const tarBz2 = this.packages.get(name);
      if (conda === undefined && tarBz2 === undefined) return [];
      records = this.build(conda, tarBz2);
      this.built.set(name, records);
      if (--this.unbuilt === 0) this.bytes.release();
    }
    return records;
  }

  /** The records `keptFileNames` (records.ts) keeps, without its sets where nothing can be dropped. */
  private build(condaSpans: readonly number[] | undefined, tarBz2Spans: readonly number[] | undefined): readonly RepoDataRecord[] {
    const conda = this.parse(condaSpans);
    const tarBz2 = this.parse(tarBz2Spans);
    const removed = this.removed;
    const condaStems = conda.fns.length > 0 && tarBz2.fns.length > 0 ? new Set(conda.fns.map(archiveStem)) : undefined;
    if (removed.size === 0 && condaStems === undefined) return Object.freeze([...conda.records, ...tarBz2.records]);
    const kept: RepoDataRecord[] = [];
    conda.fns.forEach((fn, i) => {
      if (!removed.has(fn)) kept.push(conda.records[i] as RepoDataRecord);
    });
    tarBz2.fns.forEach((fn, i) => {
      if (!removed.has(fn) && !condaStems?.has(archiveStem(fn))) kept.push(tarBz2.records[i] as RepoDataRecord);
    });
    return Object.freeze(kept);
  }

  private parse(spans: readonly number[] | undefined): ParsedRecords {
    const records = new ParsedRecords();
    if (spans === undefined) return records;
    for (let i = 0; i < spans.length; i += 2) {
      const start = spans[i] as number;
      const end = spans[i + 1] as number;
      const bytes = this.bytes.read(start, end);
      this.parser.members(bytes, 0, bytes.length, start, records);
    }
    return records;
  }
}
