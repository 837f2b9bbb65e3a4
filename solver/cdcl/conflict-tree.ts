/**
 * The conflict tree, built from the unsat core of the actual refutation (see unsat-core.ts)
 * in the manner of resolvo and mamba 2: each request in the core lists the candidate
 * records that could meet it, grouped when they fail for the same reason; a group either
 * "would require" further specs (expanded the same way), conflicts with records required
 * elsewhere (only one record per name), is excluded by a pin or a constraint, or cannot be
 * used at all. Every line corresponds to clauses of the core, so the tree shows what the
 * solver really ran into, not a guess.
 */
import { distinctVersions } from '../preflight.js';
import type { ConflictNode } from '../task.js';
import type { Assignment } from './assignment.js';
import { ClauseKind, type ClauseStore } from './clause-store.js';
import type { LazyEncoder } from './encoder.js';
import { TRUE, varOf } from './literals.js';

const MAX_DEPTH = 24;
const MAX_SHOWN_VERSIONS = 6;

/** What the core says about variables. */
interface CoreFacts {
  readonly roots: Set<number>;
  readonly requirementsOf: Map<number, number[]>;
  readonly excludedBy: Map<number, number>;
  readonly constrainers: Map<number, number[]>;
  readonly multiple: Map<string, number[]>;
  readonly broken: Set<number>;
}

/** Builds the tree for the core clauses `core` of a search's level-0 conflict. */
export function conflictTree(encoder: LazyEncoder, store: ClauseStore, assignment: Assignment, core: readonly number[]): ConflictNode {
  const facts = collect(encoder, store, core);
  const builder = new TreeBuilder(encoder, assignment, facts);
  const children: ConflictNode[] = [];
  encoder.roots.forEach((root, j) => {
    if (!facts.roots.has(j)) return;
    if (root.kind === 'pin') {
      children.push({ kind: 'pin', text: root.label, name: root.spec.name, spec: root.text, children: [] });
      return;
    }
    const index = encoder.requirementsOf.get(encoder.rootVars[j] as number)?.[0];
    if (index !== undefined) children.push(builder.requirement(index, 0));
  });
  return { kind: 'root', text: 'The following packages are incompatible', children };
}

