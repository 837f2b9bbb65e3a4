/**
 * Sources of a build, offline: file:// archives checked against their hash and cached,
 * local paths, a local git repository at a tag, patches, several sources with
 * target_directory; and a whole build from them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Channel } from '../../channels/model/channel.js';
import { PackageCache } from '../../environments/package-cache/package-cache.js';
import { buildOutput, fetchSources } from '../../build/index.js';
import { renderedOutput } from '../unit/build/rendered.js';
import { ChannelServer } from '../helpers/channel-server.js';

let work: string;
let tarball: string;
let tarballSha: string;
let zipFile: string;
let repo: string;
let recipe: string;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-build-src-'));
  // A release tarball with one top-level folder, as projects ship them.
  const project = path.join(work, 'upstream', 'greeter-1.0');
  await mkdir(path.join(project, 'src'), { recursive: true });
  await writeFile(path.join(project, 'src', 'greeting.txt'), 'hello\nworld\n');
  await writeFile(path.join(project, 'VERSION'), '1.0\n');
  tarball = path.join(work, 'greeter-1.0.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', path.join(work, 'upstream'), 'greeter-1.0']);
  tarballSha = sha256(await readFile(tarball));
  zipFile = path.join(work, 'extra.zip');
  execFileSync('zip', ['-q', '-r', zipFile, 'greeter-1.0'], { cwd: path.join(work, 'upstream') });

  repo = path.join(work, 'repo');
  await mkdir(repo, { recursive: true });
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  await writeFile(path.join(repo, 'file.txt'), 'version one\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  git('tag', 'v1');
  await writeFile(path.join(repo, 'file.txt'), 'version two\n');
  git('commit', '-q', '-am', 'two');

  recipe = path.join(work, 'recipe');
  await mkdir(recipe, { recursive: true });
  await writeFile(
    path.join(recipe, 'fix.patch'),
    ['--- a/src/greeting.txt', '+++ b/src/greeting.txt', '@@ -1,2 +1,2 @@', ' hello', '-world', '+patched world', ''].join('\n'),
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('build sources', () => {
  test('a file:// tarball is checked, unpacked without its top folder, patched and cached', async () => {
    const src = path.join(work, 'src-url');
    const cacheDir = path.join(work, 'src-cache');
    const source = { kind: 'url' as const, url: [pathToFileURL(tarball).href], sha256: tarballSha, patches: ['fix.patch'] };
    await fetchSources([source], src, { recipeDir: recipe, cacheDir });
    expect(await readFile(path.join(src, 'src', 'greeting.txt'), 'utf8')).toBe('hello\npatched world\n');
    expect(await readFile(path.join(src, 'VERSION'), 'utf8')).toBe('1.0\n');
    expect(existsSync(path.join(cacheDir, `sha256-${tarballSha.slice(0, 16)}`, 'greeter-1.0.tar.gz'))).toBe(true);

    // From the cache: the original may go away.
    const moved = `${tarball}.away`;
    await rename(tarball, moved);
    try {
      await fetchSources([source], path.join(work, 'src-url-2'), { recipeDir: recipe, cacheDir });
      expect(await readFile(path.join(work, 'src-url-2', 'VERSION'), 'utf8')).toBe('1.0\n');
    } finally {
      await rename(moved, tarball);
    }
  });

  test('an http source is downloaded from the first mirror that has it', async () => {
    const server = await ChannelServer.start(work);
    try {
      const src = path.join(work, 'src-http');
      const url = [`${server.url}/missing/greeter-1.0.tar.gz`, `${server.url}/greeter-1.0.tar.gz`];
      await fetchSources([{ kind: 'url', url, sha256: tarballSha, patches: [] }], src, { recipeDir: recipe, cacheDir: path.join(work, 'src-cache-http') });
      expect(await readFile(path.join(src, 'src', 'greeting.txt'), 'utf8')).toBe('hello\nworld\n');
      expect(server.requests.map((r) => r.path)).toEqual(['/missing/greeter-1.0.tar.gz', '/greeter-1.0.tar.gz']);
    } finally {
      await server.close();
    }
  });

  test('a wrong sha256 fails clearly, naming both hashes', async () => {
    const wrong = '0'.repeat(64);
    const promise = fetchSources([{ kind: 'url', url: [pathToFileURL(tarball).href], sha256: wrong, patches: [] }], path.join(work, 'src-bad'), {
      recipeDir: recipe,
      cacheDir: path.join(work, 'src-cache-bad'),
    });
    await expect(promise).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    await expect(promise).rejects.toThrow(`sha256 of the source '${pathToFileURL(tarball).href}' is ${tarballSha}, but the recipe says ${wrong}`);
    expect(existsSync(path.join(work, 'src-cache-bad', `sha256-${wrong.slice(0, 16)}`, 'greeter-1.0.tar.gz'))).toBe(false);
  });

  test('a url source without a hash is refused', async () => {
    await expect(
      fetchSources([{ kind: 'url', url: [pathToFileURL(tarball).href], patches: [] }], path.join(work, 'src-nohash'), { recipeDir: recipe, cacheDir: path.join(work, 'c') }),
    ).rejects.toThrow(/has no sha256 or md5/);
  });

  test('several sources go into their target directories: git at a tag, a zip, a local path', async () => {
    const src = path.join(work, 'src-multi');
    const zipMd5 = createHash('md5').update(await readFile(zipFile)).digest('hex');
    await fetchSources(
      [
        { kind: 'git', git: repo, rev: 'v1', patches: [] },
        { kind: 'url', url: [pathToFileURL(zipFile).href], md5: zipMd5, targetDirectory: 'vendor/extra', patches: ['fix.patch'] },
        { kind: 'path', path: path.join(work, 'upstream'), targetDirectory: 'local', patches: [] },
      ],
      src,
      { recipeDir: recipe, cacheDir: path.join(work, 'src-cache') },
    );
    expect(await readFile(path.join(src, 'file.txt'), 'utf8')).toBe('version one\n');
    expect(existsSync(path.join(src, '.git'))).toBe(true);
    expect(await readFile(path.join(src, 'vendor', 'extra', 'src', 'greeting.txt'), 'utf8')).toBe('hello\npatched world\n');
    expect(await readFile(path.join(src, 'local', 'greeter-1.0', 'VERSION'), 'utf8')).toBe('1.0\n');
  });

  test('a patch that does not apply fails with the patch named', async () => {
    await writeFile(path.join(recipe, 'bad.patch'), ['--- a/VERSION', '+++ b/VERSION', '@@ -1 +1 @@', '-9.9', '+10.0', ''].join('\n'));
    await expect(
      fetchSources([{ kind: 'path', path: path.join(work, 'upstream', 'greeter-1.0'), patches: ['bad.patch'] }], path.join(work, 'src-badpatch'), {
        recipeDir: recipe,
        cacheDir: path.join(work, 'c'),
      }),
    ).rejects.toThrow(/the patch '.*bad\.patch' does not apply/);
  });

  test('a build from a patched tarball packages what the script installs from SRC_DIR', async () => {
    const output = renderedOutput({
      name: 'greeter',
      version: '1.0',
      recipeDir: recipe,
      noarch: 'generic',
      sources: [{ kind: 'url', url: [pathToFileURL(tarball).href], sha256: tarballSha, patches: ['fix.patch'] }],
      script: ['test "$PWD" = "$SRC_DIR"', 'install -D -m 644 src/greeting.txt "$PREFIX/share/greeter/greeting.txt"'],
      tests: [{ kind: 'package_contents', files: ['share/greeter/greeting.txt'], bin: [], lib: [], include: [], sitePackages: [] }],
    });
    const result = await buildOutput(output, {
      channels: [],
      outputDir: path.join(work, 'output'),
      cache: new PackageCache([path.join(work, 'pkgs')]),
      packageFormat: 'tar.bz2',
    });
    expect(path.basename(result!.packagePath)).toBe('greeter-1.0-h1234567_0.tar.bz2');
    const repodata = JSON.parse(await readFile(path.join(work, 'output', 'noarch', 'repodata.json'), 'utf8'));
    expect(Object.keys(repodata.packages)).toEqual(['greeter-1.0-h1234567_0.tar.bz2']);
    expect(result!.files).toEqual(['share/greeter/greeting.txt']);
  });
});
