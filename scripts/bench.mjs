#!/usr/bin/env node
// `npm run bench`: timing goals, measured here and never asserted in tests.
// Prints medians of several runs: `cdk synth` of the default environment, of all
// environments, of a floor app (one empty stack, same CLI and flags), the ratios,
// and `npm test` wall time. Later sections add handler bundle size and load time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(label, cmd, args, opts = {}) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
    if (r.status !== 0) {
      console.error(`${label} failed:\n${r.stdout}${r.stderr}`);
      process.exit(1);
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const m = median(samples);
  console.log(
    `${label.padEnd(44)} median ${m.toFixed(2)} s  (runs: ${samples.map((s) => s.toFixed(2)).join(', ')})`,
  );
  return m;
}

// Inside the project so the floor app resolves the same aws-cdk-lib.
mkdirSync('bench-results', { recursive: true });
const floorDir = mkdtempSync(join('bench-results', 'floor-'));
const floorApp = join(process.cwd(), floorDir, 'floor.ts');
writeFileSync(
  floorApp,
  `import { App, Stack } from 'aws-cdk-lib';\nconst app = new App();\nnew Stack(app, 'Floor', { env: { account: '111111111111', region: 'us-east-1' } });\napp.synth();\n`,
);
const envs = readdirSync('config')
  .filter((f) => ['dev.ts', 'staging.ts', 'prod.ts'].includes(f))
  .map((f) => f.slice(0, -3));

console.log(`dual-region-analytics bench (${RUNS} runs each, node ${process.version})`);
const floor = time('cdk synth: floor app (one empty stack)', 'npx', [
  'cdk',
  'synth',
  '-q',
  '--app',
  `npx tsx ${floorApp}`,
  '-o',
  join(floorDir, 'out'),
]);
const dflt = time('cdk synth: default environment (dev)', 'npx', [
  'cdk',
  'synth',
  '-q',
  '-o',
  join(floorDir, 'dev'),
]);
const all = time(`cdk synth: all environments (${envs.join(', ')})`, 'sh', [
  '-c',
  envs.map((e) => `npx cdk synth -q -c env=${e} -o ${join(floorDir, e)}`).join(' && '),
]);
console.log(
  `ratio default / floor: ${(dflt / floor).toFixed(2)}x (target: < 2.5x ${dflt / floor < 2.5 ? 'met' : 'MISSED'}); all / floor: ${(all / floor).toFixed(2)}x`,
);
// Lambda handlers: bundled as deployed (scripts/bundle-lambda.mjs: lambda/bundling.json, esbuild, minified, SDK tree-shaken in).
// Target for every handler: under 60 ms to load (the brief's budget); job submission also under 350 KB.
const { bundleHandler } = await import('./bundle-lambda.mjs');
const { statSync } = await import('node:fs');
const outDir = join(process.cwd(), 'bench-results');
const handlers = readdirSync('lambda', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
for (const name of handlers) {
  const entry = `lambda/${name}/handler.ts`;
  const target = { kb: name === 'job-submission' ? 350 : undefined, ms: 60 };
  const outfile = join(outDir, `${name}.js`);
  await bundleHandler(entry, outfile);
  const kb = statSync(outfile).size / 1024;
  const loads = [];
  for (let i = 0; i < 9; i++) {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'us-east-1' },
      },
    );
    if (r.status !== 0) {
      console.error(`loading ${name} failed:\n${r.stderr}`);
      process.exit(1);
    }
    loads.push(Number(r.stdout));
  }
  const targets = [
    ...(target.kb ? [`< ${target.kb} KB ${kb < target.kb ? 'met' : 'MISSED'}`] : []),
    `< ${target.ms} ms ${median(loads) < target.ms ? 'met' : 'MISSED'}`,
  ];
  const verdict = ` (target${targets.length > 1 ? 's' : ''}: ${targets.join(', ')})`;
  console.log(
    `${`handler ${name}`.padEnd(44)} ${kb.toFixed(1)} KB minified, module load median ${median(loads).toFixed(1)} ms${verdict}`,
  );
}

// Readiness: eight checks run concurrently should take about the slowest one, not their sum.
{
  const { build: bundle } = await import('esbuild');
  const outfile = join(outDir, 'readiness-report.js');
  await bundle({
    entryPoints: ['lambda/readiness/report.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  const { runChecks } = (await import('node:module')).createRequire(import.meta.url)(outfile);
  const delays = [40, 60, 80, 100, 120, 140, 160, 200];
  const checks = delays.map((ms, i) => ({
    name: `c${i}`,
    run: () => new Promise((r) => setTimeout(() => r({ name: `c${i}`, status: 'healthy', detail: '' }), ms)),
  }));
  const samples = [];
  for (let i = 0; i < 7; i++) {
    const t = process.hrtime.bigint();
    await runChecks(checks, 5000);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sum = delays.reduce((a, b) => a + b, 0);
  console.log(
    `${'readiness: 8 checks concurrently'.padEnd(44)} median ${median(samples).toFixed(0)} ms (slowest check ${Math.max(...delays)} ms, sequential sum ${sum} ms)`,
  );
}

const testRuns = Math.max(1, Number(process.env.BENCH_TEST_RUNS ?? 3));
const testSamples = [];
for (let i = 0; i < testRuns; i++) {
  const start = process.hrtime.bigint();
  const r = spawnSync('npm', ['test', '--silent'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`npm test failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  testSamples.push(Number(process.hrtime.bigint() - start) / 1e9);
}
console.log(
  `${'npm test wall time'.padEnd(44)} median ${median(testSamples).toFixed(2)} s  (runs: ${testSamples.map((s) => s.toFixed(2)).join(', ')}; target: < 90 s ${median(testSamples) < 90 ? 'met' : 'MISSED'})`,
);
