import type { RepoDataRecord } from '../../../../channels/model/package-record.js';
import { pythonInfo } from '../../../../environments/link/noarch-python.js';
import { planLayout } from '../../../../environments/transaction/layout.js';
import { planTransaction } from '../../../../environments/transaction/plan.js';

function rec(name: string, extra: Partial<RepoDataRecord> = {}): RepoDataRecord {
  return { name, version: '1', build: '0', build_number: 0, depends: [], fn: `${name}-1-0.conda`, url: `file:///c/${name}-1-0.conda`, channel: 'file:///c', ...extra };
}
const python = pythonInfo([rec('python', { version: '3.12.1' })], false);

describe('planLayout', () => {
  test('noarch: python files, entry points and the .py files to compile', () => {
    const layout = planLayout({
      installed: [],
      unlink: [],
      python,
      link: [
        {
          record: rec('tool', { noarch: 'python' }),
          paths: [
            { _path: 'site-packages/tool/__init__.py', path_type: 'hardlink' },
            { _path: 'site-packages/tool/data.json', path_type: 'hardlink' },
            { _path: 'python-scripts/helper', path_type: 'hardlink' },
          ],
          linkJson: { noarch: { type: 'python', entry_points: ['tool = tool:main'] } },
        },
      ],
    });
    const pkg = layout.packages[0]!;
    expect(pkg.targets.map((t) => t.target)).toEqual(['lib/python3.12/site-packages/tool/__init__.py', 'lib/python3.12/site-packages/tool/data.json', 'bin/helper']);
    expect(pkg.entryPoints.map((e) => e.target)).toEqual(['bin/tool']);
    expect(pkg.compile).toEqual(['lib/python3.12/site-packages/tool/__init__.py']);
    expect(pkg.clobbered).toEqual([]);
  });

  test('Windows: each entry point gets its -script.py and a .bat launcher, both owned by the package', () => {
    const layout = planLayout({
      installed: [],
      unlink: [],
      python: pythonInfo([rec('python', { version: '3.12.1' })], true),
      link: [{ record: rec('tool', { noarch: 'python' }), paths: [{ _path: 'site-packages/tool/__init__.py', path_type: 'hardlink' }], linkJson: { noarch: { type: 'python', entry_points: ['tool = tool:main', 'tool-admin = tool.admin:run'] } } }],
    });
    expect(layout.packages[0]!.entryPoints.map((e) => [e.target, e.launcher])).toEqual([
      ['Scripts/tool-script.py', false],
      ['Scripts/tool.bat', true],
      ['Scripts/tool-admin-script.py', false],
      ['Scripts/tool-admin.bat', true],
    ]);
    expect(layout.packages[0]!.targets.map((t) => t.target)).toEqual(['Lib/site-packages/tool/__init__.py']);
  });

  test('clobbered paths: the newcomer goes to __clobbers__ and does not compile its copy', () => {
    const installed = [{ name: 'first', paths_data: { paths: [{ _path: 'lib/python3.12/site-packages/clobber/clobber.py', path_type: 'hardlink' }] } }];
    const layout = planLayout({
      installed,
      unlink: [],
      python,
      link: [{ record: rec('second', { noarch: 'python' }), paths: [{ _path: 'site-packages/clobber/clobber.py', path_type: 'hardlink' }] }],
    });
    const pkg = layout.packages[0]!;
    expect(pkg.targets[0]).toMatchObject({ target: '__clobbers__/second/lib/python3.12/site-packages/clobber/clobber.py', originalPath: 'lib/python3.12/site-packages/clobber/clobber.py' });
    expect(pkg.compile).toEqual([]);
    expect(pkg.clobbered).toEqual([{ path: 'lib/python3.12/site-packages/clobber/clobber.py', owner: 'first' }]);
  });

  test('a noarch: python package without python is refused', () => {
    expect(() => planLayout({ installed: [], unlink: [], python: undefined, link: [{ record: rec('tool', { noarch: 'python' }), paths: [] }] })).toThrow(
      /'tool' is a noarch: python package, but the environment has no python/,
    );
  });
});

describe('planTransaction and python', () => {
  test('a new python minor version relinks every noarch: python package', () => {
    const installed = [rec('python', { version: '3.11.1' }), rec('tool', { noarch: 'python' }), rec('lib')];
    const plan = planTransaction(installed, [rec('python', { version: '3.12.0' }), rec('tool', { noarch: 'python' }), rec('lib')]);
    expect(plan.link.map((r) => r.name).sort()).toEqual(['python', 'tool']);
    expect(plan.unlink.map((r) => r.name).sort()).toEqual(['python', 'tool']);
  });

  test('a python patch release does not', () => {
    const installed = [rec('python', { version: '3.11.1' }), rec('tool', { noarch: 'python' })];
    const plan = planTransaction(installed, [rec('python', { version: '3.11.2' }), rec('tool', { noarch: 'python' })]);
    expect(plan.link.map((r) => r.name)).toEqual(['python']);
  });
});
