/**
 * Compares taipan's meta.yaml renderer against what conda-build 26.7.1 rendered for the
 * recipes corpus (../shared/fixtures/recipes-corpus, see its README for the rules followed
 * here): per feedstock and platform, the multiset of outputs matched on
 * (name, version, build string), then per entry skip, noarch, build number, requirements,
 * test requirements/commands/imports and the used variant.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderRecipeSync } from '../../recipes/render.js';
import type { RenderedOutput } from '../../recipes/stage1.js';

export const CORPUS_PLATFORMS = ['linux-64', 'osx-arm64', 'win-64'] as const;

/** One output as the oracle lists it (the fields compared). */
export interface CorpusEntry {
  readonly name: string;
  readonly version: string;
  readonly build_string: string;
  readonly build_number: number;
  readonly noarch: string | null;
  readonly skip: boolean;
  readonly requirements: { readonly build: string[]; readonly host: string[]; readonly run: string[]; readonly run_constrained: string[] };
  readonly test: { readonly requires: string[]; readonly commands: string[]; readonly imports: string[] };
  readonly variant: Readonly<Record<string, string>>;
}

interface OraclePlatform {
  readonly status: 'ok' | 'error' | 'timeout';
  readonly outputs?: CorpusEntry[];
  readonly error?: string;
}

export interface PlatformResult {
  readonly feedstock: string;
  readonly platform: string;
  /** `agree`, `differ`, or `no-oracle` (conda-build timed out). */
  readonly verdict: 'agree' | 'differ' | 'no-oracle' | 'excepted';
  /** The first difference found, for humans. */
  readonly difference?: string;
}

/** conda-build's own mistakes: the platform render is counted as agreeing and reported apart. */
export interface CorpusException {
  readonly feedstock: string;
  /** A platform, or undefined for all three. */
  readonly platform?: string;
  readonly reason: string;
  /**
   * The one conda-build mistake tolerated: a bare requirement name (`python`) in the oracle
   * where taipan has it completed with the variant's value (`python 3.10.* *_cpython`).
   * Every other field is still compared.
   */
  readonly bareVariantNames: true;
}

export function corpusFeedstocks(root: string): string[] {
  return readdirSync(root)
    .filter((d) => existsSync(path.join(root, d, 'conda-build-render.json')))
    .sort();
}

/** Requirement strings compared modulo whitespace (`python >=3.10` = `python>=3.10`). */
export function normalizeSpec(spec: string): string {
  return spec
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\s*(==|>=|<=|!=|~=|>|<|=|,|\|)\s*/g, '$1');
}

/** taipan's rendered output in the oracle's shape. */
export function entryOf(o: RenderedOutput): CorpusEntry {
  const requires: string[] = [];
  const commands: string[] = [];
  const imports: string[] = [];
  for (const t of o.tests) {
    if (t.kind === 'python') imports.push(...t.imports);
    else if (t.kind === 'script') {
      commands.push(...t.script);
      requires.push(...t.requirements.run);
    }
  }
  return {
    name: o.name,
    version: o.version,
    build_string: o.build.string,
    build_number: o.build.number,
    noarch: o.build.noarch ?? null,
    skip: o.build.skip,
    requirements: { build: [...o.requirements.build], host: [...o.requirements.host], run: [...o.requirements.run], run_constrained: [...o.requirements.runConstraints] },
    test: { requires, commands, imports },
    variant: o.variant,
  };
}

/** An output as `taipan render --json` prints it, in the oracle's shape. */
export function entryOfRenderJson(d: {
  package: { name: string; version: string };
  build: { number: number; string: string; noarch?: 'python' | 'generic'; skip: boolean };
  requirements: { build: string[]; host: string[]; run: string[]; run_constraints: string[] };
  tests: RenderedOutput['tests'];
  build_configuration: { variant: Record<string, string> };
}): CorpusEntry {
  return entryOf({
    name: d.package.name,
    version: d.package.version,
    build: { ...d.build, script: [], scriptEnv: {}, entryPoints: [] },
    requirements: { ...d.requirements, runConstraints: d.requirements.run_constraints },
    tests: d.tests,
    variant: d.build_configuration.variant,
  } as unknown as RenderedOutput);
}

/** The oracle's outputs for one feedstock and platform (undefined when conda-build timed out). */
export function oracleOutputs(root: string, feedstock: string, platform: string): CorpusEntry[] | undefined {
  const p = readOracle(root, feedstock)[platform];
  return p?.status === 'ok' ? p.outputs ?? [] : undefined;
}

