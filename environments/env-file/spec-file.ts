/**
 * The other files `--file` takes: plain spec lists (one MatchSpec a line, `#` comments)
 * and `@EXPLICIT` files (one package URL a line, with `#<md5>` or `#sha256:<hex>`), as
 * written by `conda list --explicit` and conda-lock.
 */
import { TaipanError, isTaipanError } from '../../channels/model/errors.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';

export interface ExplicitPackage {
  readonly url: string;
  readonly fn: string;
  readonly md5?: string;
  readonly sha256?: string;
}

export type SpecFile =
  | { readonly kind: 'specs'; readonly specs: readonly string[]; readonly source: string }
  | { readonly kind: 'explicit'; readonly packages: readonly ExplicitPackage[]; readonly platform?: string; readonly source: string };

export function parseSpecFile(text: string, source: string): SpecFile {
  const lines = text.split(/\r?\n/);
  if (lines.some((line) => line.trim() === '@EXPLICIT')) return parseExplicit(lines, source);
  const specs: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    try {
      MatchSpec.parse(line);
    } catch (error) {
      if (!isTaipanError(error)) throw error;
      throw new TaipanError('INVALID_MATCH_SPEC', `${source}:${index + 1}: ${error.message}`, { cause: error, hint: error.hint });
    }
    specs.push(line);
  });
  return { kind: 'specs', specs, source };
}

function parseExplicit(lines: readonly string[], source: string): SpecFile {
  const packages: ExplicitPackage[] = [];
  let platform: string | undefined;
  let seenMarker = false;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const platformLine = /^#\s*platform:\s*(\S+)/.exec(line);
    if (platformLine) platform = platformLine[1];
    if (line === '@EXPLICIT') {
      seenMarker = true;
      return;
    }
    if (line === '' || line.startsWith('#') || !seenMarker) return;
    const [url = '', hash] = line.split('#', 2);
    const fn = url.slice(url.lastIndexOf('/') + 1);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || !/\.(conda|tar\.bz2)$/.test(fn)) {
      throw new TaipanError('INVALID_ARGUMENT', `${source}:${index + 1}: '${line}' is not a package URL`, {
        hint: 'each line after @EXPLICIT is the URL of a .conda or .tar.bz2 file, optionally followed by #md5 or #sha256:HASH',
      });
    }
    const entry: { url: string; fn: string; md5?: string; sha256?: string } = { url, fn };
    if (hash !== undefined) {
      if (/^sha256:[0-9a-f]{64}$/i.test(hash)) entry.sha256 = hash.slice(7).toLowerCase();
      else if (/^[0-9a-f]{32}$/i.test(hash)) entry.md5 = hash.toLowerCase();
      else if (/^[0-9a-f]{64}$/i.test(hash)) entry.sha256 = hash.toLowerCase();
      else throw new TaipanError('INVALID_ARGUMENT', `${source}:${index + 1}: '${hash}' is neither an md5 nor a sha256 hash`);
    }
    packages.push(entry);
  });
  return { kind: 'explicit', packages, platform, source };
}
