/**
 * A conda version spec (`conda.models.version.VersionSpec`): constraints such as
 * `>=1.2,<2`, `1.2.*`, `=1.2` (starts-with), `~=1.2.3`, `!=1.2.*`, `^regex$`, `1.*.3`,
 * combined with `,` (and, binds tighter) and `|` (or) and parentheses.
 */
import { TaipanError } from './errors.js';
import { Version } from './version.js';
import { ANY_NODE, SpecLeafError, parseLeaf, type SpecNode } from './version-spec-leaf.js';
import { SpecTreeError, needsTree, treeify, type SpecTree } from './version-spec-tree.js';

/** Parsed specs are immutable, so repeated texts (common in repodata) share one instance. */
const CACHE_LIMIT = 8192;
const cache = new Map<string, VersionSpec>();

/** An immutable, parsed version spec. Create with {@link VersionSpec.parse}. */
export class VersionSpec {
  /** The spec `*`, which matches every version. */
  static readonly ANY: VersionSpec = new VersionSpec(ANY_NODE);

  readonly #node: SpecNode;

  private constructor(node: SpecNode) {
    this.#node = node;
    Object.freeze(this);
  }

  /**
   * Parses a version spec with conda's rules. An empty text is rejected (as conda does);
   * "no constraint" is {@link VersionSpec.ANY} (`*`).
   * @throws TaipanError `INVALID_VERSION_SPEC` quoting `text` and saying what was expected.
   */
  static parse(text: string): VersionSpec {
    const cached = cache.get(text);
    if (cached !== undefined) return cached;
    const node = compile(text);
    const spec = node === ANY_NODE ? VersionSpec.ANY : new VersionSpec(node);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(text, spec);
    return spec;
  }

  /** Empties the parse cache (benchmarks measure cold parsing with it). */
  static clearCache(): void {
    cache.clear();
  }

  /**
   * True when `version` satisfies the spec.
   * @throws TaipanError `INVALID_VERSION_SPEC` only for a one-component `~=` (`~=1`) and a
   *   version at or above it: conda accepts such a spec and fails when matching, too.
   */
  matches(version: Version): boolean {
    return this.#node.test(version);
  }

  /**
   * {@link VersionSpec.matches} for a version string.
   * @throws TaipanError `INVALID_VERSION` when `version` is not a valid version.
   */
  matchesString(version: string): boolean {
    return this.#node.test(Version.parse(version));
  }

  /** True when every version matches (`*`, or a group that reduces to it). */
  isAny(): boolean {
    return this.#node.any;
  }

  /**
   * The version text when the spec pins exactly one version (`==1.7`, a bare `1.7`, or a
   * bare `@`-containing text that must match literally), without the `==`; else null.
   */
  exactVersion(): string | null {
    return this.#node.exact;
  }

  /**
   * conda's `str(VersionSpec)`: each constraint as written (trimmed, `1.2*` as `1.2.*`),
   * joined by `,` and `|`. Like conda, grouping parentheses are not written back, so
   * `(1|2),3` prints as `1|2,3`; keep the original text where it must be re-parsed.
   */
  toString(): string {
    return this.#node.text;
  }

  toJSON(): string {
    return this.#node.text;
  }
}

function compile(text: string): SpecNode {
  try {
    return needsTree(text) ? compileTree(treeify(text)) : parseLeaf(text);
  } catch (error) {
    if (error instanceof SpecLeafError || error instanceof SpecTreeError) {
      throw new TaipanError('INVALID_VERSION_SPEC', `invalid version spec '${text}': ${error.message}`);
    }
    throw error;
  }
}

function compileTree(tree: SpecTree): SpecNode {
  if (typeof tree === 'string') return parseLeaf(tree);
  const children = tree.items.map(compileTree);
  const tests = children.map((c) => c.test);
  const text = children.map((c) => c.text).join(tree.op);
  if (tree.op === '|') {
    return {
      text,
      exact: null,
      any: children.some((c) => c.any),
      test: (v) => {
        for (const t of tests) if (t(v)) return true;
        return false;
      },
    };
  }
  return {
    text,
    exact: null,
    any: children.every((c) => c.any),
    test: (v) => {
      for (const t of tests) if (!t(v)) return false;
      return true;
    },
  };
}
