/**
 * The network flags through the real CLI against a channel served on 127.0.0.1:
 * `--offline` works from the caches and says clearly what is missing; `--solver` picks
 * the backend and both give the same plan; config `mirrors` sends requests elsewhere.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeDemoChannel } from '../../build/demo/make-demo-channel.js';
import { ChannelServer } from '../helpers/channel-server.js';
import { runCliAsync } from '../helpers/cli.js';

let work: string;
let server: ChannelServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'taipan-e2e-offline-'));
  await makeDemoChannel(path.join(work, 'channel'));
  server = await ChannelServer.start(path.join(work, 'channel'));
  await mkdir(path.join(work, 'home'));
  env = { HOME: path.join(work, 'home'), TAIPAN_PKGS_DIRS: path.join(work, 'pkgs') };
});

afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('network flags', () => {
  test('--solver logic-solver and cdcl give the same plan; an unknown solver is refused', async () => {
    const plans = [];
    for (const solver of ['cdcl', 'logic-solver']) {
      const result = await runCliAsync(['create', '--dry-run', '--json', '-p', path.join(work, 'x'), '-c', server.url, '--solver', solver, 'hello-taipan'], env);
      expect(result.stderr).toBe('');
      plans.push(JSON.parse(result.stdout).actions.LINK);
    }
    expect(plans[1]).toEqual(plans[0]);
    const bad = await runCliAsync(['create', '--dry-run', '-p', path.join(work, 'x'), '-c', server.url, '--solver', 'pycosat', 'hello-taipan'], env);
    expect(bad.stderr).toContain("unknown solver 'pycosat'");
  });

  test('--offline installs from the caches and names what is missing', async () => {
    const online = await runCliAsync(['create', '-y', '-p', path.join(work, 'online'), '-c', server.url, 'hello-taipan'], env);
    expect(online.status).toBe(0);
    const before = server.requests.length;
    const offline = await runCliAsync(['create', '-y', '--offline', '-p', path.join(work, 'offline'), '-c', server.url, 'hello-taipan'], env);
    expect(offline.stderr).toBe('');
    expect(offline.status).toBe(0);
    expect(server.requests.length).toBe(before);
    const missing = await runCliAsync(['create', '-y', '--offline', '-p', path.join(work, 'offline-2'), '-c', server.url, 'taipan-greetings>=2'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/offline/i);
    expect(missing.stderr).toContain('taipan-greetings-2.0.0-0');
    expect(server.requests.length).toBe(before);
  });

  test('config mirrors send every request to the mirror', async () => {
    const mirror = await ChannelServer.start(path.join(work, 'channel'));
    try {
      const home = path.join(work, 'home-mirror');
      await mkdir(home);
      await writeFile(path.join(home, '.taipanrc'), `mirrors:\n  https://channels.invalid/demo:\n    - ${mirror.url}\n`);
      const result = await runCliAsync(['create', '-y', '-p', path.join(work, 'mirrored'), '-c', 'https://channels.invalid/demo', 'hello-taipan'], {
        ...env,
        HOME: home,
        TAIPAN_PKGS_DIRS: path.join(work, 'pkgs-mirror'),
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(mirror.requests.some((r) => r.path.endsWith('hello-taipan-1.0.0-0.conda'))).toBe(true);
    } finally {
      await mirror.close();
    }
  });
});
