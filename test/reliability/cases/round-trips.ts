/**
 * Round trips: everything taipan writes is read back — by taipan, and by a real reader
 * where one exists — and gives back what was written.
 *
 * - conda-meta/history: specs lists (arbitrary text) through Python's repr and
 *   ast.literal_eval, the reader conda uses; whole revisions with hostile commands, dists
 *   and specs through taipan's reader and through conda's line splitting (str.splitlines);
 *   conda's own file; the history a CLI session writes (spaces, file:// URLs, bracketed
 *   specs, `--revision`).
 * - conda-meta records, through `list --json` and Python's json.
 * - `list --explicit` (plain, --md5, --sha256), `list --export`, `env export` (plain,
 *   --no-builds, --from-history) and `taipan lock` files: a new environment made from each
 *   holds the same packages; the YAML ones also read by Python's yaml when it is installed.
 * - `taipan pack` archives, unpacked elsewhere (round-trips-pack.ts).
 *
 * `lost` counts what came back different: a spec, a line, a package.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { formatHistoryRevision, parseHistory, type HistoryRevision, type HistoryWarning } from '../../../environments/prefix/history.js';
import { parsePythonStringList, pythonStringList } from '../../../environments/prefix/python-literal.js';
import { describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { exists, standardChannel } from '../fixtures.js';
import { sharedAvailable, sharedPath } from '../../helpers/shared.js';
import { HARD_MATCH_SPECS } from '../../helpers/history-specs.js';
import { packRoundTripCases } from './round-trips-pack.js';

/** Run python3 on `script` with `input` on stdin; its stdout parsed as JSON. */
function python(script: string, input = ''): unknown {
  const result = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout);
}

function pythonHas(module: string): boolean {
  return spawnSync('python3', ['-c', `import ${module}`]).status === 0;
}

/** conda's parse of a history file (conda/history.py), in Python: splitlines, strip, sections, literal_eval. */
const CONDA_PARSE = String.raw`
import ast, json, re, sys
sections = []
for line in sys.stdin.read().splitlines():
    line = line.strip()
    if not line:
        continue
    m = re.match(r'==>\s*(.+?)\s*<==', line)
    if m:
        sections.append({'date': m.group(1), 'dists': [], 'specs': {}})
    elif line.startswith('#'):
        m = re.match(r'#\s*(\w+)\s*specs:\s*(.+)?', line)
        if m:
            sections[-1]['specs'][m.group(1)] = ast.literal_eval(m.group(2))
    elif sections:
        sections[-1]['dists'].append(line)
print(json.dumps(sections))
`;

interface CondaSection {
  date: string;
  dists: string[];
  specs: Record<string, string[]>;
}

function condaView(revision: HistoryRevision): CondaSection {
  const specs: Record<string, string[]> = {};
  if (revision.removeSpecs.length > 0) specs.remove = [...revision.removeSpecs];
  if (revision.updateSpecs.length > 0) specs.update = [...revision.updateSpecs];
  if (revision.neuteredSpecs.length > 0) specs.neutered = [...revision.neuteredSpecs];
  return { date: revision.date, dists: [...(revision.packages ?? []), ...revision.removed.map((d) => `-${d}`), ...revision.added.map((d) => `+${d}`)], specs };
}

/** JSON with object keys sorted, absent and undefined alike: values compared by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

/** Differences between two lists of values, compared by content. */
function mismatches<T>(got: readonly T[], want: readonly T[]): { count: number; first?: string } {
  let count = Math.abs(got.length - want.length);
  let first: string | undefined;
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    if (canonical(got[i]) !== canonical(want[i])) {
      count++;
      first ??= `#${i}: got ${JSON.stringify(got[i]).slice(0, 300)}, want ${JSON.stringify(want[i]).slice(0, 300)}`;
    }
  }
  if (got.length !== want.length) first ??= `got ${got.length} items, want ${want.length}: got ${canonical(got).slice(0, 400)}, want ${canonical(want).slice(0, 400)}`;
  return { count, ...(first ? { first } : {}) };
}

