/**
 * `taipan create --dry-run --json` on 5,643 real records of the defaults channel, checked
 * by an independent checker against the channel's own repodata files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RepoDataRecord } from '../../channels/model/package-record.js';
import { detectVirtualPackages } from '../../environments/virtual-packages.js';
import { checkSolution } from '../helpers/check-solution.js';
import { describeShared, sharedPath } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';

interface LinkAction {
  name: string;
  version: string;
  build_string: string;
  channel: string;
  platform: string;
  dist_name: string;
}

/** The channel's records straight from its files, by `<subdir>/<stem>`; no taipan loader involved. */
function channelRecords(channelDir: string): Map<string, RepoDataRecord> {
  const out = new Map<string, RepoDataRecord>();
  for (const subdir of ['linux-64', 'noarch']) {
    const json = JSON.parse(readFileSync(path.join(channelDir, subdir, 'repodata.json'), 'utf8'));
    for (const key of ['packages', 'packages.conda']) {
      for (const [fn, raw] of Object.entries<Record<string, unknown>>(json[key] ?? {})) {
        const channel = `${pathToFileURL(channelDir).href}/${subdir}`;
        const stem = fn.replace(/\.(conda|tar\.bz2)$/, '');
        const base = raw as unknown as RepoDataRecord;
        // conda's add_pip_as_python_dependency (on by default): python depends on pip.
        const depends = base.name === 'python' && !base.depends.includes('pip') ? [...base.depends, 'pip'] : base.depends;
        out.set(`${subdir}/${stem}`, { ...base, depends, fn, url: `${channel}/${fn}`, channel });
      }
    }
  }
  return out;
}

describeShared('defaults-index4 dry run', () => {
  const channelDir = sharedPath('fixtures', 'channels', 'defaults-index4');
  const records = channelRecords(channelDir);
  const byName = new Map<string, RepoDataRecord[]>();
  for (const r of records.values()) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);

  test('python pulls pip (add_pip_as_python_dependency), unless it is turned off', () => {
    const args = ['create', '-p', '/tmp/taipan-never-created', '--dry-run', '--json', '--platform', 'linux-64', '-c', channelDir, 'python=3.6'];
    const names = (env: NodeJS.ProcessEnv = {}) => JSON.parse(runCli(args, env).stdout).actions.LINK.map((a: LinkAction) => a.name);
    expect(names()).toContain('pip');
    expect(names({ TAIPAN_ADD_PIP_AS_PYTHON_DEPENDENCY: 'false' })).not.toContain('pip');
  });

  test.each([[['numpy']], [['scipy', 'python 3.6.*']], [['pandas<0.23', 'python=3.5']]])('%j gives a valid plan', (specs) => {
    const result = runCli(['create', '-p', '/tmp/taipan-never-created', '--dry-run', '--json', '--platform', 'linux-64', '-c', channelDir, ...specs]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ success: true, dry_run: true, actions: { UNLINK: [] } });
    const link: LinkAction[] = plan.actions.LINK;
    expect(link.length).toBeGreaterThan(0);
    const chosen = link.map((action) => {
      expect(Object.keys(action)).toEqual(expect.arrayContaining(['name', 'version', 'build_string', 'build_number', 'channel', 'platform', 'dist_name']));
      const record = records.get(`${action.platform}/${action.dist_name}`);
      if (!record) throw new Error(`planned '${action.platform}/${action.dist_name}' is not a record of the channel`);
      expect([record.name, record.version, record.build]).toEqual([action.name, action.version, action.build_string]);
      return record;
    });
    const problems = checkSolution({
      records: chosen,
      specs,
      available: byName,
      virtualPackages: detectVirtualPackages('linux-64'),
      checkOrder: true,
    });
    expect(problems).toEqual([]);
  });
});
