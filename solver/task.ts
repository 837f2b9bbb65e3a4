/**
 * What a solve is asked (SolverTask) and what it answers (SolveResult), independent of the
 * backend that does the work. The logic-solver backend and the later resolvo-style CDCL
 * both implement {@link SolverBackend} over this one contract.
 */
import { TaipanError, type TaipanErrorCode } from '../channels/model/errors.js';
import type { MatchSpec } from '../channels/model/match-spec/index.js';
import type { PackageRecord, RepoDataRecord } from '../channels/model/package-record.js';

/**
 * Candidates by package name. Either a ready map or a lookup function, so that a lazy
 * repodata gateway can load only the names a solve actually reaches. Records must come in
 * channel-priority order (highest-priority channel first); the order within a channel
 * does not matter.
 */
export type CandidateSource =
  | ReadonlyMap<string, readonly RepoDataRecord[]>
  | ((name: string) => readonly RepoDataRecord[]);

/** How channel order weighs against versions; see `orderCandidates` in candidates.ts. */
export type ChannelPriority = 'strict' | 'flexible' | 'disabled';

export interface SolverTask {
  /** What the user asks for. Every spec must be satisfied by exactly one record of its name. */
  readonly specs: readonly MatchSpec[];
  /** Every candidate record by name, from all channels, in channel-priority order. */
  readonly available: CandidateSource;
  /**
   * Records in the target prefix. They are *favored*: a solve first tries to keep each
   * installed name at its installed record ("freeze installed", as conda does), and only
   * changes it when the specs cannot be met otherwise. They do not force anything to stay:
   * a name nobody depends on is not part of the result, so the caller must pass specs
   * (e.g. from the prefix history) for what the user wants kept. An installed record that
   * no channel offers any more is still a candidate for its name. Requested names are
   * frozen too when their installed record meets the spec (`install numpy` with numpy
   * installed changes nothing); an update leaves those names out of `installed`.
   */
  readonly installed?: readonly RepoDataRecord[];
  /** Like `installed` (soft preference) but tried before it, e.g. records of a lock file. */
  readonly locked?: readonly RepoDataRecord[];
  /**
   * Hard constraints: if a package of the spec's name is in the result it must match.
   * A pin never pulls a package in by itself (as conda's `pinned` file).
   */
  readonly pinned?: readonly MatchSpec[];
  /**
   * The system's virtual packages (`__glibc`, `__unix`, `__cuda` ...). Names starting with
   * `__` are satisfied from these only, never from channels. They are not part of the
   * result: nothing is installed for them.
   */
  readonly virtualPackages?: readonly PackageRecord[];
  /** `--no-deps`: choose records for the requested names only and ignore their `depends`. */
  readonly noDeps?: boolean;
  /** Default `strict`, as rattler and pixi (conda-forge's recommendation). */
  readonly channelPriority?: ChannelPriority;
  /** Channel names, only used to word "package not found" messages. */
  readonly channels?: readonly string[];
  /** Aborts a long solve (checked between SAT calls, or every few hundred CDCL steps). */
  readonly signal?: AbortSignal;
  /** Every name a function `available` can answer, only to suggest names for a missing one. */
  readonly knownNames?: () => Iterable<string>;
}

export interface SolveResult {
  /**
   * One record per package name, topologically sorted: a record's dependencies come before
   * it (cycles are broken deterministically). Virtual packages are left out.
   */
  readonly records: RepoDataRecord[];
}

/** A solver implementation. `solve` rejects with a {@link SolveError} when there is no solution. */
export interface SolverBackend {
  readonly name: string;
  solve(task: SolverTask): Promise<SolveResult>;
}

/** Why a solve failed, kept machine-readable beside the human message. */
export interface SolveFailure {
  /** The requested specs (and pins, prefixed `pinned `) that cannot be met together. */
  readonly specs: readonly string[];
  /** Dependency chains that show the conflict, one line each, e.g. `a 1.* → b >=2 → c <3`. */
  readonly chains: readonly string[];
  /**
   * The conflict as a tree (the CDCL backend builds it from the clauses of its actual
   * refutation): the root lists the incompatible requests, requirements list the candidate
   * groups that could meet them, candidate groups say why they cannot be used.
   */
  readonly tree?: ConflictNode;
}

/** One line of a conflict tree, machine-readable (`--json`) and printable (`text`). */
export interface ConflictNode {
  /**
   * - `root`: the heading; its children are the requests and pins in the conflict.
   * - `requirement`: a request or dependency spec (`spec`) on `name`.
   * - `candidates`: records of `name` (`versions`) that meet the parent requirement.
   * - `pin`: a pinned spec that excludes records further down.
   */
  readonly kind: 'root' | 'requirement' | 'candidates' | 'pin';
  /** The line as printed, without the tree drawing. */
  readonly text: string;
  readonly name?: string;
  readonly spec?: string;
  readonly versions?: readonly string[];
  /**
   * Requirements: `options` (children are the candidates), `missing` (no record matches),
   * `shown-above` (expanded earlier in the tree). Candidates: `requires` (children are
   * their requirements), `conflicts` (another record of the name is needed), `excluded`
   * (a pin or constraint rules them out), `unusable` (broken metadata), `chosen` (forced).
   */
  readonly status?: 'options' | 'missing' | 'shown-above' | 'requires' | 'conflicts' | 'excluded' | 'unusable' | 'chosen';
  /** For `conflicts`: the records it conflicts with (`name version build`). */
  readonly conflictsWith?: readonly string[];
  /** For `excluded`: what excludes it (`pinned 'x'` or `a 1.0 constrains 'x'`). */
  readonly excludedBy?: string;
  readonly children: readonly ConflictNode[];
}

/**
 * A solve that has no answer: `PACKAGE_NOT_FOUND` (a requested name or version does not
 * exist in the channels) or `UNSATISFIABLE` (it exists but the constraints conflict).
 * `name` stays `TaipanError` so that `isTaipanError` holds.
 */
export class SolveError extends TaipanError {
  readonly failure: SolveFailure;

  constructor(
    code: Extract<TaipanErrorCode, 'PACKAGE_NOT_FOUND' | 'UNSATISFIABLE'>,
    message: string,
    failure: SolveFailure,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
    this.failure = failure;
  }
}
