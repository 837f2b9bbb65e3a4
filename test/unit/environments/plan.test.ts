import type { RepoDataRecord } from '../../../channels/model/package-record.js';
import { dependencyOrder, planTransaction } from '../../../environments/transaction/plan.js';

function rec(name: string, version: string, depends: string[] = [], build = '0'): RepoDataRecord {
  return { name, version, build, build_number: 0, depends, fn: `${name}-${version}-${build}.conda`, url: `file:///c/noarch/${name}-${version}-${build}.conda`, channel: 'file:///c/noarch' };
}

describe('planTransaction', () => {
  test('an empty prefix links everything in the given order', () => {
    const desired = [rec('a', '1'), rec('b', '1', ['a'])];
    const plan = planTransaction([], desired);
    expect(plan.link.map((r) => r.name)).toEqual(['a', 'b']);
    expect(plan.unlink).toEqual([]);
  });

  test('identical records stay; changed ones are unlinked and linked', () => {
    const installed = [rec('a', '1'), rec('b', '1', ['a'])];
    const plan = planTransaction(installed, [rec('a', '1'), rec('b', '2', ['a'])]);
    expect(plan.link.map((r) => `${r.name}-${r.version}`)).toEqual(['b-2']);
    expect(plan.unlink.map((r) => `${r.name}-${r.version}`)).toEqual(['b-1']);
  });

  test('a different build of the same version is a change', () => {
    const plan = planTransaction([rec('a', '1', [], 'x')], [rec('a', '1', [], 'y')]);
    expect(plan.unlink).toHaveLength(1);
    expect(plan.link).toHaveLength(1);
  });

  test('removed records are unlinked dependents first', () => {
    const installed = [rec('lib', '1'), rec('app', '1', ['mid']), rec('mid', '1', ['lib >=1'])];
    const plan = planTransaction(installed, []);
    expect(plan.unlink.map((r) => r.name)).toEqual(['app', 'mid', 'lib']);
  });

  test('force-reinstall relinks an identical record', () => {
    const plan = planTransaction([rec('a', '1')], [rec('a', '1')], { forceReinstall: new Set(['a']) });
    expect(plan.unlink).toHaveLength(1);
    expect(plan.link).toHaveLength(1);
  });

  test('dependency order survives cycles', () => {
    const order = dependencyOrder([rec('x', '1', ['y']), rec('y', '1', ['x']), rec('z', '1', ['x'])]);
    expect(order.map((r) => r.name).sort()).toEqual(['x', 'y', 'z']);
    expect(order.indexOf(order.find((r) => r.name === 'z')!)).toBe(2);
  });
});
