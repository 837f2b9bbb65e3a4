/**
 * conda-meta/history: the revision log conda writes and reads (`conda list --revisions`,
 * `--revision N`, and the specs a user asked for before, which later solves keep). This is
 * the one reader and writer of the file; nothing else opens it.
 *
 * The format, as conda writes it (and reads it: conda/history.py):
 *
 *   ==> 2025-03-14 13:51:04 <==                      a revision starts
 *   # cmd: conda create -n x python=3.13             the command line
 *   # conda version: 25.1.2                          (taipan: `# taipan version: …`)
 *   -conda-forge/osx-arm64::tk-8.6.13-h5083fa2_0     unlinked
 *   +conda-forge/osx-arm64::tk-8.6.13-h5083fa2_1     linked
 *   # remove specs: ['numpy']                        Python list reprs (ast.literal_eval)
 *   # update specs: ["numpy[version='>=1.20']", 'python=3.9']
 *   # neutered specs: ['python=3.9']
 *
 * Older conda wrote `# install specs:` / `# create specs:` (update), `# uninstall specs:`
 * (remove), comma-separated specs without brackets (conda < 4.5), JSON arrays (4.3), and a
 * first revision of bare `name-version-build` lines: the whole package set.
 *
 * Reading never fails on the content: a line that cannot be understood is skipped and
 * reported to a warning listener (the CLI prints one line naming the file and the line),
 * so a damaged history never makes an environment unusable.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { condaMetaDir, historyFile } from './prefix-files.js';
import { parsePythonStringList, pythonStringList } from './python-literal.js';

/** One `==> date <==` section of the file. */
export interface HistoryRevision {
  /** The text between `==>` and `<==`: local time, `YYYY-MM-DD HH:MM:SS` as conda writes it. */
  readonly date: string;
  /** `# cmd:` — the command line that made the revision. */
  readonly command?: string;
  /** `# conda version: 25.1.2`, `# taipan version: 0.1.0`. */
  readonly tool?: { readonly name: string; readonly version: string };
  /** `-channel::name-version-build` lines. */
  readonly removed: readonly string[];
  /** `+channel::name-version-build` lines. */
  readonly added: readonly string[];
  /** Bare `name-version-build` lines (the oldest conda): the whole package set, replacing the one before. */
  readonly packages?: readonly string[];
  readonly removeSpecs: readonly string[];
  readonly updateSpecs: readonly string[];
  readonly neuteredSpecs: readonly string[];
}

/** What a transaction records; {@link formatHistoryEntry} turns it into a revision's text. */
export interface HistoryEntry {
  readonly date: Date;
  readonly command: string;
  readonly toolVersion: string;
  readonly unlinked: readonly RepoDataRecord[];
  readonly linked: readonly RepoDataRecord[];
  readonly updateSpecs?: readonly string[];
  readonly removeSpecs?: readonly string[];
}

/** A line of the file that was skipped (or the file itself, when it cannot be read: no line). */
export interface HistoryWarning {
  readonly file: string;
  readonly line?: number;
  readonly text?: string;
  readonly reason: string;
}

export interface HistoryReadOptions {
  /** Told about each skipped line; default: the listener of {@link setHistoryWarningListener}. */
  readonly onWarning?: (warning: HistoryWarning) => void;
}

// ---------------------------------------------------------------------------------------
// Warnings

let defaultListener: ((warning: HistoryWarning) => void) | undefined;
/** Lines already reported by the default listener: a command reads the history more than once. */
const reported = new Set<string>();

/** Set (or clear) where warnings go when a reader's caller gives no `onWarning`; the CLI prints a line. */
export function setHistoryWarningListener(listener: ((warning: HistoryWarning) => void) | undefined): void {
  defaultListener = listener;
}

/** One line for people: which file, which line, why, and (quoted, cut short) what it says. */
export function historyWarningText(warning: HistoryWarning): string {
  const where = warning.line === undefined ? `'${warning.file}'` : `line ${warning.line} of '${warning.file}'`;
  const text = warning.text === undefined ? '' : `: ${JSON.stringify(warning.text.length > 80 ? `${warning.text.slice(0, 80)}…` : warning.text)}`;
  return `skipped ${where} (${warning.reason})${text}`;
}

