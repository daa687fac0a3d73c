// Jest runs the longest test files first so neither worker idles at the end. It knows
// durations from its cache after one run; in a fresh clone (CI) it falls back to file
// size, which says little here: compliance.test.ts is short but synthesizes under every
// check, and platform.test.ts and failover.test.ts are a few import lines. So in a fresh
// clone these three go first, longest first (seconds measured on the 2-core CI machine
// with `npx jest --ci --json`); every other file follows in Jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const MEASURED_SECONDS = {
  'test/lib/compliance.test.ts': 30,
  'test/lib/platform.test.ts': 25,
  'test/lib/failover.test.ts': 20,
};

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((t) => t.duration != null)) return sorted;
    const seconds = (t) => MEASURED_SECONDS[t.path.slice(t.context.config.rootDir.length + 1)] ?? 0;
    // Array.prototype.sort is stable: files without a measurement keep Jest's order.
    return [...sorted].sort((a, b) => seconds(b) - seconds(a));
  }
}

module.exports = LongestFirstSequencer;
