// Jest runs the longest test files first so neither worker idles at the end. It knows
// durations from its cache after one run; in a fresh clone (CI) it falls back to file size,
// which would put platform.test.ts and failover.test.ts (a few import lines each, but the
// largest suites) last. This sequencer counts the .spec files a test file imports in its
// size, and otherwise keeps Jest's order.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

function weight(file) {
  const source = fs.readFileSync(file, 'utf8');
  let size = source.length;
  for (const [, spec] of source.matchAll(/^import '(\.{1,2}\/[^']+\.spec)';$/gm)) {
    size += fs.statSync(path.resolve(path.dirname(file), `${spec}.ts`)).size;
  }
  return size;
}

class SpecAwareSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((t) => t.duration != null)) return sorted;
    const weights = new Map(tests.map((t) => [t.path, weight(t.path)]));
    return [...tests].sort((a, b) => weights.get(b.path) - weights.get(a.path));
  }
}

module.exports = SpecAwareSequencer;