/** A case's outcome; `inputs` is how many generated inputs it stands for (1 for a file made by the CLI). */
function verdict(checked: number, miss: { count: number; first?: string }, what: string, inputs = checked): Omit<CaseResult, 'name'> {
  return { survived: miss.count === 0, lost: miss.count, count: inputs, detail: miss.count === 0 ? `${checked} ${what} read back the same` : `${miss.count} of ${checked} ${what} came back different; ${miss.first ?? ''}` };
}

// ---------------------------------------------------------------------------------------
// conda-meta/history

const LINE_BREAKS = ['\n', '\r', '\r\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom("'", '"', '\\', '[', ']', ',', ' ', 'u', 'r', '\\n', ...LINE_BREAKS, 'é', '\u{1F40D}', '\0', '\u00a0', 'file:///a b'), { maxLength: 30 }).map((t) => t.join('')),
);

/** Strings that are whole code points (Python, like UTF-8, has no lone surrogates in a file). */
const wellFormed = text.filter((s) => !/\p{Cs}/u.test(s));

function specListsViaPython(context: Context): Promise<CaseResult> {
  const runs = context.quick ? 200 : 2000;
  return runCase(`history: ${runs} specs lists of arbitrary text through Python's repr and ast.literal_eval`, async () => {
    const lists = fc.sample(fc.array(wellFormed, { maxLength: 6 }), { numRuns: runs, seed: 20_250_314 });
    // taipan writes, Python reads (conda's reading); Python writes (conda's writing), taipan reads.
    const written = lists.map(pythonStringList);
    const readByPython = python('import ast, json, sys\nprint(json.dumps([ast.literal_eval(l) for l in json.load(sys.stdin)]))', JSON.stringify(written)) as string[][];
    const reprs = python('import json, sys\nprint(json.dumps(["%s" % l for l in json.load(sys.stdin)]))', JSON.stringify(lists)) as string[];
    const readByTaipan = reprs.map((repr) => {
      try {
        return parsePythonStringList(repr);
      } catch (error) {
        return [`unreadable: ${(error as Error).message}: ${repr}`];
      }
    });
    const miss = mismatches([...readByPython, ...readByTaipan], [...lists, ...lists]);
    return verdict(runs * 2, miss, 'lists (taipan → Python and Python → taipan)');
  });
}

function revisionsFuzz(context: Context): Promise<CaseResult> {
  const runs = context.quick ? 100 : 1000;
  const dist = fc
    .tuple(fc.constantFrom('conda-forge', 'conda-forge/noarch', 'file:///tmp/my%20chan', 'file:///tmp/my chan', 'https://h/c/label/x'), fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.stringMatching(/^[0-9][0-9a-z.+_]{0,6}$/), fc.stringMatching(/^[a-z0-9_]{1,8}$/))
    .map(([channel, name, version, build]) => `${channel}::${name}-${version}-${build}`);
  const specs = fc.subarray([...HARD_MATCH_SPECS]);
  const revision = fc.record({
    command: wellFormed,
    removed: fc.array(dist, { maxLength: 4 }),
    added: fc.array(dist, { maxLength: 4 }),
    removeSpecs: specs,
    updateSpecs: specs,
    neuteredSpecs: specs,
  });
  return runCase(`history: ${runs} revisions with hostile commands, file:// dists and bracketed specs, read by taipan and by conda's line splitting`, async () => {
    const revisions: HistoryRevision[] = fc.sample(revision, { numRuns: runs, seed: 20_250_315 }).map((r, i) => ({ date: `2025-01-01 00:00:${String(i % 60).padStart(2, '0')}`, tool: { name: 'taipan', version: '0.1.0' }, ...r }));
    const file = revisions.map(formatHistoryRevision).join('');
    const warnings: HistoryWarning[] = [];
    const read = parseHistory(file, 'fuzz', { onWarning: (w) => warnings.push(w) });
    // The command is one line (its line breaks become spaces); everything else is exact.
    const strip = (r: HistoryRevision): unknown => ({ ...r, command: undefined });
    const byTaipan = mismatches(read.map(strip), revisions.map(strip));
    const brokenCommands = read.filter((r) => /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/.test(r.command ?? '')).length;
    const byConda = mismatches(python(CONDA_PARSE, file) as CondaSection[], revisions.map(condaView));
    const miss = { count: byTaipan.count + byConda.count + warnings.length + brokenCommands, first: byTaipan.first ?? byConda.first ?? (warnings[0] && JSON.stringify(warnings[0])) };
    return verdict(runs, miss, 'revisions');
  });
}

