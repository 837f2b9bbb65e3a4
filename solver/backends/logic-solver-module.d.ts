/**
 * Minimal types for `logic-solver@2.0.1` (MiniSat compiled to asm.js, CommonJS, ships no
 * types). Only the parts taipan uses are declared. Variables are strings; a leading `-`
 * negates a name term (`'-x'`), and names starting with `$` are reserved by the library.
 */
declare module 'logic-solver' {
  namespace Logic {
    /** A variable name, optionally negated with a leading `-`. */
    type NameTerm = string;
    /** Opaque formula object built by the combinators below. */
    interface Formula {
      readonly __logicFormula?: never;
    }
    type FormulaOrTerm = Formula | NameTerm;

    class Solver {
      constructor();
      /** Adds the formulas as hard constraints. */
      require(...formulas: (FormulaOrTerm | FormulaOrTerm[])[]): void;
      /** Adds the negation of each formula as a hard constraint. */
      forbid(...formulas: (FormulaOrTerm | FormulaOrTerm[])[]): void;
      /** A model of all constraints so far, or null when they are unsatisfiable. */
      solve(): Solution | null;
      /** Like solve(), but only under the (temporary) assumption that `formula` holds. */
      solveAssuming(formula: FormulaOrTerm): Solution | null;
    }

    interface Solution {
      /** Names of the (non-internal) variables that are true, in creation order. */
      getTrueVars(): string[];
      /** Truth value of a formula or term in this model. */
      evaluate(formula: FormulaOrTerm): boolean;
      /** Treat variables unknown at solve time as false instead of throwing. */
      ignoreUnknownVariables(): void;
    }

    function or(...operands: (FormulaOrTerm | FormulaOrTerm[])[]): Formula;
    function and(...operands: (FormulaOrTerm | FormulaOrTerm[])[]): Formula;
    function not(operand: FormulaOrTerm): FormulaOrTerm;
    function implies(a: FormulaOrTerm, b: FormulaOrTerm): Formula;
    function atMostOne(...operands: (FormulaOrTerm | FormulaOrTerm[])[]): Formula;
    function exactlyOne(...operands: (FormulaOrTerm | FormulaOrTerm[])[]): Formula;
    /** Runs `f` with the library's argument assertions off (much faster clause building). */
    function disablingAssertions<T>(f: () => T): T;
    const TRUE: NameTerm;
    const FALSE: NameTerm;
  }
  export = Logic;
}
