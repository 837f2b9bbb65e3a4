/**
 * The `build_number` constraint of a MatchSpec (conda's `BuildNumberMatch`): an integer
 * (`3`), a relation (`>=3`, `<8`, `!=2`, `=3`, `==3`, `~=3`), `*`, or a `^...$` regex over
 * the decimal text.
 */
import { TaipanError } from '../errors.js';

type Test = (n: number) => boolean;

const RELATION = /^(==|!=|<=|>=|~=|<|>|=)(?![=<>!~])(\S+)$/;

/** An immutable build-number constraint. Create with {@link BuildNumberSpec.parse}. */
export class BuildNumberSpec {
  /** The text conda prints (`str(BuildNumberMatch)`): the trimmed spec, an integer as digits. */
  readonly text: string;
  /** The build number when the spec pins exactly one, else null. */
  readonly exact: number | null;
  readonly #test: Test;

  private constructor(text: string, exact: number | null, test: Test) {
    this.text = text;
    this.exact = exact;
    this.#test = test;
    Object.freeze(this);
  }

  /**
   * Parses a build-number constraint.
   * @throws TaipanError `INVALID_MATCH_SPEC` quoting `spec` (the whole match spec, for
   *   context) when `text` is not a number, `*`, a relation or a `^...$` regex.
   */
  static parse(text: string, spec: string = text): BuildNumberSpec {
    const t = text.trim();
    if (/^[+-]?\d+$/.test(t)) {
      const n = Number.parseInt(t, 10);
      return new BuildNumberSpec(String(n), n, (x) => x === n);
    }
    if (t === '*') return new BuildNumberSpec('*', null, () => true);
    if (/^[=<>!~]/.test(t)) {
      const m = RELATION.exec(t);
      const operand = m?.[2];
      if (m === null || operand === undefined || !/^\d+$/.test(operand)) {
        throw invalid(spec, text, 'an operator followed by a whole number, such as >=3');
      }
      const n = Number.parseInt(operand, 10);
      return new BuildNumberSpec(t, m[1] === '==' ? n : null, relation(m[1] as string, n));
    }
    if (t.startsWith('^') || t.endsWith('$')) {
      if (!(t.startsWith('^') && t.endsWith('$'))) {
        throw invalid(spec, text, "a regex that starts with '^' and ends with '$'");
      }
      let rx: RegExp;
      try {
        rx = new RegExp(t);
      } catch {
        throw invalid(spec, text, 'a valid regular expression');
      }
      return new BuildNumberSpec(t, null, (x) => rx.test(String(x)));
    }
    throw invalid(spec, text, 'a whole number or an operator such as >=3');
  }

  /** True when the record's build number satisfies the constraint. */
  matches(buildNumber: number): boolean {
    return this.#test(buildNumber);
  }

  /** True for `*`. */
  isAny(): boolean {
    return this.text === '*';
  }

  toString(): string {
    return this.text;
  }
}

function relation(op: string, n: number): Test {
  switch (op) {
    case '==':
    case '=': // conda's starts-with on a one-part version: equal
      return (x) => x === n;
    case '!=':
      return (x) => x !== n;
    case '<':
      return (x) => x < n;
    case '<=':
      return (x) => x <= n;
    case '>':
      return (x) => x > n;
    case '>=':
    case '~=': // compatible release of a one-part version: at least n
      return (x) => x >= n;
    default:
      return () => false;
  }
}

function invalid(spec: string, text: string, expected: string): TaipanError {
  return new TaipanError('INVALID_MATCH_SPEC', `invalid match spec '${spec}': build_number '${text}' is invalid, expected ${expected}`);
}
