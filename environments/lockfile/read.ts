/**
 * Reading any lock file taipan knows, by its content rather than its name (users rename
 * them): JSON or YAML; `lockVersion` is micromamba's env lockfile, `version` 1–3 with a
 * `package` list is conda-lock's format, 4–7 is pixi's (rattler_lock). A newer version
 * fails with a message saying so, not with a confusing field error.
 */
import { readFile } from 'node:fs/promises';
import { parseCondaLockV1 } from './conda-lock-v1.js';
import { parseEnvLockfile } from './env-lockfile.js';
import type { LockFile } from './model.js';
import { isMapping, lockError } from './record.js';
import { parseRattlerLock } from './rattler-lock.js';
import { yamlLibrary } from '../../channels/util/libraries.js';

/** The newest pixi lock version this reader understands. */
export const NEWEST_RATTLER_VERSION = 7;

/** Parse lock-file text; `source` names it in errors. */
export function parseLockFile(text: string, source: string): LockFile {
  const document = parseDocument(text, source);
  if (document.lockVersion !== undefined) return parseEnvLockfile(document, source);
  const version = typeof document.version === 'number' ? document.version : Number(document.version);
  if (!Number.isInteger(version)) throw lockError(source, "it has no numeric 'version' (nor micromamba's 'lockVersion')");
  if (version > NEWEST_RATTLER_VERSION) {
    throw lockError(source, `it is lock version ${version}, newer than taipan reads (1 to ${NEWEST_RATTLER_VERSION})`, 'update taipan, or regenerate the lock file with an older tool');
  }
  if (version < 1) throw lockError(source, `lock version ${version} does not exist`);
  if (version <= 3) return parseCondaLockV1(document, source);
  return parseRattlerLock(document, source, version);
}

export async function readLockFile(file: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw lockError(file, `cannot read it: ${(error as Error).message}`);
  }
  return parseLockFile(text, file);
}

/**
 * True when `text` is a lock file rather than an environment.yml or spec list: a mapping
 * with micromamba's `lockVersion`, or a numeric `version` next to `package`, `packages`,
 * `metadata` or `environments`. Cheap enough to run on every `--file`.
 */
export function looksLikeLockFile(text: string): boolean {
  if (text.includes('@EXPLICIT')) return false;
  // JSON written on one line (conda-lock.json, minified) has no key at a line start: parsed below.
  const json = text.trimStart().startsWith('{');
  if (!json && !/^\s*["']?(version|lockVersion)["']?\s*:/m.test(text)) return false;
  let document: unknown;
  try {
    document = json ? JSON.parse(text) : yamlLibrary().parse(text, { uniqueKeys: false });
  } catch {
    // Broken JSON that still announces a lock version is a lock file, reported by parseLockFile.
    return /"lockVersion"\s*:/.test(text);
  }
  if (!isMapping(document)) return false;
  if (document.lockVersion !== undefined) return true;
  return document.version !== undefined && ['package', 'packages', 'metadata', 'environments'].some((k) => k in document);
}

function parseDocument(text: string, source: string): Record<string, unknown> {
  let document: unknown;
  try {
    // JSON is read strictly: a YAML reader would accept some broken JSON.
    document = text.trimStart().startsWith('{') ? JSON.parse(text) : yamlLibrary().parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw lockError(source, (error as Error).message.split('\n')[0] ?? 'it does not parse');
  }
  if (!isMapping(document)) throw lockError(source, 'it is not a mapping of keys to values');
  return document;
}
