/**
 * Human-readable conflict messages for an unsatisfiable core of top-level constraints.
 *
 * Method: name-level propagation. A name is *forced* when a requested spec names it, or
 * when every still-allowed record of a forced name depends on it. For each forced name we
 * keep the set of records still allowed and every restriction that narrowed it, with the
 * dependency strings responsible. When some name's set becomes empty, the restrictions
 * that emptied it, each traced back to its root spec, are the explanation:
 *
 *   cannot install 'a 1.*' together with 'b':
 *     'a 1.*' → c >=2
 *     'b' → c <2
 *     no record of 'c' satisfies all of these (available versions: 2.0, 1.0)
 *
 * This finds the common "two chains meet at one package" conflicts and "nothing provides"
 * chains, not every conflict (a conflict that needs case analysis over alternatives falls
 * back to naming the specs). The resolvo-style solver will explain from learned clauses.
 */
import type { CandidateProvider, ParsedSpec } from './provider.js';
import { didYouMeanPackage, distinctVersions, listVersions } from './preflight.js';
import type { RootConstraint } from './roots.js';
import { SolveError } from './task.js';

const MAX_ROUNDS = 64;
const MAX_TEXTS = 3;

/** One narrowing of a name's allowed records. */
interface Restriction {
  /** The forced name whose records all required this, or null for a root. */
  readonly parent: string | null;
  /** The root this came from when `parent` is null. */
  readonly root: RootConstraint | null;
  /** The dependency (or constraint) strings, distinct, at most a few. */
  readonly texts: readonly string[];
  /** What this restriction alone allows. */
  readonly allows: ReadonlySet<number>;
}

interface NameState {
  allowed: Set<number>;
  readonly restrictions: Restriction[];
}

interface Conflict {
  readonly name: string;
  /** Every forced name's state when the conflict was found (chains walk back through it). */
  readonly states: ReadonlyMap<string, NameState>;
  readonly restrictions: readonly Restriction[];
  /** Set when each remaining record of `name` is blocked by a different dependency. */
  readonly blocked?: readonly Blocker[];
}

/** Why one record cannot be chosen next to the forced names. */
interface Blocker {
  readonly id: number;
  /** `needs 'b 2.*'` or `constrains 'c <2'`. */
  readonly why: string;
  /** The forced name it clashes with, and what the record would accept of it. */
  readonly name: string;
  readonly accepts: ReadonlySet<number>;
}

/** The UNSATISFIABLE error for `core` (a minimal set of roots that cannot hold together). */
export function explainConflict(provider: CandidateProvider, core: readonly RootConstraint[]): SolveError {
  const specs = core.map((root) => (root.kind === 'pin' ? `pinned ${root.text}` : root.text));
  const conflict = propagate(provider, core);
  const chains = conflict === null ? [] : renderConflict(provider, conflict);

  const labels = core.map((root) => root.label);
  const head =
    labels.length === 1
      ? `cannot install ${labels[0]}`
      : `cannot install ${labels.slice(0, -1).join(', ')} together with ${labels[labels.length - 1]}`;
  const body =
    chains.length > 0
      ? chains
      : ['every choice of their records runs into a conflict further down the dependency tree'];
  const hint =
    core.length > 1
      ? 'relax or drop one of these specs; each one alone can be installed'
      : 'ask for another version, or add a channel that has a compatible build';
  return new SolveError('UNSATISFIABLE', `${head}:\n  ${body.join('\n  ')}`, { specs, chains }, hint);
}

function propagate(provider: CandidateProvider, core: readonly RootConstraint[]): Conflict | null {
  const states = new Map<string, NameState>();
  const pins = core.filter((root) => root.kind === 'pin');
  let conflict: Conflict | null = null;

  const restrict = (name: string, restriction: Restriction): void => {
    if (conflict !== null) return;
    let state = states.get(name);
    if (state === undefined) {
      // A newly forced name: start from all its usable records, then apply the pins on it.
      const usable = provider.candidatesOf(name).filter((id) => provider.brokenReason(id) === undefined);
      state = { allowed: new Set(usable), restrictions: [] };
      states.set(name, state);
      for (const pin of pins) {
        if (pin.spec.name === name) {
          const allows = new Set(provider.matching(pin.spec));
          narrow(state, { parent: null, root: pin, texts: [pin.text], allows });
        }
      }
    }
    narrow(state, restriction);
    if (state.allowed.size === 0 && conflict === null) conflict = { name, states, restrictions: state.restrictions };
  };

  for (const root of core) {
    if (root.kind === 'spec') {
      const allows = new Set(provider.matching(root.spec));
      restrict(root.spec.name, { parent: null, root, texts: [root.text], allows });
    }
  }

  // Forcing first (it yields the readable "two chains meet" form), refining only when
  // forcing has nothing left to say (its "every record is blocked" form is less direct).
  for (let round = 0; round < MAX_ROUNDS && conflict === null; round++) {
    const before = fingerprint(states);
    for (const [name, state] of [...states]) {
      for (const [depName, restriction] of commonRequirements(provider, name, state.allowed)) restrict(depName, restriction);
      for (const [depName, restriction] of commonConstraints(provider, name, state.allowed, states)) restrict(depName, restriction);
      if (conflict !== null) return conflict;
    }
    if (fingerprint(states) !== before) continue;
    for (const [name, state] of [...states]) {
      refine(provider, states, state, (blocked) => {
        conflict = { name, states, restrictions: state.restrictions, blocked };
      });
      if (conflict !== null) return conflict;
    }
    if (fingerprint(states) === before) break;
  }
  return conflict;
}