function condaFile(): Promise<CaseResult> {
  return runCase("history: conda 25's own file, read by taipan and written back as conda reads it", async () => {
    const original = await readFile(sharedPath('fixtures', 'environments', 'conda-meta', 'conda-tests-envpy313tosx_whl', 'history'), 'utf8');
    const warnings: HistoryWarning[] = [];
    const rewritten = parseHistory(original, 'conda', { onWarning: (w) => warnings.push(w) }).map(formatHistoryRevision).join('');
    // Same sections, dists and specs for conda, and the same text but for line order within a section.
    const miss = mismatches(python(CONDA_PARSE, rewritten) as CondaSection[], python(CONDA_PARSE, original) as CondaSection[]);
    const sorted = (t: string): string => t.split('\n').sort().join('\n');
    if (sorted(rewritten) !== sorted(original)) miss.count++;
    miss.count += warnings.length;
    return verdict(1, miss, 'file');
  });
}

// ---------------------------------------------------------------------------------------
// The CLI: one environment, and everything written about it.

interface Session {
  context: Context;
  env: NodeJS.ProcessEnv;
  channel: string;
  work: string;
}

async function run(session: Session, args: string[]): Promise<string> {
  const result = await taipan(args, session.context, session.env);
  if (result.status !== 0) throw new Error(`taipan ${args.join(' ')}: ${describeRun(result)}`);
  return result.stdout;
}

/** `channel::name-version-build` of every package in `prefix`, sorted. */
async function packageSet(session: Session, prefix: string): Promise<string[]> {
  const listed = JSON.parse(await run(session, ['list', '-p', prefix, '--json'])) as { name: string; version: string; build_string: string; channel: string }[];
  return listed.map((r) => `${r.channel}::${r.name}-${r.version}-${r.build_string}`).sort();
}

function historySession(session: Session): Promise<CaseResult> {
  return runCase('history: a CLI session (paths with spaces, file:// channel specs, remove, --revision) read back by taipan and Python', async () => {
    const prefix = path.join(session.work, 'env with spaces');
    const url = pathToFileURL(session.channel).href;
    const steps: { args: string[]; update?: string[]; remove?: string[] }[] = [
      { args: ['create', '-y', '-p', prefix, '-c', session.channel, "app[version='>=1.0']", `tool[channel='${url}']`], update: ["app[version='>=1.0']", `tool[channel='${url}']`] },
      { args: ['install', '-y', '-p', prefix, '-c', session.channel, 'base<2', 'pkg0'], update: ['base<2', 'pkg0'] },
      { args: ['remove', '-y', '-p', prefix, 'pkg0'], remove: ['pkg0'] },
      { args: ['install', '-y', '-p', prefix, '-c', session.channel, '--revision', '0'], update: ["app[version='>=1.0']", `tool[channel='${url}']`], remove: ['base'] },
      { args: ['install', '-y', '-p', prefix, '-c', session.channel, 'pkg1'], update: ['pkg1'] },
      { args: ['install', '-y', '-p', prefix, '-c', session.channel, 'base[version="<2"]'], update: ['base[version="<2"]'] },
    ];
    for (const step of steps) await run(session, step.args);
    const historyText = await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8');
    const warnings: HistoryWarning[] = [];
    const read = parseHistory(historyText, 'session', { onWarning: (w) => warnings.push(w) });
    const want = steps.map((s) => ({ update: s.update ?? [], remove: s.remove ?? [] }));
    const byTaipan = mismatches(
      read.map((r) => ({ update: r.updateSpecs, remove: r.removeSpecs })),
      want,
    );
    const byPython = mismatches(
      (python(CONDA_PARSE, historyText) as CondaSection[]).map((s) => ({ update: s.specs.update ?? [], remove: s.specs.remove ?? [] })),
      want,
    );
    // And taipan's reading of the dists gives the package set that is installed.
    const dists = new Set<string>();
    for (const r of read) {
      for (const d of r.removed) dists.delete(d);
      for (const d of r.added) dists.add(d);
    }
    const installed = (await packageSet(session, prefix)).map((d) => d.replace(/^.*::/, ''));
    const state = mismatches([...dists].map((d) => d.replace(/^.*::/, '')).sort(), installed);
    const miss = { count: byTaipan.count + byPython.count + state.count + warnings.length, first: byTaipan.first ?? byPython.first ?? state.first ?? (warnings[0] && JSON.stringify(warnings[0])) };
    return verdict(steps.length, miss, 'revisions', 1);
  });
}