function warner(options: HistoryReadOptions): (warning: HistoryWarning) => void {
  if (options.onWarning) return options.onWarning;
  return (warning) => {
    const key = `${warning.file}\0${warning.line}\0${warning.text}\0${warning.reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    if (defaultListener) defaultListener(warning);
    else process.emitWarning(historyWarningText(warning), 'HistoryWarning');
  };
}

// ---------------------------------------------------------------------------------------
// Writing

/** `channel::name-version-build`, as conda's history lines name a package. */
export function historyDistName(record: RepoDataRecord): string {
  return `${channelShortName(record.channel)}::${record.name}-${record.version}-${record.build}`;
}

function channelShortName(channel: string): string {
  // conda writes the canonical channel name with its subdir dropped.
  return channel.replace(/\/[^/]+$/, '');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time, as conda's `time.strftime('%Y-%m-%d %H:%M:%S')`. */
export function historyDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Every value goes on one line: a line break in an argument must not start a line of its own,
 * for taipan nor for conda, whose str.splitlines() also breaks at \v, \f, \x1c-\x1e, \x85, U+2028/9.
 */
function oneLine(text: string): string {
  return text.replace(/[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+/g, ' ').trim();
}

/** Specs conda drops when reading (empty, and the legacy `feature@`), dropped when writing too. */
function keptSpecs(specs: readonly string[]): string[] {
  return specs.filter((s) => s !== '' && !s.endsWith('@'));
}

/** A revision's text, lines in conda's order; {@link parseHistory} reads it back as `revision`. */
export function formatHistoryRevision(revision: HistoryRevision): string {
  const lines = [`==> ${oneLine(revision.date)} <==`];
  if (revision.command !== undefined) lines.push(`# cmd: ${oneLine(revision.command)}`);
  if (revision.tool) lines.push(`# ${oneLine(revision.tool.name)} version: ${oneLine(revision.tool.version)}`);
  if (revision.packages && (revision.added.length > 0 || revision.removed.length > 0)) {
    throw new Error('a history revision holds either a package set or changes, not both');
  }
  for (const dist of revision.packages ?? []) lines.push(oneLine(dist));
  for (const dist of revision.removed) lines.push(`-${oneLine(dist)}`);
  for (const dist of revision.added) lines.push(`+${oneLine(dist)}`);
  for (const [action, specs] of [
    ['remove', revision.removeSpecs],
    ['update', revision.updateSpecs],
    ['neutered', revision.neuteredSpecs],
  ] as const) {
    const kept = keptSpecs(specs);
    if (kept.length > 0) lines.push(`# ${action} specs: ${pythonStringList(kept)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The revision a transaction writes. */
export function historyRevisionOf(entry: HistoryEntry): HistoryRevision {
  return {
    date: historyDate(entry.date),
    command: entry.command,
    tool: { name: 'taipan', version: entry.toolVersion },
    removed: entry.unlinked.map(historyDistName),
    added: entry.linked.map(historyDistName),
    removeSpecs: entry.removeSpecs ?? [],
    updateSpecs: entry.updateSpecs ?? [],
    neuteredSpecs: [],
  };
}

export function formatHistoryEntry(entry: HistoryEntry): string {
  return formatHistoryRevision(historyRevisionOf(entry));
}

/**
 * Append a revision's text, once: a repair that finishes a transaction again finds it there
 * already. A file whose last line lost its line break (a crash, an editor) gets one first,
 * so the new header does not join that line.
 */
export async function appendHistory(prefix: string, text: string): Promise<void> {
  if (text === '') return;
  await mkdir(condaMetaDir(prefix), { recursive: true });
  const current = await readFile(historyFile(prefix), 'utf8').catch(() => '');
  if (current.endsWith(text)) return;
  await appendFile(historyFile(prefix), current === '' || current.endsWith('\n') ? text : `\n${text}`);
}

// ---------------------------------------------------------------------------------------
// Reading

const HEADER = /^==>\s*(.+?)\s*<==$/;
const COMMAND = /^#\s*cmd:\s*(.*)$/;
const TOOL_VERSION = /^#\s*(\S+) version:\s*(.+)$/;
const SPECS = /^#\s*(\w+)\s*specs:\s*(.*)$/;
/** `(channel::)name-version-build`: a name, then version and build without dashes. */
const DIST = /^(?:\S.*::)?[^\s:]+-[^\s-]+-[^\s-]+$/;
/** conda's version_relation_re: a comma-split piece that continues the spec before it. */
const VERSION_RELATION = /^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$/;

const SPEC_ACTIONS: Readonly<Record<string, 'removeSpecs' | 'updateSpecs' | 'neuteredSpecs'>> = {
  update: 'updateSpecs',
  install: 'updateSpecs',
  create: 'updateSpecs',
  remove: 'removeSpecs',
  uninstall: 'removeSpecs',
  neutered: 'neuteredSpecs',
};

type Building = {
  date: string;
  command?: string;
  tool?: { name: string; version: string };
  removed: string[];
  added: string[];
  bare: { line: number; text: string }[];
  removeSpecs: string[];
  updateSpecs: string[];
  neuteredSpecs: string[];
};

/** The revisions of a history file's text; `file` names it in warnings. */
export function parseHistory(text: string, file: string, options: HistoryReadOptions = {}): HistoryRevision[] {
  const warn = warner(options);
  const revisions: Building[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const skip = (reason: string): void => warn({ file, line: index + 1, text: raw, reason });
    const header = HEADER.exec(line);
    if (header) {
      revisions.push({ date: header[1] as string, removed: [], added: [], bare: [], removeSpecs: [], updateSpecs: [], neuteredSpecs: [] });
      return;
    }
    const current = revisions[revisions.length - 1];
    if (!current) return skip("before the first '==> date <==' line");
    if (line.startsWith('#')) return readComment(current, line, skip);
    const sign = line[0] === '+' || line[0] === '-' ? line[0] : '';
    const dist = line.slice(sign.length).trim();
    if (!DIST.test(dist)) return skip('not channel::name-version-build');
    if (sign === '+') current.added.push(dist);
    else if (sign === '-') current.removed.push(dist);
    else current.bare.push({ line: index + 1, text: dist });
  });
  return revisions.map(({ bare, ...revision }) => {
    // conda: a section with + or - lines is a change, and then a bare line is an error.
    if (revision.added.length === 0 && revision.removed.length === 0 && bare.length > 0) return { ...revision, packages: bare.map((b) => b.text) };
    for (const b of bare) warn({ file, line: b.line, text: b.text, reason: 'a package without + or - among changes' });
    return revision;
  });
}

function readComment(current: Building, line: string, skip: (reason: string) => void): void {
  const command = COMMAND.exec(line);
  if (command) {
    current.command = command[1] as string;
    return;
  }
  const specs = SPECS.exec(line);
  if (specs) {
    const field = SPEC_ACTIONS[specs[1] as string];
    if (!field) return; // conda ignores other actions (`# unknown specs:`)
    let list: string[];
    try {
      list = parseSpecList(specs[2] as string);
    } catch (error) {
      return skip(`the specs are not a Python list of strings: ${(error as Error).message}`);
    }
    for (const spec of keptSpecs(list)) {
      try {
        MatchSpec.parse(spec);
        current[field].push(spec);
      } catch {
        skip(`'${spec}' is not a match spec`);
      }
    }
    return;
  }
  const tool = TOOL_VERSION.exec(line);
  if (tool) current.tool = { name: tool[1] as string, version: tool[2] as string };
  // Any other comment is a comment, as for conda.
}

/** `['a', "b"]` (a Python literal), or conda < 4.5's `a,b >=1,<2` (comma-separated). */
function parseSpecList(text: string): string[] {
  if (text.startsWith('[')) return parsePythonStringList(text);
  if (text.includes('[')) throw new Error('brackets inside an unbracketed list');
  const specs: string[] = [];
  for (const piece of text.split(',')) {
    if (VERSION_RELATION.test(piece) && specs.length > 0) specs[specs.length - 1] += `,${piece}`;
    else specs.push(piece.trim());
  }
  return specs;
}

/** The revisions of `prefix`'s history; none when it has no history. */
export async function readHistory(prefix: string, options: HistoryReadOptions = {}): Promise<HistoryRevision[]> {
  const file = historyFile(prefix);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warner(options)({ file, reason: `cannot be read: ${(error as Error).message}` });
    return [];
  }
  return parseHistory(text, file, options);
}

/**
 * The specs the user asked for across `revisions`, by name, as conda's get_requested_specs_map:
 * in each revision the removed names go, then the updated and neutered specs replace theirs.
 */
export function requestedSpecsOf(revisions: readonly HistoryRevision[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const revision of revisions) {
    for (const spec of revision.removeSpecs) byName.delete(MatchSpec.parse(spec).name);
    for (const spec of [...revision.updateSpecs, ...revision.neuteredSpecs]) byName.set(MatchSpec.parse(spec).name, spec);
  }
  return byName;
}

/** The specs the user asked for in `prefix`, over its whole history. */
export async function readRequestedSpecs(prefix: string, options: HistoryReadOptions = {}): Promise<string[]> {
  return [...requestedSpecsOf(await readHistory(prefix, options)).values()];
}
