/**
 * The structure checks itself: every import of the source tree points down the layers
 * (model -> channels -> solver -> environments -> recipes -> build -> cli), and no file
 * imports itself back through others. Read from the TypeScript sources' own import
 * statements, static and dynamic, type-only included (a type cycle still ties files).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
const LAYERS = ['channels/model', 'channels', 'solver', 'environments', 'recipes', 'build', 'cli', 'index.ts'] as const;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') out.push(...sourceFiles(rel));
    } else if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.d.ts')) {
      out.push(rel);
    }
  }
  return out;
}

/** The layer a file belongs to: the most specific entry of LAYERS it is under. */
function layerOf(file: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((layer, index) => {
    if ((file === layer || file.startsWith(`${layer}/`)) && layer.length > bestLength) {
      best = index;
      bestLength = layer.length;
    }
  });
  return best;
}

/** The project files a file imports (relative specifiers only), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1] as string)).replace(/\.js$/, '.ts');
    found.add(target);
  }
  return [...found];
}

const FILES = [...LAYERS.filter((l) => l !== 'channels/model' && l !== 'index.ts').flatMap((dir) => sourceFiles(dir)), 'index.ts'];
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f).filter((t) => FILES.includes(t))]));

describe('the source tree layering', () => {
  it('finds the files and their imports', () => {
    expect(FILES.length).toBeGreaterThan(200);
    expect([...GRAPH.values()].flat().length).toBeGreaterThan(1000);
  });

  it('every relative import of the sources and the tests names a file (tsc does not check the tests)', () => {
    const all = [...FILES, ...sourceFiles('test'), ...readdirSync(path.join(ROOT, 'test'), { recursive: true }).map(String).filter((f) => f.endsWith('.test.ts')).map((f) => path.posix.join('test', f.split(path.sep).join('/')))];
    const missing = all.flatMap((file) => importsOf(file).filter((target) => !existsSync(path.join(ROOT, target))).map((target) => `${file} imports ${target}`));
    expect(missing).toEqual([]);
  });

  it('has no import pointing up a layer', () => {
    const upward: string[] = [];
    for (const [file, targets] of GRAPH) {
      for (const target of targets) {
        if (layerOf(target) > layerOf(file)) upward.push(`${file} (${LAYERS[layerOf(file)]}) imports ${target} (${LAYERS[layerOf(target)]})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no cycle between files', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (file: string): void => {
      index.set(file, counter);
      low.set(file, counter++);
      stack.push(file);
      onStack.add(file);
      for (const target of GRAPH.get(file) ?? []) {
        if (!index.has(target)) {
          visit(target);
          low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
        } else if (onStack.has(target)) {
          low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
        }
      }
      if (low.get(file) === index.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== file);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of FILES) if (!index.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
