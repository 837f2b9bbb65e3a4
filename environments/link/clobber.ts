/**
 * Clobbering: two packages that ship the same path. Following rattler's
 * `clobber_registry.rs`, the package that has the path first keeps it; a later package's
 * copy is linked to `__clobbers__/<its name>/<path>` and its conda-meta entry says so
 * (`_path` is the copy, `original_path` the contested path). When the owner is removed,
 * the first waiting copy is moved into place and its record rewritten, so removing one
 * package never breaks another. A file/folder clash (one package ships `x`, another
 * `x/y`) is a clobber too.
 *
 * Pure bookkeeping over paths and names; the transaction carries out the moves.
 */
import { CLOBBERS_DIR } from '../../channels/model/prefix-layout.js';

export { CLOBBERS_DIR };

/** The part of a conda-meta record the registry reads. */
export interface ClobberRecordView {
  readonly name: string;
  readonly paths_data: { readonly paths: readonly { _path: string; path_type: string; original_path?: string }[] };
}

/** A path a new package cannot take: where its copy goes and who has the path. */
export interface ClobberDecision {
  readonly path: string;
  readonly clobberPath: string;
  readonly owner: string;
}

/** A waiting copy that becomes the real file because its path was freed. */
export interface Promotion {
  readonly path: string;
  readonly owner: string;
  /** Where the copy is now, prefix-relative. */
  readonly from: string;
}

interface Waiting {
  readonly owner: string;
  readonly clobberPath: string;
}

/** Prefix-relative path of `name`'s clobbered copy of `path`. */
export function clobberPath(name: string, path: string): string {
  return `${CLOBBERS_DIR}/${name}/${path}`;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) out.push(path.slice(0, at));
  return out;
}

export class ClobberRegistry {
  /** path → the package whose file is there. */
  private readonly owners = new Map<string, string>();
  /** folder → owner → how many of its files are under the folder. */
  private readonly folders = new Map<string, Map<string, number>>();
  /** contested path → the copies waiting for it, first come first served. */
  private readonly waiting = new Map<string, Waiting[]>();

  /** A registry of what `records` (the installed packages) own. */
  constructor(records: readonly ClobberRecordView[] = []) {
    for (const record of records) {
      for (const entry of record.paths_data.paths) {
        if (entry.path_type === 'directory') continue;
        if (entry.original_path) this.wait(entry.original_path, { owner: record.name, clobberPath: entry._path });
        else this.own(entry._path, record.name);
      }
    }
  }

  /** Who has `path`, if anyone. */
  ownerOf(path: string): string | undefined {
    return this.owners.get(path);
  }

  /** Forget a package that is being removed: its files and its waiting copies. */
  unregister(record: ClobberRecordView): void {
    for (const entry of record.paths_data.paths) {
      if (entry.path_type === 'directory') continue;
      if (entry.original_path) {
        const list = (this.waiting.get(entry.original_path) ?? []).filter((w) => w.owner !== record.name);
        if (list.length > 0) this.waiting.set(entry.original_path, list);
        else this.waiting.delete(entry.original_path);
      } else if (this.owners.get(entry._path) === record.name) {
        this.disown(entry._path, record.name);
      }
    }
  }

  /** Copies whose path is free now (after `unregister`): each moves into place and owns it. */
  promotions(): Promotion[] {
    const out: Promotion[] = [];
    for (const [path, list] of [...this.waiting].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const next = list[0];
      if (!next || this.conflict(path, next.owner) !== undefined) continue;
      list.shift();
      if (list.length === 0) this.waiting.delete(path);
      this.own(path, next.owner);
      out.push({ path, owner: next.owner, from: next.clobberPath });
    }
    return out;
  }

  /**
   * Register a new package's paths (prefix-relative, after noarch relocation); returns
   * the ones another package already has, with where this package's copy goes instead.
   */
  register(name: string, paths: readonly string[]): Map<string, ClobberDecision> {
    const decisions = new Map<string, ClobberDecision>();
    for (const path of paths) {
      const owner = this.conflict(path, name);
      if (owner === undefined) {
        this.own(path, name);
        continue;
      }
      const decision = { path, clobberPath: clobberPath(name, path), owner };
      this.wait(path, { owner: name, clobberPath: decision.clobberPath });
      decisions.set(path, decision);
    }
    return decisions;
  }

  /** The other package that stands in the way of `name` owning `path`, if any. */
  private conflict(path: string, name: string): string | undefined {
    const owner = this.owners.get(path);
    if (owner !== undefined && owner !== name) return owner;
    for (const folder of ancestors(path)) {
      const fileOwner = this.owners.get(folder);
      if (fileOwner !== undefined && fileOwner !== name) return fileOwner;
    }
    for (const other of this.folders.get(path)?.keys() ?? []) if (other !== name) return other;
    return undefined;
  }

  private own(path: string, name: string): void {
    this.owners.set(path, name);
    for (const folder of ancestors(path)) {
      const counts = this.folders.get(folder) ?? new Map<string, number>();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      this.folders.set(folder, counts);
    }
  }

  private disown(path: string, name: string): void {
    this.owners.delete(path);
    for (const folder of ancestors(path)) {
      const counts = this.folders.get(folder);
      if (!counts) continue;
      const left = (counts.get(name) ?? 1) - 1;
      if (left > 0) counts.set(name, left);
      else counts.delete(name);
      if (counts.size === 0) this.folders.delete(folder);
    }
  }

  private wait(path: string, waiting: Waiting): void {
    const list = this.waiting.get(path) ?? [];
    list.push(waiting);
    this.waiting.set(path, list);
  }
}
