/**
 * environment.yml, spec lists and @EXPLICIT files: every real one in ../shared parses and
 * validates; bad ones are reported with file, line and the problem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvironmentYaml } from '../../../environments/env-file/environment-yaml.js';
import { parseSpecFile } from '../../../environments/env-file/spec-file.js';
import { describeShared, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const ENV_DIR = sharedPath('fixtures', 'environments');
const files = (dir: string): string[] => (sharedAvailable() ? readdirSync(path.join(ENV_DIR, dir)).sort() : []);
/** Every ${VAR} used in the fixtures, set so that channel expansion can run. */
const FIXTURE_ENV = { CONDA_TOKEN: 'tk-secret', OTHER_KEY: 'other' };

describeShared('real environment files', () => {
  test.each(files('env-yaml'))('env-yaml/%s parses and validates', (name) => {
    const file = path.join(ENV_DIR, 'env-yaml', name);
    const parsed = parseEnvironmentYaml(readFileSync(file, 'utf8'), file, { env: FIXTURE_ENV });
    // Each dependency line of the file is accounted for, either as a conda spec or a pip line.
    const text = readFileSync(file, 'utf8');
    expect(parsed.dependencies.length + parsed.pip.length).toBeGreaterThanOrEqual(text.includes('dependencies:') && !/dependencies:\s*(\[\])?\s*$/.test(text) ? 1 : 0);
    for (const warning of parsed.warnings) expect(warning).toMatch(/unknown key '(subdirs)' is ignored/);
  });

  test.each(files('spec-files'))('spec-files/%s parses', (name) => {
    const file = path.join(ENV_DIR, 'spec-files', name);
    const parsed = parseSpecFile(readFileSync(file, 'utf8'), file);
    expect(parsed.kind).toBe('specs');
    if (parsed.kind === 'specs') expect(parsed.specs.length).toBeGreaterThan(0);
  });

  test.each(files('explicit'))('explicit/%s parses', (name) => {
    const file = path.join(ENV_DIR, 'explicit', name);
    const parsed = parseSpecFile(readFileSync(file, 'utf8'), file);
    expect(parsed.kind).toBe('explicit');
    if (parsed.kind === 'explicit') {
      expect(parsed.packages.length).toBeGreaterThan(0);
      for (const p of parsed.packages) expect(p.url.endsWith(p.fn)).toBe(true);
    }
  });

  test('channels expand environment variables; pip sections and variables are kept', () => {
    const file = path.join(ENV_DIR, 'env-yaml', 'conda-tests.channels_with_envvars.yml');
    const parsed = parseEnvironmentYaml(readFileSync(file, 'utf8'), file, { env: FIXTURE_ENV });
    expect(parsed.channels).toEqual(['https://localhost/t/tk-secret/stable', 'https://localhost/t/other/stable', 'conda-forge', 'defaults']);
    const pipFile = path.join(ENV_DIR, 'env-yaml', 'conda-tests.advanced-pip-env_template.yml');
    const pip = parseEnvironmentYaml(readFileSync(pipFile, 'utf8'), pipFile);
    expect(pip.dependencies).toEqual(['pip']);
    expect(pip.pip).toContain('xmltodict==0.10.2');
    const vars = path.join(ENV_DIR, 'env-yaml', 'conda-tests.valid_keys.yml');
    expect(parseEnvironmentYaml(readFileSync(vars, 'utf8'), vars)).toMatchObject({ name: 'nlp', prefix: '/something/miniconda/envs/test', variables: { VARIABLE: 'value' } });
  });
});

describeShared('micromamba selectors', () => {
  test('sel(...) lines are kept for the platform they name', () => {
    const file = path.join(ENV_DIR, 'env-yaml', 'mamba-tests.env_2.yaml');
    const text = readFileSync(file, 'utf8');
    expect(parseEnvironmentYaml(text, file, { platform: 'linux-64' }).dependencies).toEqual(['test1-unix', 'test1-linux', 'test2-linux', 'test4']);
    expect(parseEnvironmentYaml(text, file, { platform: 'win-64' }).dependencies).toEqual(['test1-win', 'test4']);
    expect(parseEnvironmentYaml(text, file, { platform: 'osx-arm64' }).dependencies).toEqual(['test1-unix', 'test1-osx', 'test4']);
  });
});

describe('bad environment files', () => {
  test('a bad spec names the file and line', () => {
    expect(() => parseEnvironmentYaml('name: x\ndependencies:\n  - numpy\n  - "scipy >=[1"\n', 'env.yml')).toThrow(/^env\.yml:4:5: .*'scipy >=\[1'/);
  });
  test('broken YAML names the position', () => {
    expect(() => parseEnvironmentYaml('name: x\ndependencies: [numpy\n', 'env.yml')).toThrow(/^env\.yml:\d+:\d+: not valid YAML/);
  });
  test('wrong shapes are refused', () => {
    expect(() => parseEnvironmentYaml('dependencies: numpy\n', 'e.yml')).toThrow(/'dependencies' must be a list/);
    expect(() => parseEnvironmentYaml('- numpy\n', 'e.yml')).toThrow(/an environment file is a mapping/);
    expect(() => parseEnvironmentYaml('dependencies:\n  - conda: [x]\n', 'e.yml')).toThrow(/unknown dependency section 'conda'/);
  });
  test('an unset variable in a channel is an error', () => {
    expect(() => parseEnvironmentYaml('channels:\n  - https://h/t/${NOPE}/c\n', 'e.yml', { env: {} })).toThrow(/'NOPE' .* is not set/);
  });
  test('explicit files refuse lines that are not package URLs', () => {
    expect(() => parseSpecFile('@EXPLICIT\nnumpy\n', 'x.txt')).toThrow(/x\.txt:2: 'numpy' is not a package URL/);
    expect(parseSpecFile('@EXPLICIT\nhttps://h/c/linux-64/a-1-0.conda#sha256:' + 'a'.repeat(64) + '\n', 'x').kind).toBe('explicit');
  });
});
