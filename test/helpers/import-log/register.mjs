/**
 * `node --import` this file to log which npm packages a process loads, one name a line, to
 * the file named by TAIPAN_IMPORT_LOG (used by test/e2e/startup-imports.test.ts). ES module
 * imports are seen by a resolve hook; CommonJS loads (require, createRequire), which Node 20
 * does not pass through the hooks, are read from require's cache when the process exits.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { packageOfFile } from './package-name.mjs';

const log = process.env.TAIPAN_IMPORT_LOG;
if (log) {
  register('./hooks.mjs', import.meta.url, { data: { log } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const names = new Set(Object.keys(cache).map(packageOfFile).filter((name) => name !== undefined));
    appendFileSync(log, [...names].map((name) => `${name}\n`).join(''));
  });
}
