/**
 * Hostile metadata: malformed, huge and non-UTF-8 repodata, hostile names, cyclic
 * dependencies, 100,000 records of one name and deeply nested `|`/`,` specs, through the
 * real CLI; then fast-check property fuzzing of the Version, VersionSpec, MatchSpec,
 * environment.yml and (when present) recipe parsers. The only acceptable outcomes are a
 * result or a typed TaipanError, in bounded time: never a crash, a RangeError or a hang.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { Version } from '../../../channels/model/version.js';
import { VersionSpec } from '../../../channels/model/version-spec.js';
import { MatchSpec } from '../../../channels/model/match-spec/match-spec.js';
import { isTaipanError } from '../../../channels/model/errors.js';
import { parseEnvironmentYaml } from '../../../environments/env-file/environment-yaml.js';
import { clearError, describeRun, runCase, taipan, type CaseResult, type Category, type Context } from '../harness.js';
import { exists } from '../fixtures.js';

type Repodata = Record<string, unknown> | unknown[] | string | Buffer;

const record = (name: string, version: string, depends: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  version,
  build: '0',
  build_number: 0,
  depends,
  subdir: 'noarch',
  sha256: '0'.repeat(64),
  size: 1,
  ...extra,
});

const repodata = (packages: Record<string, unknown>): Record<string, unknown> => ({ info: { subdir: 'noarch' }, packages: {}, 'packages.conda': packages, repodata_version: 1 });

interface MetadataCase {
  name: string;
  repodata: () => Repodata;
  spec: string;
  /** 'error' (must fail clearly), 'solve' (must succeed), 'either'. */
  expect: 'error' | 'solve' | 'either';
  quick?: boolean;
  /** Extra args (e.g. a second spec). */
  more?: string[];
}

const deep = (n: number, leaf: string, join: string): string => Array.from({ length: n }, (_, i) => `${leaf}${i}`).join(join);

const CASES: MetadataCase[] = [
  { name: 'repodata.json that is not JSON', repodata: () => '{"packages.conda": {"a-1-0.conda": {"name": "a",', spec: 'a', expect: 'error', quick: true },
  { name: 'repodata.json that is an array', repodata: () => [1, 2, 3], spec: 'a', expect: 'error' },
  { name: 'a record without a name', repodata: () => repodata({ 'a-1-0.conda': { version: '1', build: '0' } }), spec: 'a', expect: 'error' },
  { name: 'a record whose version is a number', repodata: () => repodata({ 'a-1-0.conda': { ...record('a', '1'), version: 1 } }), spec: 'a', expect: 'error' },
  { name: 'a record whose depends is a string', repodata: () => repodata({ 'a-1-0.conda': { ...record('a', '1'), depends: 'b' } }), spec: 'a', expect: 'either' },
  { name: 'a record with an unparsable version', repodata: () => repodata({ 'a-1-0.conda': record('a', '1..$$..2') }), spec: 'a', expect: 'either' },
  { name: 'a dependency that is not a spec', repodata: () => repodata({ 'a-1-0.conda': record('a', '1', ['b >=>= ((']) }), spec: 'a', expect: 'either' },
  {
    name: 'invalid UTF-8 inside repodata strings',
    repodata: () => Buffer.concat([Buffer.from('{"packages.conda": {"a-1-0.conda": {"name": "a", "version": "1", "build": "0", "build_number": 0, "depends": [], "summary": "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}}}')]),
    spec: 'a',
    expect: 'solve',
    quick: true,
  },
  { name: 'invalid UTF-8 in a package name', repodata: () => Buffer.concat([Buffer.from('{"packages.conda": {"a-1-0.conda": {"name": "a'), Buffer.from([0xc0, 0xaf]), Buffer.from('", "version": "1", "build": "0", "depends": []}}}')]), spec: 'a', expect: 'either' },
  { name: "a hostile file name ('../../../evil.conda')", repodata: () => repodata({ '../../../evil-1-0.conda': record('evil', '1') }), spec: 'evil', expect: 'error', quick: true },
  { name: "a hostile package name ('../../x')", repodata: () => repodata({ 'x-1-0.conda': record('../../x', '1') }), spec: 'x', expect: 'error' },
  { name: 'a hostile version with a slash', repodata: () => repodata({ 'x-1-0.conda': record('x', '1/../../../../tmp/pwn') }), spec: 'x', expect: 'error' },
  { name: 'cyclic dependencies a -> b -> c -> a', repodata: () => repodata({ 'a-1-0.conda': record('a', '1', ['b']), 'b-1-0.conda': record('b', '1', ['c']), 'c-1-0.conda': record('c', '1', ['a']) }), spec: 'a', expect: 'solve', quick: true },
  { name: 'a package depending on itself', repodata: () => repodata({ 'a-1-0.conda': record('a', '1', ['a >=1']) }), spec: 'a', expect: 'solve' },
  {
    name: '100,000 records of one name',
    repodata: () => repodata(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`big-${Math.floor(i / 100)}.${i % 100}-0.conda`, record('big', `${Math.floor(i / 100)}.${i % 100}`)]))),
    spec: 'big',
    expect: 'solve',
    quick: true,
  },
  {
    name: '100,000 records of one name, none satisfiable',
    repodata: () => repodata(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`big-${i}-0.conda`, record('big', String(i), ['missing-dependency'])]))),
    spec: 'big',
    expect: 'error',
  },
  { name: 'a huge record (a 20 MB summary)', repodata: () => repodata({ 'a-1-0.conda': record('a', '1', [], { summary: 'x'.repeat(20_000_000) }) }), spec: 'a', expect: 'solve' },
  { name: 'a spec with 10,000 | alternatives', repodata: () => repodata({ 'a-1-0.conda': record('a', '1') }), spec: `a ${deep(10_000, '1.', '|')}`, expect: 'either' },
  { name: 'a spec with 10,000 , constraints', repodata: () => repodata({ 'a-1-0.conda': record('a', '1') }), spec: `a ${deep(10_000, '>=0.', ',')}`, expect: 'either' },
  { name: 'a spec with 5,000 nested parentheses', repodata: () => repodata({ 'a-1-0.conda': record('a', '1') }), spec: `a ${'('.repeat(5000)}>=1${')'.repeat(5000)}`, expect: 'either', quick: true },
  { name: 'a spec alternating | and , 10,000 deep', repodata: () => repodata({ 'a-1-0.conda': record('a', '1') }), spec: `a ${Array.from({ length: 10_000 }, (_, i) => `>=${i}${i % 2 ? '|' : ','}(`).join('')}1${')'.repeat(10_000)}`, expect: 'either' },
  { name: 'a dependency spec with 5,000 nested parentheses', repodata: () => repodata({ 'a-1-0.conda': record('a', '1', [`b ${'('.repeat(5000)}1${')'.repeat(5000)}`]), 'b-1-0.conda': record('b', '1') }), spec: 'a', expect: 'either' },
];

