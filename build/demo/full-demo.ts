/**
 * The opt-in part of the demo channel (build/demo/packages/full): recipes that compile C
 * with the machine's compiler and a noarch: python package built against the machine's
 * python3. What the machine lacks is left out with a reason, so the demo still runs there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { machinePython, type MachinePython } from './machine-python.js';

/** Recipes (folder names) that need a C compiler and make. */
const C_RECIPES = new Set(['libtaipan', 'taipan-hello-c']);
/** Recipes that need a `python` package in the channel. */
const PYTHON_RECIPES = new Set(['taipan-hello-py']);

export interface FullDemoPlan {
  /** Recipe folders to build. */
  readonly recipeDirs: readonly string[];
  /** The python to wrap as the channel's `python` package, when a recipe needs it. */
  readonly python?: MachinePython;
  /** One line per part left out, with why. */
  readonly skipped: readonly string[];
}

/** `<sourcesDir>/full`, where the opt-in recipes live (the default build does not look there). */
export function fullRecipesDir(sourcesDir: string): string {
  return path.join(sourcesDir, 'full');
}

/** What of `fullDir` this machine can build, and why it leaves the rest out. */
export function planFullDemo(fullDir: string): FullDemoPlan {
  const all = existsSync(fullDir) ? readdirSync(fullDir).filter((d) => existsSync(path.join(fullDir, d, 'recipe.yaml'))).sort() : [];
  const skipped: string[] = [];
  const cMissing = all.some((d) => C_RECIPES.has(d)) ? missingCToolchain() : undefined;
  if (cMissing) skipped.push(`${[...C_RECIPES].join(' and ')} left out: ${cMissing}`);
  const python = all.some((d) => PYTHON_RECIPES.has(d)) ? usablePython() : undefined;
  const pythonMissing = typeof python === 'string' ? python : undefined;
  if (pythonMissing) skipped.push(`${[...PYTHON_RECIPES].join(' and ')} left out: ${pythonMissing}`);
  const recipeDirs = all.filter((d) => !(cMissing && C_RECIPES.has(d)) && !(pythonMissing && PYTHON_RECIPES.has(d))).map((d) => path.join(fullDir, d));
  return { recipeDirs, ...(typeof python === 'object' ? { python } : {}), skipped };
}

/** Why the C recipes cannot be built here, or undefined when `$CC` (or cc) and make both run. */
export function missingCToolchain(): string | undefined {
  // The Makefiles build ELF shared libraries (-soname, .so, $ORIGIN rpath).
  if (process.platform !== 'linux') return `the C demo recipes build Linux shared libraries, and this is ${process.platform}`;
  const cc = process.env.CC?.trim() || 'cc';
  const [ccCommand = 'cc', ...ccArgs] = cc.split(/\s+/);
  if (spawnSync(ccCommand, [...ccArgs, '--version'], { stdio: 'ignore' }).status !== 0) return `no C compiler ('${cc} --version' did not run; install gcc or set CC)`;
  if (spawnSync('make', ['--version'], { stdio: 'ignore' }).status !== 0) return "no make ('make --version' did not run)";
  return undefined;
}

/** The machine's python3 when it can be wrapped as a conda package, or why not. */
function usablePython(): MachinePython | string {
  // The wrapper that runs the interpreter under the environment's path is a bash script.
  if (!existsSync('/bin/bash')) return 'no /bin/bash to run the python wrapper';
  return machinePython() ?? "no python3 found ('python3 -c ...' did not run)";
}
