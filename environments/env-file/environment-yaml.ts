/**
 * environment.yml, as conda env and micromamba read it: `name`, `prefix`, `channels`
 * (with `${VAR}` expanded from the environment, as conda does), `dependencies` (MatchSpec
 * strings, and one `pip:` list), `variables`, and pixi/conda-lock's `platforms`. Every
 * dependency is parsed here, so a bad spec is reported with the file and line it is on.
 * Keys conda does not know are kept as warnings, as conda's EnvironmentFileExtraKeys.
 */
import { readFile } from 'node:fs/promises';
import type { Node } from 'yaml';
import { TaipanError, isTaipanError } from '../../channels/model/errors.js';
import { MatchSpec } from '../../channels/model/match-spec/index.js';
import { currentPlatform, type Platform } from '../../channels/model/platform.js';
import { yamlLibrary } from '../../channels/util/libraries.js';
import { envVarProblem } from '../activation/env-vars.js';

export interface EnvironmentFile {
  readonly name?: string;
  readonly prefix?: string;
  readonly channels: readonly string[];
  /** conda dependencies as written (validated MatchSpecs). */
  readonly dependencies: readonly string[];
  /** The `pip:` subsection, passed to the environment's own pip as a requirements list. */
  readonly pip: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
  readonly platforms: readonly string[];
  /** Problems that do not stop conda either (unknown keys). */
  readonly warnings: readonly string[];
  readonly source: string;
}

export interface EnvironmentFileOptions {
  /** Where `${VAR}` in channels is looked up. */
  readonly env?: NodeJS.ProcessEnv;
  /** The platform micromamba's `sel(linux): spec` selectors are evaluated for. */
  readonly platform?: Platform;
}

export async function readEnvironmentFile(file: string, options: EnvironmentFileOptions = {}): Promise<EnvironmentFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TaipanError('INVALID_ARGUMENT', `cannot read the environment file '${file}': ${(error as Error).message}`, { cause: error });
  }
  return parseEnvironmentYaml(text, file, options);
}

export function parseEnvironmentYaml(text: string, source: string, options: EnvironmentFileOptions = {}): EnvironmentFile {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlLibrary();
  const env = options.env ?? process.env;
  const platform = options.platform ?? currentPlatform();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0];
    if (offset === undefined) return source;
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  const fail = (node: Node | null | undefined, message: string, hint?: string): never => {
    throw new TaipanError('INVALID_ARGUMENT', `${where(node)}: ${message}`, hint ? { hint } : {});
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const { line, col } = lines.linePos(first.pos[0]);
    throw new TaipanError('INVALID_ARGUMENT', `${source}:${line}:${col}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return { channels: [], dependencies: [], pip: [], variables: {}, platforms: [], warnings: [], source };
  }
  if (!isMap(root)) return fail(root, 'an environment file is a mapping with name, channels and dependencies');

  const warnings: string[] = [];
  let name: string | undefined;
  let prefix: string | undefined;
  let channels: string[] = [];
  const dependencies: string[] = [];
  const pip: string[] = [];
  const variables: Record<string, string> = {};
  let platforms: string[] = [];

  const stringList = (node: Node | null, what: string): string[] => {
    if (node === null || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) return fail(node, `'${what}' must be a list`);
    return node.items.map((item) => {
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') return fail(item as Node, `each entry of '${what}' must be a string`);
      return String(item.value);
    });
  };

  const addDependency = (text: string, node: Node): void => {
    const spec = applySelector(text.trim(), platform);
    if (spec === undefined) return;
    try {
      MatchSpec.parse(spec);
    } catch (error) {
      if (!isTaipanError(error)) throw error;
      throw new TaipanError('INVALID_MATCH_SPEC', `${where(node)}: ${error.message}`, { cause: error, hint: error.hint });
    }
    dependencies.push(spec);
  };

  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as Node | null;
    switch (key) {
      case 'name':
      case 'prefix': {
        if (!isScalar(value) || value.value === null) fail(value ?? (pair.key as Node), `'${key}' must be a string`);
        if (key === 'name') name = String((value as { value: unknown }).value);
        else prefix = String((value as { value: unknown }).value);
        break;
      }
      case 'channels':
        channels = stringList(value, 'channels').map((c) => expandVariables(c, env));
        break;
      case 'platforms':
        platforms = stringList(value, 'platforms');
        break;
      case 'variables': {
        if (value === null || (isScalar(value) && value.value === null)) break;
        if (!isMap(value)) fail(value, "'variables' must be a mapping of names to values");
        for (const v of (value as { items: { key: unknown; value: unknown }[] }).items) {
          const k = isScalar(v.key) ? String(v.key.value) : '';
          variables[k] = isScalar(v.value) ? String(v.value.value ?? '') : '';
          // Refused here, before any transaction, rather than once the environment is made.
          const problem = envVarProblem(k, variables[k]);
          if (problem !== undefined) fail((v.key ?? value) as Node, `in 'variables': ${problem}`);
        }
        break;
      }
      case 'dependencies': {
        if (value === null || (isScalar(value) && value.value === null)) break;
        if (!isSeq(value)) fail(value, "'dependencies' must be a list");
        for (const item of (value as { items: unknown[] }).items) {
          if (isMap(item)) {
            for (const sub of item.items) {
              const subKey = isScalar(sub.key) ? String(sub.key.value) : '';
              if (subKey === 'pip') {
                pip.push(...stringList(sub.value as Node | null, 'pip'));
                continue;
              }
              // YAML reads micromamba's `- sel(linux): spec` as a one-entry mapping.
              if (/^sel\(\w+\)$/.test(subKey) && isScalar(sub.value)) {
                addDependency(`${subKey}: ${String(sub.value.value)}`, sub.value as Node);
                continue;
              }
              fail(item, `unknown dependency section '${subKey}'`, "only a 'pip:' list or sel(...) lines may stand among the dependencies");
            }
            continue;
          }
          if (!isScalar(item) || item.value === null) fail(item as Node, 'each dependency must be a package spec string');
          addDependency(String((item as { value: unknown }).value), item as Node);
        }
        break;
      }
      default:
        warnings.push(`${where(pair.key as Node)}: unknown key '${key}' is ignored`);
    }
  }
  return { name, prefix, channels, dependencies, pip, variables, platforms, warnings, source };
}

/** `${NAME}` and `$NAME` from the environment; an unset variable is an error, not an empty string. */
export function expandVariables(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const key = (braced ?? bare) as string;
    const value = env[key];
    if (value === undefined) {
      throw new TaipanError('INVALID_ARGUMENT', `the environment variable '${key}' used in '${text}' is not set`, { hint: `set ${key} before running taipan` });
    }
    return value;
  });
}

/**
 * micromamba's `sel(<os>): spec` lines: the spec when the selector holds for `platform`,
 * undefined when it does not; lines without a selector are returned as they are.
 */
function applySelector(line: string, platform: Platform): string | undefined {
  const m = /^sel\((\w+)\):\s*(.+)$/.exec(line);
  if (!m) return line;
  const os = platform.split('-')[0];
  const holds: Record<string, boolean> = { win: os === 'win', osx: os === 'osx', linux: os === 'linux', unix: os === 'linux' || os === 'osx' };
  return holds[m[1] as string] ? (m[2] as string).trim() : undefined;
}
