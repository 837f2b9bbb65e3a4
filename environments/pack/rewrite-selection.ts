/**
 * Which files of a packed environment get the new path at unpack time: conda-pack's
 * choice, not "every file that holds the old path". A byte rewrite is only safe in a
 * file whose format is known to allow it:
 * - a file the package declared with a prefix placeholder (conda-meta `paths_data`), in
 *   the package's own file mode: text files take any length, binary files keep their
 *   length (NUL padding, see rewrite-plan.ts);
 * - a python entry point taipan wrote at install (its shebang names the interpreter);
 * - a file no package owns (pip scripts, activation scripts written by hand), when it is
 *   plain text; an unowned binary file is left as it is, as conda-pack does on POSIX.
 * Never rewritten: anything else a package owns (it was installed without the path, or
 * the package said it needs none), conda-meta (history and records describe where the
 * environment was made), and bytecode. A `.pyc` is marshal data whose strings carry their
 * length, so a rewrite corrupts it ("bad marshal data") or cannot fit; and it needs none:
 * python checks a .pyc against its source's mtime and size (or hash), never its path, and
 * sets each code object's file name to the path it was actually loaded from (importlib's
 * `_fix_co_filename`), so tracebacks name the new place. Keeping the .pyc (rather than
 * dropping them) spares every first import a recompile that would write files no package
 * owns, or fail to on a read-only install; the archive keeps the sources' mtimes for that
 * (archive-writer.ts).
 */
import type { PrefixRecord } from '../prefix/prefix-record.js';

export interface RewriteRule {
  readonly mode: 'text' | 'binary';
  /** Byte length of the package's placeholder, the room a binary string was padded to. */
  readonly placeholderLength?: number;
}

/** What the records say of one path: rewrite it this way, look at it (unowned), or keep it. */
type Declared = RewriteRule | 'text-if-text' | 'keep';

export class RewriteSelection {
  private readonly declared = new Map<string, Declared>();

  constructor(records: readonly PrefixRecord[]) {
    for (const record of records) {
      const described = new Set<string>();
      for (const entry of record.paths_data?.paths ?? []) {
        described.add(entry._path);
        if (entry.prefix_placeholder) {
          // A placeholder wins over anything another record says of the same path.
          this.declared.set(entry._path, { mode: entry.file_mode === 'binary' ? 'binary' : 'text', placeholderLength: Buffer.byteLength(entry.prefix_placeholder) });
        } else if (!this.declared.has(entry._path)) {
          const script = entry.path_type === 'unix_python_entrypoint' || entry.path_type === 'windows_python_entrypoint_script';
          this.declared.set(entry._path, script ? 'text-if-text' : 'keep');
        }
      }
      // A record without paths_data (an old conda's): its files are looked at like unowned ones.
      for (const file of record.files ?? []) if (!described.has(file) && !this.declared.has(file)) this.declared.set(file, 'text-if-text');
    }
  }

  /** False when `relative` is kept as it is whatever it holds (so it need not be read). */
  mayRewrite(relative: string): boolean {
    return !relative.endsWith('.pyc') && !relative.startsWith('conda-meta/') && this.declared.get(relative) !== 'keep';
  }

  /** How `relative` (a regular file holding `data`) is rewritten, or undefined to keep it as it is. */
  ruleFor(relative: string, data: Buffer): RewriteRule | undefined {
    if (!this.mayRewrite(relative)) return undefined;
    const declared = this.declared.get(relative) ?? 'text-if-text';
    if (typeof declared === 'object') return declared;
    return isPlainText(data) ? { mode: 'text' } : undefined;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** conda-pack's test for an unowned file (valid UTF-8), and no NUL: a text rewrite cannot harm it. */
export function isPlainText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  try {
    UTF8.decode(data);
    return true;
  } catch {
    return false;
  }
}
