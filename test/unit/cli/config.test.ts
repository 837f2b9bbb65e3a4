import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, setting } from '../../../cli/config/load.js';
import { nodeVersionWarning } from '../../../cli/context.js';

describe('config files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'taipan-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('settings with choices refuse other values from files and variables; values come back typed', async () => {
    const file = path.join(dir, 'choices.yml');
    await writeFile(file, 'channel_priority: strct\n');
    expect(() => loadConfig({}, [file])).toThrow(/'strct' is not a value of 'channel_priority' \(from .*choices\.yml\)/);
    expect(() => loadConfig({ TAIPAN_SOLVER: 'sat' }, [])).toThrow(/'sat' is not a value of 'solver' \(from TAIPAN_SOLVER\)/);
    const config = loadConfig({ TAIPAN_SOLVER: 'logic-solver', TAIPAN_FETCH_THREADS: '8', TAIPAN_OFFLINE: 'yes' }, []);
    expect(setting(config, 'solver')).toBe('logic-solver');
    expect(setting(config, 'fetch_threads')).toBe(8);
    expect(setting(config, 'offline')).toBe(true);
    expect(setting(config, 'mirrors')).toBeUndefined();
  });

  test('~/.condarc is read and ~/.taipanrc wins over it', async () => {
    const condarc = path.join(dir, '.condarc');
    const taipanrc = path.join(dir, '.taipanrc');
    await writeFile(condarc, 'channels:\n  - conda-forge\n  - bioconda\npkgs_dirs:\n  - /cache/a\nchannel_alias: https://mirror.example\n');
    await writeFile(taipanrc, 'channels: [./local]\n');
    const config = loadConfig({}, [condarc, taipanrc]);
    expect(config.channels).toEqual(['./local']);
    expect(config.pkgs_dirs).toEqual(['/cache/a']);
    expect(config.channel_alias).toBe('https://mirror.example');
    expect(config.sources).toEqual([condarc, taipanrc]);
  });

  test('missing files are fine; broken ones are named', async () => {
    expect(loadConfig({}, [path.join(dir, 'nope')]).channels).toEqual([]);
    const bad = path.join(dir, 'bad.yml');
    await writeFile(bad, 'channels: [unclosed\n');
    expect(() => loadConfig({}, [bad])).toThrow(new RegExp(`cannot parse the config file '${bad}'`));
    await writeFile(bad, 'channels: conda-forge\n');
    expect(() => loadConfig({}, [bad])).toThrow(/'channels' in '.*bad.yml' must be a list of strings/);
  });

  test('the Node.js version check follows package.json engines', () => {
    expect(nodeVersionWarning('v20.11.0')).toBeUndefined();
    expect(nodeVersionWarning('v16.20.0')).toMatch(/needs Node.js >=20/);
  });
});
