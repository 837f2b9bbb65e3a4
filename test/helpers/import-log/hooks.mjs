/**
 * Module hooks (they run on Node's loader thread): every file:// URL an ES module import
 * resolves to is reduced to its npm package, and each package is appended once to the log.
 */
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageOfFile } from './package-name.mjs';

let log;
const seen = new Set();

export function initialize(data) {
  log = data.log;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith('file:')) {
    const name = packageOfFile(fileURLToPath(resolved.url));
    if (name !== undefined && !seen.has(name)) {
      seen.add(name);
      appendFileSync(log, `${name}\n`);
    }
  }
  return resolved;
}
