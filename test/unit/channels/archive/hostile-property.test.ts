/**
 * Property: whatever sequence of entries an archive holds — names, symlinks and hard links
 * drawn from the grammar of hostile paths (`..`, absolute names, backslashes, the prefix's
 * own folders under every alias, links chaining through each other) — extraction either
 * refuses it with a typed error and leaves nothing, or writes a tree that stays inside its
 * folder, holds none of the files taipan keeps in a prefix, and whose every symlink resolves
 * inside. Real `.tar.bz2` archives through the real extractor.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { extractPackage } from '../../../../channels/archive/index.js';
import { isTaipanError } from '../../../../channels/model/errors.js';
import { reservedPayloadPath } from '../../../../channels/model/prefix-layout.js';
import { bzip2, rawTar, type RawEntry } from '../../../reliability/fixtures.js';
import { tempDir } from './helpers.js';

const HOSTILE = ['..', '.', '', 'conda-meta', 'CONDA-META', 'conda-meta.', '.taipan-trash', '__clobbers__', '..\\..', 'C:'];
const segment = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('share', 'lib', 'a', 'b', 'x y') }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) });
const relativePath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
const anyPath = fc.oneof({ weight: 5, arbitrary: relativePath }, { weight: 1, arbitrary: relativePath.map((p) => `/${p}`) });

const entry: fc.Arbitrary<RawEntry> = fc.oneof(
  { weight: 3, arbitrary: anyPath.map((p): RawEntry => ({ path: p, body: 'data' })) },
  { weight: 1, arbitrary: anyPath.map((p): RawEntry => ({ path: p, type: 'Directory', mode: 0o755 })) },
  { weight: 2, arbitrary: fc.tuple(anyPath, anyPath).map(([p, t]): RawEntry => ({ path: p, type: 'SymbolicLink', linkpath: t })) },
  { weight: 1, arbitrary: fc.tuple(anyPath, anyPath).map(([p, t]): RawEntry => ({ path: p, type: 'Link', linkpath: t })) },
);

const CODES = new Set(['UNSAFE_ARCHIVE_ENTRY', 'CORRUPT_ARCHIVE']);
const INDEX: RawEntry = { path: 'info/index.json', body: JSON.stringify({ name: 'evil', version: '1', build: '0', build_number: 0, depends: [] }) };

/** What is wrong with an extracted tree; empty when nothing is. */
function treeProblems(root: string, rel = ''): string[] {
  const problems: string[] = [];
  const realRoot = realpathSync(root);
  for (const name of readdirSync(path.join(root, rel))) {
    const child = rel ? `${rel}/${name}` : name;
    const abs = path.join(root, child);
    if (!child.startsWith('info/') && reservedPayloadPath(child) !== undefined) problems.push(`reserved path ${child}`);
    const info = lstatSync(abs);
    if (info.isSymbolicLink()) {
      let real: string | undefined;
      try {
        real = realpathSync(abs);
      } catch {
        continue; // dangling links lead nowhere
      }
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) problems.push(`symlink ${child} leads to ${real}`);
      else if (reservedPayloadPath(path.relative(realRoot, real)) !== undefined) problems.push(`symlink ${child} leads into ${path.relative(realRoot, real)}`);
    } else if (info.isDirectory()) {
      problems.push(...treeProblems(root, child));
    }
  }
  return problems;
}

describe('hostile archives generated from the grammar of paths and links', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('prop-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are refused with a typed error, or extract inside their folder and away from taipan files', async () => {
    let run = 0;
    const outcomes = { refused: 0, extracted: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), async (entries) => {
        const work = path.join(dir, String(run++));
        const outside = path.join(work, 'outside');
        await mkdir(outside, { recursive: true });
        const archive = path.join(work, 'evil-1-0.tar.bz2');
        await writeFile(archive, bzip2(rawTar([INDEX, ...entries])));
        const dest = path.join(work, 'out', 'pkg');
        const error = await extractPackage(archive, dest).then(() => undefined, (e: unknown) => e);
        if (error !== undefined) {
          if (!isTaipanError(error) || !CODES.has(error.code)) throw new Error(`untyped failure: ${String(error)}`);
          outcomes.refused++;
          const left = await readdir(path.join(work, 'out'));
          if (left.length > 0) throw new Error(`left behind after a refusal: ${left.join(', ')}`);
        } else {
          outcomes.extracted++;
          const problems = treeProblems(dest);
          if (problems.length > 0) throw new Error(problems.join('; '));
        }
        if ((await readdir(outside)).length > 0) throw new Error('something was written outside');
        await rm(work, { recursive: true, force: true });
      }),
      { numRuns: 300, seed: 13 },
    );
    // The grammar must reach both ends, or the property says nothing.
    expect(outcomes.refused).toBeGreaterThan(20);
    expect(outcomes.extracted).toBeGreaterThan(20);
  });
});