const key = (e: CorpusEntry): string => `${e.name} ${e.version} ${e.build_string}`;

/**
 * Whether taipan's spec stands for the oracle's. Besides whitespace: conda-build leaves
 * `pin_subpackage(x, exact=True)` of a sibling as the bare name before finalizing (the
 * sibling's build string is not final), where taipan already writes `x <version> <build>`.
 */
function sameSpec(oracle: string, ours: string, siblings: readonly CorpusEntry[], tolerant = false): boolean {
  const a = normalizeSpec(oracle);
  const b = normalizeSpec(ours);
  if (a === b) return true;
  if (tolerant && !a.includes(' ') && b.startsWith(`${a} `) && !/[<>=!,|]/.test(b)) return true;
  // When that name is also a variant key, insert_variant_versions then pins it to the
  // variant's value (`zlib` → `zlib 1.*`).
  const name = a.split(' ')[0]!;
  const rest = a.slice(name.length).trim();
  if (rest !== '' && !/^[\w.]+\.\*$/.test(rest)) return false;
  return siblings.some((s) => s.name === name && b === `${s.name} ${s.version} ${s.build_string}`);
}

function firstListDifference(label: string, oracle: readonly string[], ours: readonly string[], siblings: readonly CorpusEntry[], tolerant: boolean): string | undefined {
  const n = Math.max(oracle.length, ours.length);
  for (let i = 0; i < n; i += 1) {
    const a = oracle[i];
    const b = ours[i];
    if (a === undefined || b === undefined || !sameSpec(a, b, siblings, tolerant)) {
      return `${label}[${i}]: conda-build ${a === undefined ? '(none)' : JSON.stringify(a)}, taipan ${b === undefined ? '(none)' : JSON.stringify(b)}`;
    }
  }
  return undefined;
}

/** The first field in which two matched entries differ, or undefined. */
export function entryDifference(oracle: CorpusEntry, ours: CorpusEntry, siblings: readonly CorpusEntry[], tolerant = false): string | undefined {
  const where = `${oracle.name} ${oracle.build_string}`;
  if (oracle.skip !== ours.skip) return `${where}: skip ${oracle.skip} vs ${ours.skip}`;
  if ((oracle.noarch ?? null) !== (ours.noarch ?? null)) return `${where}: noarch ${oracle.noarch} vs ${ours.noarch}`;
  if (oracle.build_number !== ours.build_number) return `${where}: build_number ${oracle.build_number} vs ${ours.build_number}`;
  for (const list of ['build', 'host', 'run', 'run_constrained'] as const) {
    const d = firstListDifference(`${where}: requirements.${list}`, oracle.requirements[list] ?? [], ours.requirements[list], siblings, tolerant);
    if (d) return d;
  }
  for (const list of ['requires', 'commands', 'imports'] as const) {
    const cmp = list === 'requires' ? (a: string, b: string) => sameSpec(a, b, siblings) : (a: string, b: string) => a.trim() === b.trim();
    const o = oracle.test[list] ?? [];
    const u = ours.test[list];
    for (let i = 0; i < Math.max(o.length, u.length); i += 1) {
      if (o[i] === undefined || u[i] === undefined || !cmp(o[i]!, u[i]!)) return `${where}: test.${list}[${i}]: conda-build ${JSON.stringify(o[i] ?? null)}, taipan ${JSON.stringify(u[i] ?? null)}`;
    }
  }
  const vd = variantDifference(oracle.variant, ours.variant);
  if (vd) return `${where}: variant ${vd}`;
  return undefined;
}

function variantDifference(oracle: Readonly<Record<string, string>>, ours: Readonly<Record<string, string>>): string | undefined {
  const keys = [...new Set([...Object.keys(oracle), ...Object.keys(ours)])].sort();
  const diffs: string[] = [];
  for (const k of keys) {
    if (oracle[k] === ours[k]) continue;
    if (!(k in ours)) diffs.push(`-${k}=${oracle[k]}`);
    else if (!(k in oracle)) diffs.push(`+${k}=${ours[k]}`);
    else diffs.push(`${k}: ${oracle[k]} vs ${ours[k]}`);
  }
  return diffs.length > 0 ? diffs.join(', ') : undefined;
}