function condaMetaRecords(session: Session, prefix: string): Promise<CaseResult> {
  return runCase('conda-meta records read back by taipan (list --json) and by Python json', async () => {
    const names = (await readdir(path.join(prefix, 'conda-meta'))).filter((n) => n.endsWith('.json')).sort();
    const byPython = python(
      'import json, sys\nout = []\nfor f in json.load(sys.stdin):\n    r = json.load(open(f, encoding="utf-8"))\n    out.append("%s-%s-%s" % (r["name"], r["version"], r["build"]))\nprint(json.dumps(out))',
      JSON.stringify(names.map((n) => path.join(prefix, 'conda-meta', n))),
    ) as string[];
    const byTaipan = (await packageSet(session, prefix)).map((d) => d.replace(/^.*::/, ''));
    const miss = mismatches(byPython.sort(), byTaipan);
    if (byPython.some((stem, i) => `${stem}.json` !== names[i])) miss.count++;
    return verdict(names.length, miss, 'records', 1);
  });
}

/** Write a file about `prefix` with `write`, make a new environment from it with `create`, compare. */
function recreated(session: Session, prefix: string, name: string, ext: string, write: (file: string) => Promise<void>, create: (file: string, target: string) => string[], check?: (file: string) => Promise<{ count: number; first?: string }>): Promise<CaseResult> {
  return runCase(name, async () => {
    const slug = name.replace(/\W+/g, '-');
    const file = path.join(session.work, `${slug}.${ext}`);
    const target = path.join(session.work, `from ${slug}`);
    await write(file);
    await run(session, create(file, target));
    const before = await packageSet(session, prefix);
    const miss = mismatches(await packageSet(session, target), before);
    if (check) {
      const more = await check(file);
      miss.count += more.count;
      miss.first ??= more.first;
    }
    return verdict(before.length, miss, 'packages', 1);
  });
}

/** The `dependencies` of an environment.yml as Python's yaml reads it, against taipan's JSON export. */
function yamlAgrees(session: Session, prefix: string, exportArgs: string[]): (file: string) => Promise<{ count: number; first?: string }> {
  return async (file) => {
    if (!pythonHas('yaml')) {
      session.context.log("round trips: Python's yaml is not installed; environment.yml checked by taipan only");
      return { count: 0 };
    }
    const byPython = python('import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.stdin.read(), encoding="utf-8"))))', file) as { name: string; channels: string[]; dependencies: string[] };
    const byTaipan = JSON.parse(await run(session, ['env', 'export', '-p', prefix, '--json', ...exportArgs])) as typeof byPython;
    return mismatches([byPython.name, byPython.channels, byPython.dependencies], [byTaipan.name, byTaipan.channels, byTaipan.dependencies]);
  };
}