/**
 * Applies a restriction, recording it when it matters for an explanation: it narrows the
 * set, it is a root, or it is the first (the one that forced the name: chains go through it).
 */
function narrow(state: NameState, restriction: Restriction): void {
  const next = new Set([...state.allowed].filter((id) => restriction.allows.has(id)));
  if (next.size !== state.allowed.size || restriction.parent === null || state.restrictions.length === 0) {
    state.allowed = next;
    state.restrictions.push(restriction);
  }
}

function fingerprint(states: Map<string, NameState>): string {
  return [...states].map(([name, state]) => `${name}:${state.allowed.size}`).join(',');
}

/**
 * Drops allowed records that cannot work with the other forced names: a dependency with no
 * allowed record left, or a constraint that excludes every allowed record of a forced name.
 * If that would drop them all, reports the per-record blockers instead of emptying the set
 * (an empty set must always come with a restriction that explains it).
 */
function refine(
  provider: CandidateProvider,
  states: Map<string, NameState>,
  state: NameState,
  onBlocked: (blocked: Blocker[]) => void,
): void {
  const kept = new Set<number>();
  const blockers: Blocker[] = [];
  for (const id of state.allowed) {
    const blocker = blockerOf(provider, states, id);
    if (blocker === null) kept.add(id);
    else if (blockers.length < MAX_TEXTS) blockers.push(blocker);
  }
  if (kept.size === state.allowed.size) return;
  if (kept.size === 0) {
    onBlocked(blockers);
    return;
  }
  state.allowed = kept;
}

function blockerOf(provider: CandidateProvider, states: Map<string, NameState>, id: number): Blocker | null {
  for (const dep of provider.depends(id)) {
    const matches = provider.matching(dep.spec, dep.text);
    const name = dep.spec.name;
    if (matches.length === 0) return { id, why: `needs '${dep.text}' (nothing provides it)`, name, accepts: new Set() };
    const target = states.get(name);
    if (target !== undefined && !matches.some((m) => target.allowed.has(m))) {
      return { id, why: `needs '${dep.text}'`, name, accepts: new Set(matches) };
    }
  }
  for (const constraint of provider.constrains(id)) {
    const name = constraint.spec.name;
    const target = states.get(name);
    if (target === undefined || target.allowed.size === 0) continue;
    const ok = new Set(provider.matching(constraint.spec, constraint.text));
    if (![...target.allowed].some((m) => ok.has(m))) return { id, why: `constrains '${constraint.text}'`, name, accepts: ok };
  }
  return null;
}

/** Names every allowed record depends on, with what the union of their requirements allows. */
function commonRequirements(provider: CandidateProvider, name: string, allowed: ReadonlySet<number>): [string, Restriction][] {
  return common(provider, name, allowed, (id) => provider.depends(id));
}

/** Like commonRequirements for `constrains`, but only onto names that are already forced. */
function commonConstraints(
  provider: CandidateProvider,
  name: string,
  allowed: ReadonlySet<number>,
  states: Map<string, NameState>,
): [string, Restriction][] {
  return common(provider, name, allowed, (id) => provider.constrains(id)).filter(([target]) => states.has(target));
}