/** Compares one platform's outputs; undefined when they agree. */
export function outputsDifference(oracle: readonly CorpusEntry[], ours: readonly CorpusEntry[], tolerant = false): string | undefined {
  const remaining = [...ours];
  const unmatched: CorpusEntry[] = [];
  const pairs: [CorpusEntry, CorpusEntry][] = [];
  for (const o of oracle) {
    const i = remaining.findIndex((u) => key(u) === key(o));
    if (i < 0) unmatched.push(o);
    else pairs.push([o, remaining.splice(i, 1)[0]!]);
  }
  for (const [o, u] of pairs) {
    const d = entryDifference(o, u, ours, tolerant);
    if (d) return d;
  }
  if (unmatched.length === 0 && remaining.length === 0) return undefined;
  // Explain the first unmatched entry against the closest of ours (same name, then same variant).
  const o = unmatched[0];
  if (!o) return `taipan has ${remaining.length} extra output(s), first ${key(remaining[0]!)}`;
  const sameName = remaining.filter((u) => u.name === o.name);
  if (sameName.length === 0) return `conda-build has ${key(o)} (${unmatched.length} unmatched), taipan has no output '${o.name}'${remaining.length ? ` (taipan unmatched: ${key(remaining[0]!)})` : ''}`;
  const close = sameName.find((u) => !variantDifference(o.variant, u.variant)) ?? sameName[0]!;
  const detail = entryDifference(o, close, ours) ?? (o.version !== close.version ? `version ${o.version} vs ${close.version}` : `build string ${o.build_string} vs ${close.build_string}`);
  return `${unmatched.length} of ${oracle.length} unmatched; ${key(o)} vs ${key(close)}: ${detail}`;
}

function readOracle(root: string, feedstock: string): Record<string, OraclePlatform> {
  const data = JSON.parse(readFileSync(path.join(root, feedstock, 'conda-build-render.json'), 'utf8')) as { platforms: Record<string, OraclePlatform> };
  return data.platforms;
}

/** Renders one feedstock for one platform with taipan, as `taipan render --json --include-skipped -m PINNING`. */
export function renderCorpusRecipe(root: string, feedstock: string, platform: string, pinning: string): RenderedOutput[] {
  return renderRecipeSync(path.join(root, feedstock, 'recipe'), {
    targetPlatform: platform,
    buildPlatform: platform,
    variantConfigFiles: [pinning],
    env: {},
    onWarning: () => {},
  });
}

export function compareFeedstock(root: string, feedstock: string, pinning: string, exceptions: readonly CorpusException[] = []): PlatformResult[] {
  const oracle = readOracle(root, feedstock);
  return CORPUS_PLATFORMS.map((platform): PlatformResult => {
    const want = oracle[platform];
    if (!want || want.status === 'timeout') return { feedstock, platform, verdict: 'no-oracle' };
    let ours: CorpusEntry[] | undefined;
    let error: string | undefined;
    try {
      ours = renderCorpusRecipe(root, feedstock, platform, pinning).map(entryOf);
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    }
    if (want.status === 'error') {
      return error !== undefined ? { feedstock, platform, verdict: 'agree' } : { feedstock, platform, verdict: 'differ', difference: `conda-build fails (${(want.error ?? '').slice(0, 120)}), taipan renders` };
    }
    if (error !== undefined) return { feedstock, platform, verdict: 'differ', difference: `taipan fails: ${error}` };
    const difference = outputsDifference(want.outputs ?? [], ours!);
    if (!difference) return { feedstock, platform, verdict: 'agree' };
    const excused = exceptions.some((e) => e.feedstock === feedstock && (e.platform === undefined || e.platform === platform));
    if (!excused) return { feedstock, platform, verdict: 'differ', difference };
    const beyond = outputsDifference(want.outputs ?? [], ours!, true);
    // Past the tolerated mistake, the first difference that remains.
    return beyond ? { feedstock, platform, verdict: 'differ', difference: beyond } : { feedstock, platform, verdict: 'excepted', difference };
  });
}

export interface CorpusSummary {
  readonly results: PlatformResult[];
  /** Platform renders with an oracle. */
  readonly total: number;
  readonly agree: number;
  /** Renders that agree only with a listed exception's tolerance. */
  readonly excepted: PlatformResult[];
}

export function compareCorpus(root: string, pinning: string, exceptions: readonly CorpusException[] = [], filter?: string): CorpusSummary {
  const results = corpusFeedstocks(root)
    .filter((f) => filter === undefined || f.includes(filter))
    .flatMap((f) => compareFeedstock(root, f, pinning, exceptions));
  const withOracle = results.filter((r) => r.verdict !== 'no-oracle');
  const excepted = withOracle.filter((r) => r.verdict === 'excepted');
  return { results, total: withOracle.length, agree: withOracle.filter((r) => r.verdict === 'agree').length, excepted };
}
