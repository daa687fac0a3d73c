import * as path from 'node:path';
import { importCycles, importGraph, importsAcross } from './support/import-graph';

// The layers of docs/architecture.md ("Layers"): each folder imports only from the ones below it.
const root = path.join(__dirname, '..');
const graph = importGraph(root, ['bin', 'config', 'lib', 'lambda']);

describe('import layers', () => {
  it('reads every source folder', () => {
    expect(graph.get('config/index.ts')).toContain('config/schema.ts');
    expect(graph.get('lib/stacks/storage-stack.ts')).toContain('lib/stacks/region-stack.ts');
    expect(graph.size).toBeGreaterThan(90);
  });

  it('has no import cycle in bin/, config/, lib/ or lambda/ (type-only imports included)', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('config/ imports nothing of the app: it is the ground floor', () => {
    expect(importsAcross(graph, ['config'], ['lib', 'lambda', 'bin'])).toEqual([]);
  });

  it('constructs and stacks never reach up into the composition root lib/app/', () => {
    expect(importsAcross(graph, ['lib/constructs', 'lib/stacks'], ['lib/app'])).toEqual([]);
  });

  it('handlers import neither the CDK app nor the entry points', () => {
    expect(importsAcross(graph, ['lambda'], ['lib', 'bin'])).toEqual([]);
  });

  it('lib/ never imports an entry point', () => {
    expect(importsAcross(graph, ['lib', 'config', 'lambda'], ['bin'])).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find a two-file cycle, a longer one and a self-import, and nothing in a tree', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts', 'c.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', ['c.ts']],
      ['f.ts', ['f.ts']],
      ['g.ts', ['a.ts']],
    ]);
    expect(importCycles(cyclic)).toEqual(
      expect.arrayContaining([['a.ts', 'b.ts'], ['c.ts', 'd.ts', 'e.ts'], ['f.ts']]),
    );
    expect(importCycles(cyclic)).toHaveLength(3);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts', 'c.ts']],
          ['b.ts', ['c.ts']],
        ]),
      ),
    ).toEqual([]);
  });

  it('name an import across layers, and not one inside a layer or from a similarly named folder', () => {
    const g = new Map([
      ['config/x.ts', ['lib/naming.ts', 'config/y.ts']],
      ['config-extra/z.ts', ['lib/a.ts']],
    ]);
    expect(importsAcross(g, ['config'], ['lib'])).toEqual(['config/x.ts -> lib/naming.ts']);
  });
});