function common(
  provider: CandidateProvider,
  name: string,
  allowed: ReadonlySet<number>,
  specsOf: (id: number) => readonly ParsedSpec[],
): [string, Restriction][] {
  if (allowed.size === 0) return [];
  let shared: Map<string, { allows: Set<number>; texts: Set<string> }> | null = null;
  for (const id of allowed) {
    const own = new Map<string, { allows: Set<number>; texts: Set<string> }>();
    for (const parsed of specsOf(id)) {
      const target = parsed.spec.name;
      if (target === name) continue;
      const matches = new Set(provider.matching(parsed.spec, parsed.text));
      const entry = own.get(target);
      if (entry === undefined) own.set(target, { allows: matches, texts: new Set([parsed.text]) });
      else {
        // Two requirements on one name from one record: both must hold.
        entry.allows = new Set([...entry.allows].filter((m) => matches.has(m)));
        entry.texts.add(parsed.text);
      }
    }
    if (shared === null) shared = own;
    else {
      for (const [target, entry] of [...shared]) {
        const mine = own.get(target);
        if (mine === undefined) shared.delete(target);
        else {
          for (const m of mine.allows) entry.allows.add(m);
          for (const t of mine.texts) entry.texts.add(t);
        }
      }
    }
    if (shared.size === 0) return [];
  }
  return [...(shared ?? [])].map(([target, entry]) => [
    target,
    { parent: name, root: null, texts: [...entry.texts].slice(0, MAX_TEXTS), allows: entry.allows },
  ]);
}

function describe(provider: CandidateProvider, id: number): string {
  const { record } = provider.candidate(id);
  return `${record.name} ${record.version} ${record.build}`;
}

/** `'a 1.*' → b >=1 → c >=2`: how a restriction follows from a root. */
function chainOf(restriction: Restriction, states: ReadonlyMap<string, NameState>, seen = new Set<string>()): string {
  const step = restriction.texts.length > 1 ? `(${restriction.texts.join(' or ')})` : (restriction.texts[0] ?? '');
  if (restriction.parent === null) return restriction.root?.label ?? step;
  const parent = restriction.parent;
  const first = states.get(parent)?.restrictions[0];
  if (first === undefined || seen.has(parent)) return `${parent} → ${step}`;
  seen.add(parent);
  return `${chainOf(first, states, seen)} → ${step}`;
}

function renderConflict(provider: CandidateProvider, conflict: Conflict): string[] {
  const states = conflict.states;
  const lines: string[] = [];
  const available = listVersions(distinctVersions(provider, provider.candidatesOf(conflict.name)));

  if (conflict.blocked !== undefined) {
    // How the blocked name got forced (unless a root names it: the headline says so), then
    // for each blocker the restriction on the clashing name that rules out what it needs.
    const first = conflict.restrictions[0];
    if (first !== undefined && first.parent !== null) lines.push(chainOf(first, states));
    for (const blocker of conflict.blocked) {
      const culprit = states.get(blocker.name)?.restrictions.find((r) => ![...r.allows].some((id) => blocker.accepts.has(id)));
      const line = culprit === undefined ? undefined : chainOf(culprit, states);
      if (line !== undefined && !lines.includes(line)) lines.push(line);
    }
    const reasons = conflict.blocked.map((b) => `${describe(provider, b.id)} ${b.why}`);
    lines.push(`no record of '${conflict.name}' works: ${reasons.join('; ')}`);
    return lines;
  }

  const culprits = smallestEmptySubset(conflict.restrictions);
  for (const restriction of culprits) {
    const line = chainOf(restriction, states);
    if (!lines.includes(line)) lines.push(line);
  }
  const broken = provider.candidatesOf(conflict.name).map((id) => provider.brokenReason(id)).find((reason) => reason !== undefined);
  if (broken !== undefined) lines.push(`some records of '${conflict.name}' are unusable (${broken})`);
  if (provider.candidatesOf(conflict.name).length === 0) {
    lines.push(`no package named '${conflict.name}' is available (perhaps a missing channel)${didYouMeanPackage(conflict.name, provider.task)}`);
  } else if (culprits.length === 1) {
    lines.push(`no record of '${conflict.name}' matches; available versions: ${available}`);
  } else {
    lines.push(`no record of '${conflict.name}' satisfies all of these; available versions: ${available}`);
  }
  return lines;
}

/** The fewest restrictions (one, else two, else all) whose allowed sets do not intersect. */
function smallestEmptySubset(restrictions: readonly Restriction[]): Restriction[] {
  const single = restrictions.find((r) => r.allows.size === 0);
  if (single !== undefined) return [single];
  for (let i = 0; i < restrictions.length; i++) {
    for (let j = i + 1; j < restrictions.length; j++) {
      const a = restrictions[i] as Restriction;
      const b = restrictions[j] as Restriction;
      if (![...a.allows].some((id) => b.allows.has(id))) return [a, b];
    }
  }
  return [...restrictions];
}