export const hostileMetadata: Category = {
  name: 'Hostile metadata and fuzzing',
  async run(context: Context): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const cases = context.quick ? CASES.filter((c) => c.quick) : CASES;
    for (const [i, c] of cases.entries()) results.push(await runCase(c.name, () => metadataCase(context, i, c)));
    results.push(...(await fuzz(context)));
    return results;
  },
};

async function metadataCase(context: Context, i: number, c: MetadataCase): Promise<Omit<CaseResult, 'name'>> {
  const channel = path.join(context.work, `channel-${i}`);
  await mkdir(path.join(channel, 'noarch'), { recursive: true });
  const data = c.repodata();
  await writeFile(path.join(channel, 'noarch', 'repodata.json'), typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  const pkgs = path.join(context.work, `pkgs-${i}`);
  const prefix = path.join(context.work, `env-${i}`);
  const run = await taipan(['create', '--dry-run', '--json', '-y', '-p', prefix, '-c', channel, '--override-channels', c.spec, ...(c.more ?? [])], context, { TAIPAN_PKGS_DIRS: pkgs, TAIPAN_SUBDIR: 'linux-64' }, 120_000);
  const jsonError = run.status === 1 && !run.timedOut && /"success":\s*false/.test(run.stdout) && !/"INTERNAL"/.test(run.stdout) && !/unexpected failure/.test(run.stderr);
  const error = clearError(run) || jsonError;
  const ok = c.expect === 'error' ? error : c.expect === 'solve' ? run.status === 0 : error || run.status === 0;
  const lost: string[] = [];
  if (await exists(prefix)) lost.push('a dry run created the prefix');
  if (await exists('/tmp/pwn')) lost.push('/tmp/pwn exists');
  await rm(channel, { recursive: true, force: true });
  return { survived: ok, lost: lost.length, detail: `${describeRun(run)} ${run.stdout.slice(0, 300)}; ${lost.join('; ')}` };
}

// ---------------------------------------------------------------------------------------
// Property fuzzing.

const TOKENS = ['1', '2', '0', '.', '*', '|', ',', '(', ')', '>=', '<', '<=', '>', '!=', '~=', '=', '==', 'a', 'b', 'py', '_', '-', '+', '!', '[', ']', "'", '"', ' ', 'build=', 'version=', '::', '/', '@', 'rc', 'post', 'dev', 'conda-forge', 'numpy', 'h1234_0', '$', '^', '\\', '\t', '\u00e9', '\u{1F40D}', '\0'];

const specText = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const yamlText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .record(
      {
        name: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
        channels: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer())), fc.string({ maxLength: 10 }), fc.constant(null)),
        dependencies: fc.oneof(
          fc.array(fc.oneof(specText, fc.record({ pip: fc.array(fc.string({ maxLength: 10 })) }), fc.anything({ maxDepth: 2 })), { maxLength: 8 }),
          fc.anything({ maxDepth: 2 }),
        ),
        variables: fc.anything({ maxDepth: 2 }),
        prefix: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      },
      { requiredKeys: [] },
    )
    .map((o) => YAML.stringify(o)),
  fc.anything({ maxDepth: 3 }).map((o) => {
    try {
      return YAML.stringify(o) ?? '';
    } catch {
      return String(o);
    }
  }),
);

