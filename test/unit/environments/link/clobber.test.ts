import { ClobberRegistry, type ClobberRecordView } from '../../../../environments/link/clobber.js';

function rec(name: string, paths: (string | [string, string])[]): ClobberRecordView {
  return {
    name,
    paths_data: {
      paths: paths.map((p) => (typeof p === 'string' ? { _path: p, path_type: 'hardlink' } : { _path: p[0], path_type: 'hardlink', original_path: p[1] })),
    },
  };
}

describe('ClobberRegistry', () => {
  test('the first package keeps a path; later ones get __clobbers__ copies', () => {
    const registry = new ClobberRegistry();
    expect(registry.register('a', ['x.txt', 'a-only']).size).toBe(0);
    const b = registry.register('b', ['x.txt']);
    expect([...b.values()]).toEqual([{ path: 'x.txt', clobberPath: '__clobbers__/b/x.txt', owner: 'a' }]);
    const c = registry.register('c', ['x.txt']);
    expect(c.get('x.txt')?.clobberPath).toBe('__clobbers__/c/x.txt');
    expect(registry.ownerOf('x.txt')).toBe('a');
  });

  test('removing the owner promotes the first waiting copy, then the next', () => {
    const a = rec('a', ['x.txt']);
    const b = rec('b', [['__clobbers__/b/x.txt', 'x.txt']]);
    const c = rec('c', [['__clobbers__/c/x.txt', 'x.txt']]);
    const registry = new ClobberRegistry([a, b, c]);
    registry.unregister(a);
    expect(registry.promotions()).toEqual([{ path: 'x.txt', owner: 'b', from: '__clobbers__/b/x.txt' }]);
    expect(registry.promotions()).toEqual([]);
    registry.unregister(rec('b', ['x.txt']));
    expect(registry.promotions()).toEqual([{ path: 'x.txt', owner: 'c', from: '__clobbers__/c/x.txt' }]);
  });

  test('removing a loser promotes nothing and forgets its copy', () => {
    const a = rec('a', ['x.txt']);
    const b = rec('b', [['__clobbers__/b/x.txt', 'x.txt']]);
    const registry = new ClobberRegistry([a, b]);
    registry.unregister(b);
    expect(registry.promotions()).toEqual([]);
    registry.unregister(a);
    expect(registry.promotions()).toEqual([]);
    expect(registry.register('d', ['x.txt']).size).toBe(0);
  });

  test('a package that is removed and relinked in one transaction keeps its path', () => {
    const a = rec('a', ['x.txt']);
    const registry = new ClobberRegistry([a, rec('b', [['__clobbers__/b/x.txt', 'x.txt']])]);
    registry.unregister(a);
    // b is promoted before the new a registers: a now waits (first come, first served).
    expect(registry.promotions().map((p) => p.owner)).toEqual(['b']);
    expect(registry.register('a', ['x.txt']).get('x.txt')?.owner).toBe('b');
  });

  test('a file where another package has a folder, and the reverse, are clobbers', () => {
    const registry = new ClobberRegistry([rec('dir-pkg', ['clobber/inner.txt'])]);
    expect(registry.register('file-pkg', ['clobber']).get('clobber')?.owner).toBe('dir-pkg');
    const reverse = new ClobberRegistry([rec('file-pkg', ['clobber'])]);
    expect(reverse.register('dir-pkg', ['clobber/inner.txt']).get('clobber/inner.txt')?.clobberPath).toBe('__clobbers__/dir-pkg/clobber/inner.txt');
  });

  test('a folder is freed once its last file goes', () => {
    const registry = new ClobberRegistry([rec('d', ['f/1', 'f/2']), rec('file', [['__clobbers__/file/f', 'f']])]);
    registry.unregister(rec('d', ['f/1', 'f/2']));
    expect(registry.promotions()).toEqual([{ path: 'f', owner: 'file', from: '__clobbers__/file/f' }]);
  });

  test('a package never clobbers itself', () => {
    const registry = new ClobberRegistry([rec('a', ['x', 'd/y'])]);
    expect(registry.register('a', ['x', 'd/y', 'd']).size).toBe(0);
  });
});