/** The packages of a conda-lock file as Python's yaml reads them. */
function lockAgrees(session: Session, prefix: string): (file: string) => Promise<{ count: number; first?: string }> {
  return async (file) => {
    if (!pythonHas('yaml')) return { count: 0 };
    const byPython = python('import json, sys, yaml\nd = yaml.safe_load(open(sys.stdin.read(), encoding="utf-8"))\nprint(json.dumps(sorted("%s-%s" % (p["name"], p["version"]) for p in d["package"])))', file) as string[];
    const installed = (await packageSet(session, prefix)).map((d) => d.replace(/^.*::/, '').replace(/-[^-]+$/, ''));
    return mismatches(byPython, installed.sort());
  };
}

async function cliCases(context: Context): Promise<CaseResult[]> {
  const work = path.join(context.work, 'cli work');
  const channel = path.join(work, 'my channel');
  await standardChannel(channel);
  const session: Session = { context, channel, work, env: { TAIPAN_PKGS_DIRS: path.join(work, 'pkgs'), TAIPAN_ENVS_DIRS: path.join(work, 'envs') } };
  const results: CaseResult[] = [await historySession(session)];
  const prefix = path.join(work, 'source env');
  const made = await runCase('source environment for the file round trips', async () => {
    await run(session, ['create', '-y', '-p', prefix, '-c', channel, "app[version='>=1.0']", 'tool', 'base<2', 'pkg2', 'extra']);
    return { survived: true, lost: 0 };
  });
  if (!made.survived) return [...results, made];
  const toFile = (args: string[]) => async (file: string) => void (await writeFile(file, await run(session, args)));
  const createFrom = (file: string, target: string): string[] => ['create', '-y', '-p', target, '--file', file];
  results.push(await condaMetaRecords(session, prefix));
  for (const flags of [[], ['--md5'], ['--sha256']]) {
    results.push(await recreated(session, prefix, `list --explicit${flags.map((f) => ` ${f}`).join('')} → create --file`, 'txt', toFile(['list', '-p', prefix, '--explicit', ...flags]), createFrom));
  }
  results.push(await recreated(session, prefix, 'list --export → create --file', 'txt', toFile(['list', '-p', prefix, '--export']), (file, target) => [...createFrom(file, target), '-c', channel]));
  for (const flags of [[], ['--no-builds'], ['--from-history']]) {
    results.push(
      await recreated(
        session,
        prefix,
        `env export${flags.map((f) => ` ${f}`).join('')} → env create -f`,
        'yml',
        async (file) => void (await run(session, ['env', 'export', '-p', prefix, '-f', file, ...flags])),
        (file, target) => ['env', 'create', '-y', '-f', file, '-p', target],
        yamlAgrees(session, prefix, flags),
      ),
    );
  }
  results.push(
    await recreated(
      session,
      prefix,
      'taipan lock → create --file conda-lock.yml',
      'lock.yml',
      async (file) => {
        const yml = path.join(work, 'for-lock.yml');
        await run(session, ['env', 'export', '-p', prefix, '-f', yml]);
        await run(session, ['lock', '-f', yml, '-o', file]);
      },
      createFrom,
      lockAgrees(session, prefix),
    ),
  );
  return results;
}

export const roundTrips: Category = {
  name: 'Round trips',
  async run(context: Context): Promise<CaseResult[]> {
    if (spawnSync('python3', ['--version']).status !== 0) {
      return [{ name: 'python3 on PATH (the real reader of conda-meta/history)', survived: false, lost: 0, detail: 'python3 is missing' }];
    }
    const results = [await specListsViaPython(context), await revisionsFuzz(context)];
    if (sharedAvailable() && (await exists(sharedPath('fixtures')))) results.push(await condaFile());
    else context.log("round trips: ../shared is absent; conda's own history file not read");
    results.push(...(await cliCases(context)));
    results.push(...(await packRoundTripCases(context)));
    return results;
  },
};
