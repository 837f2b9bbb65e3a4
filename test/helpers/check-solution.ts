/**
 * An independent checker for solver output. It shares nothing with solver/ but the data
 * model (MatchSpec parsing and matching): no candidate ordering, no provider, no encoding.
 * A bug in the solver's own bookkeeping therefore cannot hide here.
 *
 * It reports problems instead of throwing on the first, so a failing test shows all of
 * them at once.
 */
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import type { PackageRecord, RepoDataRecord } from '../../channels/model/package-record.js';

export type AvailableRecords =
  | ReadonlyMap<string, readonly RepoDataRecord[]>
  | ((name: string) => readonly RepoDataRecord[])
  | readonly RepoDataRecord[];

export interface SolutionCheckInput {
  /** The solver's answer, in its order. */
  readonly records: readonly RepoDataRecord[];
  /** What was requested. */
  readonly specs: readonly (MatchSpec | string)[];
  /** Every record the solver was allowed to pick. */
  readonly available: AvailableRecords;
  /** Installed records are valid picks too (a prefix may hold records no channel offers). */
  readonly installed?: readonly RepoDataRecord[];
  readonly virtualPackages?: readonly PackageRecord[];
  readonly pinned?: readonly (MatchSpec | string)[];
  /** The solve ignored `depends`. */
  readonly noDeps?: boolean;
  /** Also require every record to be needed by the specs (default true). */
  readonly requireMinimal?: boolean;
  /** Also require dependencies before dependents, cycles excepted (default true). */
  readonly checkOrder?: boolean;
}

const specCache = new Map<string, MatchSpec>();
function spec(value: MatchSpec | string): MatchSpec {
  if (typeof value !== 'string') return value;
  let parsed = specCache.get(value);
  if (parsed === undefined) {
    parsed = MatchSpec.parse(value);
    specCache.set(value, parsed);
  }
  return parsed;
}

/** The spec as written, for messages. */
function text(s: MatchSpec): string {
  return s.original ?? s.toString();
}

function label(record: PackageRecord): string {
  return `${record.name}-${record.version}-${record.build}`;
}

function lookupFor(available: AvailableRecords): (name: string) => readonly RepoDataRecord[] {
  if (typeof available === 'function') return available;
  if (available instanceof Map) return (name) => (available as ReadonlyMap<string, readonly RepoDataRecord[]>).get(name) ?? [];
  const list = available as readonly RepoDataRecord[];
  return (name) => list.filter((record) => record.name === name);
}

/** All problems found in a solution; empty when it is valid. */
export function checkSolution(input: SolutionCheckInput): string[] {
  const problems: string[] = [];
  const lookup = lookupFor(input.available);
  const virtual = input.virtualPackages ?? [];
  const byName = new Map<string, RepoDataRecord>();

  // One record per name, none virtual, each really offered (same channel, subdir, file).
  for (const record of input.records) {
    if (byName.has(record.name)) problems.push(`two records named '${record.name}': ${label(byName.get(record.name) as RepoDataRecord)} and ${label(record)}`);
    byName.set(record.name, record);
    if (record.name.startsWith('__')) problems.push(`virtual package ${label(record)} is in the result`);
    const offered = [...lookup(record.name), ...(input.installed ?? [])].some(
      (r) =>
        r.name === record.name &&
        r.channel === record.channel &&
        r.fn === record.fn &&
        r.subdir === record.subdir &&
        r.version === record.version &&
        r.build === record.build &&
        r.build_number === record.build_number,
    );
    if (!offered) problems.push(`${label(record)} (${record.channel} ${record.fn}) is not an available record`);
  }

  /** Records (virtual included) that could satisfy a requirement on `name`. */
  const present = (name: string): readonly PackageRecord[] =>
    name.startsWith('__') ? virtual.filter((v) => v.name === name) : byName.has(name) ? [byName.get(name) as RepoDataRecord] : [];

  for (const requested of input.specs) {
    const s = spec(requested);
    if (!present(s.name).some((r) => s.matches(r as RepoDataRecord))) {
      problems.push(`requested '${text(s)}' is not satisfied (${present(s.name).map(label).join(', ') || 'no record of that name'})`);
    }
  }

  for (const record of input.records) {
    if (input.noDeps !== true) {
      for (const dep of record.depends) {
        const s = spec(dep);
        if (!present(s.name).some((r) => s.matches(r as RepoDataRecord))) {
          problems.push(`${label(record)} depends on '${dep}', which the result does not satisfy (${present(s.name).map(label).join(', ') || 'absent'})`);
        }
      }
    }
    for (const constraint of record.constrains ?? []) {
      const s = spec(constraint);
      for (const other of present(s.name)) {
        if (!s.matches(other as RepoDataRecord)) problems.push(`${label(record)} constrains '${constraint}' but ${label(other)} is in the result`);
      }
    }
  }

  for (const pin of input.pinned ?? []) {
    const s = spec(pin);
    for (const other of present(s.name)) {
      if (!s.matches(other as RepoDataRecord)) problems.push(`pinned '${text(s)}' but ${label(other)} is in the result`);
    }
  }

  if (input.requireMinimal !== false) problems.push(...unneeded(input, byName));
  if (input.checkOrder !== false && input.noDeps !== true) problems.push(...orderProblems(input.records, byName));
  return problems;
}

/** Throws one error listing every problem of the solution. */
export function expectValidSolution(input: SolutionCheckInput): void {
  const problems = checkSolution(input);
  if (problems.length > 0) throw new Error(`invalid solution:\n  - ${problems.join('\n  - ')}`);
}

/** Records that no requested spec reaches through `depends` inside the solution. */
function unneeded(input: SolutionCheckInput, byName: ReadonlyMap<string, RepoDataRecord>): string[] {
  const reached = new Set<string>();
  const stack = input.specs.map((s) => spec(s).name);
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    const record = byName.get(name);
    if (record !== undefined && input.noDeps !== true) for (const dep of record.depends) stack.push(spec(dep).name);
  }
  return input.records.filter((r) => !reached.has(r.name)).map((r) => `${label(r)} is in the result but nothing requested needs it`);
}

/** A dependency listed after its dependent, unless the two are in a dependency cycle. */
function orderProblems(records: readonly RepoDataRecord[], byName: ReadonlyMap<string, RepoDataRecord>): string[] {
  const position = new Map(records.map((r, i) => [r.name, i]));
  const depNames = (r: RepoDataRecord): string[] => r.depends.map((d) => spec(d).name).filter((n) => byName.has(n));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (name === to) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...depNames(byName.get(name) as RepoDataRecord));
    }
    return false;
  };
  const problems: string[] = [];
  records.forEach((record, i) => {
    for (const dep of depNames(record)) {
      if ((position.get(dep) ?? -1) > i && !reaches(dep, record.name)) {
        problems.push(`${label(record)} comes before its dependency '${dep}'`);
      }
    }
  });
  return problems;
}
