import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostPrefixPath, HOST_PREFIX_LENGTH, orderOutputs, stagePackage, PREFIX_PLACEHOLDER } from '../../../build/index.js';
import { packagePath } from '../../../build/package/payload.js';
import { detectPrefix } from '../../../build/package/prefix-detect.js';
import { renderedOutput } from './rendered.js';

const python = { majorMinor: '3.12', sitePackages: 'lib/python3.12/site-packages', scriptsDir: 'bin', executable: 'bin/python3.12', cacheTag: 'cpython-312', windows: false };

describe('packaging', () => {
  test('the host prefix is padded to 255 characters', () => {
    const prefix = hostPrefixPath('/tmp/taipan-build-x');
    expect(prefix).toHaveLength(HOST_PREFIX_LENGTH);
    expect(prefix).toMatch(/^\/tmp\/taipan-build-x\/host_env_placehold_placehold/);
  });

  test('prefix detection: text, binary, the classic placeholder, none', () => {
    expect(detectPrefix(Buffer.from('PREFIX=/h/env\n'), ['/h/env'])).toEqual({ placeholder: '/h/env', fileMode: 'text' });
    expect(detectPrefix(Buffer.from('\x7fELF\0/h/env/lib\0'), ['/h/env'])).toEqual({ placeholder: '/h/env', fileMode: 'binary' });
    expect(detectPrefix(Buffer.from(`x=${PREFIX_PLACEHOLDER}`), ['/h/env', PREFIX_PLACEHOLDER])).toEqual({ placeholder: PREFIX_PLACEHOLDER, fileMode: 'text' });
    expect(detectPrefix(Buffer.from('nothing'), ['/h/env'])).toBeUndefined();
  });

  test('noarch python layout: site-packages and python-scripts, no bytecode, no generated entry points', () => {
    const options = { noarchPython: python, entryPointNames: ['rich-cli'] };
    expect(packagePath('lib/python3.12/site-packages/rich/__init__.py', options)).toBe('site-packages/rich/__init__.py');
    expect(packagePath('lib/python3.12/site-packages/rich/__pycache__/x.cpython-312.pyc', options)).toBeUndefined();
    expect(packagePath('bin/rich-cli', options)).toBeUndefined();
    expect(packagePath('bin/helper.sh', options)).toBe('python-scripts/helper.sh');
    expect(packagePath('share/doc/rich.txt', options)).toBe('share/doc/rich.txt');
    expect(packagePath('bin/rich-cli', {})).toBe('bin/rich-cli');
  });

  test('outputs are ordered so that what another needs comes first', () => {
    const app = renderedOutput({ name: 'app', recipeDir: '/r', host: ['libb >=1'] });
    const libb = renderedOutput({ name: 'libb', recipeDir: '/r', run: ['liba'] });
    const liba = renderedOutput({ name: 'liba', recipeDir: '/r' });
    expect(orderOutputs([app, libb, liba]).map((o) => o.name)).toEqual(['liba', 'libb', 'app']);
  });

  test('stagePackage writes run_exports.json, link.json, hash_input.json, recipe/ and tests/', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'taipan-stage-'));
    try {
      const files = path.join(work, 'files');
      const recipe = path.join(work, 'recipe');
      await mkdir(path.join(files, 'site-packages', 'pkg'), { recursive: true });
      await mkdir(recipe, { recursive: true });
      await writeFile(path.join(files, 'site-packages', 'pkg', '__init__.py'), 'HOME = "/h/env"\n');
      await writeFile(path.join(recipe, 'recipe.yaml'), 'package: {name: pkg}\n');
      const stage = path.join(work, 'stage');
      await stagePackage(
        files,
        stage,
        { name: 'pkg', version: '1', build: 'pyh0_0', build_number: 0, depends: ['python'], noarch: 'python', subdir: 'noarch' },
        {
          prefixes: ['/h/env'],
          runExports: { weak: ['pkg >=1'], strong: [] },
          entryPoints: ['pkg = pkg:main'],
          about: { homepage: 'https://example.org', repository: 'https://example.org/git' },
          hashInput: { python: '3.12' },
          recipe: { dir: recipe, rendered: { name: 'pkg' } },
          tests: [{ kind: 'python', imports: ['pkg'] }],
        },
      );
      const info = path.join(stage, 'info');
      const json = async (f: string): Promise<unknown> => JSON.parse(await readFile(path.join(info, f), 'utf8'));
      expect(await json('run_exports.json')).toEqual({ weak: ['pkg >=1'] });
      expect(await json('link.json')).toEqual({ noarch: { type: 'python', entry_points: ['pkg = pkg:main'] }, package_metadata_version: 1 });
      expect(await json('hash_input.json')).toEqual({ python: '3.12' });
      expect(await json('about.json')).toMatchObject({ home: 'https://example.org', dev_url: 'https://example.org/git' });
      expect(await json('paths.json')).toMatchObject({ paths: [{ _path: 'site-packages/pkg/__init__.py', prefix_placeholder: '/h/env', file_mode: 'text' }] });
      expect(await readFile(path.join(info, 'recipe', 'recipe.yaml'), 'utf8')).toContain('package');
      expect(await readFile(path.join(info, 'recipe', 'rendered_recipe.yaml'), 'utf8')).toBe('name: pkg\n');
      expect(await readFile(path.join(info, 'tests', 'tests.yaml'), 'utf8')).toContain('imports');
      expect(await readFile(path.join(info, 'has_prefix'), 'utf8')).toBe('/h/env text site-packages/pkg/__init__.py\n');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