/** The tree as text lines, drawn with ├─ └─ │ like mamba and pixi. */
export function renderTree(node: ConflictNode): string[] {
  const lines = [node.text];
  const walk = (children: readonly ConflictNode[], prefix: string): void => {
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${child.text}`);
      walk(child.children, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(node.children, '');
  return lines;
}

function collect(encoder: LazyEncoder, store: ClauseStore, core: readonly number[]): CoreFacts {
  const facts: CoreFacts = {
    roots: new Set(),
    requirementsOf: new Map(),
    excludedBy: new Map(),
    constrainers: new Map(),
    multiple: new Map(),
    broken: new Set(),
  };
  const push = <K>(map: Map<K, number[]>, key: K, value: number): void => {
    const list = map.get(key) ?? [];
    if (!list.includes(value)) list.push(value);
    map.set(key, list);
  };
  for (const clause of core) {
    const data = store.data(clause);
    const vars = store.literals(clause).map(varOf);
    switch (store.kind(clause)) {
      case ClauseKind.Root:
        facts.roots.add(data);
        break;
      case ClauseKind.Requires:
        push(facts.requirementsOf, encoder.requirements[data]!.parent, data);
        break;
      case ClauseKind.Excludes: {
        const candidate = vars.find((v) => v !== encoder.restrictions[data]!.variable);
        if (candidate !== undefined && !facts.excludedBy.has(candidate)) facts.excludedBy.set(candidate, data);
        break;
      }
      case ClauseKind.Constrains: {
        const parent = vars.find((v) => v !== encoder.restrictions[data]!.variable);
        if (parent !== undefined) push(facts.constrainers, data, parent);
        break;
      }
      case ClauseKind.ForbidMultiple:
        if (data >= 0) push(facts.multiple, nameOf(encoder, data), data);
        break;
      case ClauseKind.Broken:
        facts.broken.add(data);
        break;
      default:
        break;
    }
  }
  // Requirements keep their `depends` order, whatever order the core listed them in.
  for (const list of facts.requirementsOf.values()) list.sort((a, b) => a - b);
  return facts;
}

function nameOf(encoder: LazyEncoder, variable: number): string {
  return encoder.provider.candidate(encoder.candidateOf(variable)).name;
}

interface GroupInfo {
  readonly status: NonNullable<ConflictNode['status']>;
  readonly suffix: string;
  readonly requirements: readonly number[];
  readonly conflictsWith?: readonly string[];
  readonly excludedBy?: string;
}

class TreeBuilder {
  private readonly expanded = new Set<string>();

  constructor(
    private readonly encoder: LazyEncoder,
    private readonly assignment: Assignment,
    private readonly facts: CoreFacts,
  ) {}

  requirement(index: number, depth: number): ConflictNode {
    const { encoder } = this;
    const requirement = encoder.requirements[index]!;
    const { name, text: spec } = requirement;
    const isRequest = requirement.root >= 0;
    const base = { kind: 'requirement' as const, name, spec };
    if (requirement.candidates.length === 0) {
      const versions = distinctVersions(encoder.provider, encoder.provider.candidatesOf(name));
      const text =
        versions.length === 0
          ? `${spec}, for which no candidates were found (no package named '${name}')`
          : `${spec}, for which no candidates were found (available versions: ${showVersions(versions)})`;
      return { ...base, text, status: 'missing', children: [] };
    }
    const key = `${name}\u0000${spec}`;
    if (this.expanded.has(key) || depth >= MAX_DEPTH) {
      return { ...base, text: `${spec}, which cannot be installed (see above)`, status: 'shown-above', children: [] };
    }
    this.expanded.add(key);

    const groups = new Map<string, { info: GroupInfo; candidates: number[] }>();
    for (const candidate of requirement.candidates) {
      const info = this.describe(candidate, requirement.candidates);
      const groupKey = `${info.status}\u0000${info.suffix}\u0000${info.requirements.map((r) => encoder.requirements[r]!.text).join('\u0000')}`;
      const group = groups.get(groupKey);
      if (group === undefined) groups.set(groupKey, { info, candidates: [candidate] });
      else group.candidates.push(candidate);
    }
    const children = [...groups.values()].map(({ info, candidates }) => this.group(name, info, candidates, depth));
    const text = isRequest
      ? `${spec} can be installed with any of the following options:`
      : `${spec}, which can be installed with any of the following options:`;
    return { ...base, text, status: 'options', children };
  }

  private group(name: string, info: GroupInfo, candidates: readonly number[], depth: number): ConflictNode {
    const provider = this.encoder.provider;
    const versions = distinctVersions(provider, candidates.map((c) => this.encoder.candidateOf(c)));
    const children = info.requirements.map((index) => this.requirement(index, depth + 1));
    return {
      kind: 'candidates',
      text: `${name} ${showVersions(versions)}${info.suffix}`,
      name,
      versions,
      status: info.status,
      ...(info.conflictsWith === undefined ? {} : { conflictsWith: info.conflictsWith }),
      ...(info.excludedBy === undefined ? {} : { excludedBy: info.excludedBy }),
      children,
    };
  }

  /** Why the core rules out one candidate of a requirement. */
  private describe(candidate: number, siblings: readonly number[]): GroupInfo {
    const { encoder, facts, assignment } = this;
    const provider = encoder.provider;
    const id = encoder.candidateOf(candidate);
    if (facts.broken.has(candidate)) {
      return { status: 'unusable', suffix: `, which cannot be used (${provider.unusableReason(id) ?? 'broken metadata'})`, requirements: [] };
    }
    const requirements = facts.requirementsOf.get(candidate) ?? [];
    if (requirements.length > 0) return { status: 'requires', suffix: ' would require', requirements };
    const restriction = facts.excludedBy.get(candidate);
    if (restriction !== undefined) {
      const by = this.restrictionLabel(restriction);
      return { status: 'excluded', suffix: `, which ${by} excludes`, requirements: [], excludedBy: by };
    }
    const name = provider.candidate(id).name;
    const rivals = (facts.multiple.get(name) ?? []).filter((other) => other !== candidate && !siblings.includes(other));
    // Records the refutation forced (true at level 0) are the clearest thing to name.
    const forced = rivals.filter((other) => assignment.value(other) === TRUE);
    const shown = (forced.length > 0 ? forced : rivals).map((other) => describeRecord(encoder, other));
    if (shown.length === 0) {
      const chosen = assignment.value(candidate) === TRUE && assignment.levelOf(candidate) === 0;
      if (chosen) return { status: 'chosen', suffix: '', requirements: [] };
      return { status: 'conflicts', suffix: ', which conflicts with the other requirements', requirements: [], conflictsWith: [] };
    }
    const versions = [...new Set(shown.map((r) => r.version))];
    return {
      status: 'conflicts',
      suffix: `, which conflicts with ${name} ${showVersions(versions)} (only one version of ${name} can be installed)`,
      requirements: [],
      conflictsWith: shown.map((r) => `${r.name} ${r.version} ${r.build}`),
    };
  }

  private restrictionLabel(index: number): string {
    const { encoder } = this;
    const restriction = encoder.restrictions[index]!;
    if (restriction.root >= 0) return encoder.roots[restriction.root]!.label;
    const parent = this.facts.constrainers.get(index)?.[0];
    if (parent === undefined) return `the constraint '${restriction.text}'`;
    const record = describeRecord(encoder, parent);
    return `the constraint '${restriction.text}' of ${record.name} ${record.version}`;
  }
}

function describeRecord(encoder: LazyEncoder, variable: number): { name: string; version: string; build: string } {
  const { record } = encoder.provider.candidate(encoder.candidateOf(variable));
  return { name: record.name, version: record.version, build: record.build };
}

/** `1.2 | 1.1 | 1.0`, shortened in the middle when long. */
function showVersions(versions: readonly string[]): string {
  if (versions.length <= MAX_SHOWN_VERSIONS) return versions.join(' | ');
  const head = versions.slice(0, MAX_SHOWN_VERSIONS - 1);
  return `${head.join(' | ')} | … | ${versions[versions.length - 1]} (${versions.length} versions)`;
}
