/**
 * The environment-file lifecycle through the real CLI on the demo channel: env create,
 * export, re-create from the export, update --prune, list, remove; explicit files written
 * by `list --explicit` and installed back; spec lists with --file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { useTempChannel } from '../helpers/temp-channel.js';
import { runCli, runCliOk } from '../helpers/cli.js';

let work: string;
let channel: string;
let env: NodeJS.ProcessEnv;
useTempChannel('e2e-env', makeDemoChannel, { ready: (w) => ({ work, channel, env } = w) });

function ok(args: string[]): string {
  return runCliOk(args, env);
}

function installedNames(prefix: string): string[] {
  return JSON.parse(ok(['list', '-p', prefix, '--json'])).map((r: { name: string; version: string; build_string: string }) => `${r.name}=${r.version}=${r.build_string}`);
}

describe('env commands', () => {
  test('env create -f makes the named environment; export re-creates the same set elsewhere', async () => {
    const file = path.join(work, 'environment.yml');
    await writeFile(file, `name: greeter\nchannels:\n  - ${channel}\ndependencies:\n  - hello-taipan\nvariables:\n  GREETING_LANG: fr\n`);
    ok(['env', 'create', '-y', '-f', file]);
    const prefix = path.join(work, 'envs', 'greeter');
    expect(existsSync(path.join(prefix, 'bin', 'hello-taipan'))).toBe(true);

    const exported = parseYaml(ok(['env', 'export', '-n', 'greeter']));
    expect(exported.name).toBe('greeter');
    expect(exported.channels).toEqual([`file://${channel}`]);
    expect(exported.dependencies.sort()).toEqual(['hello-taipan=1.0.0=0', 'taipan-greetings=1.1.0=0']);
    expect(parseYaml(ok(['env', 'export', '-n', 'greeter', '--from-history'])).dependencies).toEqual(['hello-taipan']);

    const exportFile = path.join(work, 'exported.yml');
    ok(['env', 'export', '-n', 'greeter', '-f', exportFile]);
    const copy = path.join(work, 'elsewhere');
    ok(['env', 'create', '-y', '-f', exportFile, '-p', copy]);
    expect(installedNames(copy)).toEqual(installedNames(prefix));

    const listed = ok(['env', 'list']);
    expect(listed).toMatch(new RegExp(`greeter\\s+${prefix}`));
    expect(listed).toContain(copy);
    expect(JSON.parse(ok(['env', 'list', '--json'])).envs).toEqual(expect.arrayContaining([prefix, copy]));
  });

  test('env update --prune drops what the file no longer needs', async () => {
    const prefix = path.join(work, 'prune-me');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    const file = path.join(work, 'only-greetings.yml');
    await writeFile(file, `channels: [${JSON.stringify(channel)}]\ndependencies:\n  - taipan-greetings <2\n`);
    ok(['env', 'update', '-y', '-p', prefix, '-f', file]);
    expect(installedNames(prefix)).toEqual(['hello-taipan=1.0.0=0', 'taipan-greetings=1.1.0=0']);
    ok(['env', 'update', '-y', '-p', prefix, '-f', file, '--prune']);
    expect(installedNames(prefix)).toEqual(['taipan-greetings=1.1.0=0']);
  });

  test('env remove deletes the environment and forgets it', () => {
    const prefix = path.join(work, 'short-lived');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'taipan-greetings']);
    expect(ok(['env', 'list'])).toContain(prefix);
    ok(['env', 'remove', '-y', '-p', prefix]);
    expect(existsSync(prefix)).toBe(false);
    expect(ok(['env', 'list'])).not.toContain(prefix);
    const again = runCli(['env', 'remove', '-y', '-p', prefix], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('is not an environment');
  });

  test('list --explicit --md5 writes a file that installs exactly the same packages', async () => {
    const prefix = path.join(work, 'source-env');
    ok(['create', '-y', '-p', prefix, '-c', channel, 'hello-taipan']);
    const explicit = ok(['list', '-p', prefix, '--explicit', '--md5']);
    expect(explicit).toContain('@EXPLICIT');
    expect(explicit).toMatch(/hello-taipan-1\.0\.0-0\.conda#[0-9a-f]{32}/);
    const file = path.join(work, 'explicit.txt');
    await writeFile(file, explicit);
    const copy = path.join(work, 'from-explicit');
    ok(['create', '-y', '-p', copy, '--file', file]);
    expect(installedNames(copy)).toEqual(installedNames(prefix));
    const record = JSON.parse(await readFile(path.join(copy, 'conda-meta', 'hello-taipan-1.0.0-0.json'), 'utf8'));
    expect(record.depends).toEqual(['taipan-greetings >=1.0,<2']);

    // A wrong md5 in the file is caught before anything is installed.
    const tampered = path.join(work, 'tampered.txt');
    await writeFile(tampered, explicit.replace(/(hello-taipan-1\.0\.0-0\.conda#)[0-9a-f]{32}/, `$1${'0'.repeat(32)}`));
    const bad = runCli(['create', '-y', '-p', path.join(work, 'never'), '--file', tampered], { ...env, TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-2') });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/md5 of '.*hello-taipan-1\.0\.0-0\.conda' is [0-9a-f]{32}, but the channel says 0{32}/);
    expect(existsSync(path.join(work, 'never'))).toBe(false);
  });

  test('--file takes spec lists; a pip section with no python fails before anything is installed', async () => {
    const specs = path.join(work, 'specs.txt');
    await writeFile(specs, '# what the workshop needs\nhello-taipan\n\ntaipan-greetings <2  # the format hello-taipan reads\n');
    const prefix = path.join(work, 'from-specs');
    ok(['create', '-y', '-p', prefix, '-c', channel, '--file', specs]);
    expect(installedNames(prefix)).toEqual(['hello-taipan=1.0.0=0', 'taipan-greetings=1.1.0=0']);

    const withPip = path.join(work, 'pip.yml');
    await writeFile(withPip, `name: pip-env\nchannels: [${JSON.stringify(channel)}]\ndependencies:\n  - hello-taipan\n  - pip:\n    - requests\n`);
    const result = runCli(['env', 'create', '-y', '-f', withPip], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("has a 'pip:' section, but the environment will have no python");
    expect(existsSync(path.join(work, 'envs', 'pip-env'))).toBe(false);
  });
});