const recipeText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .record(
      {
        context: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 12 }), fc.integer())),
        package: fc.record({ name: fc.oneof(fc.string({ maxLength: 10 }), fc.constant('${{ name }}'), fc.integer()), version: fc.oneof(fc.string({ maxLength: 10 }), fc.constant('{{ version }}')) }, { requiredKeys: [] }),
        requirements: fc.record({ run: fc.array(fc.oneof(specText, fc.record({ if: fc.string({ maxLength: 10 }), then: specText }))) }, { requiredKeys: [] }),
        build: fc.record({ number: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), skip: fc.oneof(fc.boolean(), fc.string({ maxLength: 10 })) }, { requiredKeys: [] }),
        outputs: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((o) => YAML.stringify(o)),
  fc.array(fc.constantFrom('{{', '}}', '{%', '%}', '${{', 'if', 'else', 'endif', 'name', ':', '\n', '  ', '- ', '#', '[', ']', 'selector', 'linux', 'x', '|', 'jinja', '(', ')'), { maxLength: 60 }).map((t) => t.join('')),
);

/** A parse must return or throw a TaipanError, within 2 s. */
function typedOnly(parse: (input: string) => unknown): (input: string) => void {
  return (input) => {
    const started = Date.now();
    try {
      parse(input);
    } catch (error) {
      if (!isTaipanError(error)) throw new Error(`untyped ${(error as Error)?.name}: ${(error as Error)?.message} for ${JSON.stringify(input).slice(0, 200)}`);
    }
    if (Date.now() - started > 2000) throw new Error(`took ${Date.now() - started} ms for ${JSON.stringify(input).slice(0, 200)}`);
  };
}

async function fuzz(context: Context): Promise<CaseResult[]> {
  const runs = context.quick ? 300 : 3000;
  const properties: { name: string; arbitrary: fc.Arbitrary<string>; parse: (s: string) => unknown; runs?: number }[] = [
    { name: 'Version.parse', arbitrary: specText, parse: (s) => Version.parse(s) },
    { name: 'VersionSpec.parse', arbitrary: specText, parse: (s) => VersionSpec.parse(s) },
    { name: 'MatchSpec.parse', arbitrary: specText, parse: (s) => MatchSpec.parse(s) },
    { name: 'MatchSpec.parse of name + spec', arbitrary: specText.map((s) => `numpy ${s}`), parse: (s) => MatchSpec.parse(s) },
    { name: 'environment.yml', arbitrary: yamlText, parse: (s) => parseEnvironmentYaml(s, 'fuzz.yml', { env: {}, platform: 'linux-64' } as never) },
  ];
  const recipe = await loadRecipeRenderer();
  const recipeDir = await mkdtemp(path.join(os.tmpdir(), 'taipan-rel-recipe-'));
  if (recipe) {
    properties.push({
      name: 'recipe renderer (recipe.yaml)',
      arbitrary: recipeText,
      runs: Math.ceil(runs / 10),
      parse: (s) => {
        const file = path.join(recipeDir, 'recipe.yaml');
        // Written synchronously: the renderer reads it at once.
        writeFileSyncSafe(file, s);
        return recipe(file, { targetPlatform: 'linux-64', buildPlatform: 'linux-64', env: {} });
      },
    });
  } else {
    context.log('recipe renderer (recipes/render.js renderRecipeSync) not found: not fuzzed');
  }
  const results: CaseResult[] = [];
  for (const p of properties) {
    const numRuns = p.runs ?? runs;
    results.push(
      await runCase(`fuzz ${p.name} (${numRuns} inputs)`, async () => {
        const outcome = fc.check(fc.property(p.arbitrary, typedOnly(p.parse)), { numRuns, seed: 20_240_601 });
        return {
          survived: !outcome.failed,
          lost: 0,
          count: outcome.numRuns,
          detail: outcome.failed ? `counterexample ${JSON.stringify(outcome.counterexample)}: ${String(outcome.errorInstance ?? '').slice(0, 400)}` : '',
        };
      }),
    );
  }
  await rm(recipeDir, { recursive: true, force: true });
  return results;
}

type RenderSync = (file: string, options: Record<string, unknown>) => unknown;

/** The recipe renderer, when a colleague's recipes/render.js exists and loads. */
async function loadRecipeRenderer(): Promise<RenderSync | undefined> {
  const specifier = '../../../recipes/render.js';
  try {
    const mod = (await import(specifier)) as { renderRecipeSync?: RenderSync };
    return typeof mod.renderRecipeSync === 'function' ? mod.renderRecipeSync : undefined;
  } catch {
    return undefined;
  }
}

function writeFileSyncSafe(file: string, text: string): void {
  writeFileSync(file, text);
}
