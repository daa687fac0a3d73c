#!/usr/bin/env node
// `npm run bench [-- SECTION ...]`: timing goals, measured here and never asserted in tests.
// Sections (all by default): synth, handlers, readiness, test.
//   synth      `cdk synth` of the default environment against a floor app (scripts/floor-app.ts: one
//              resource, same CLI, cdk.json and tsx runner), in alternating pairs after a warm-up pair,
//              with the load average beside every run; the ratio of the medians is the budget's figure.
//              BENCH_PAIRS (5), BENCH_ALL_ENVS=1 adds all environments to each pair, BENCH_STRICT=1
//              refuses to start on a busy machine (load average over half the cores).
//   handlers   bundle size and module load time of every Lambda handler.
//   readiness  eight readiness checks run concurrently against the slowest.
//   test       `npm test` wall time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

const SECTIONS = ['synth', 'handlers', 'readiness', 'test'];
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !SECTIONS.includes(a));
if (unknown.length > 0) {
  console.error(`unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const run = (section) => asked.length === 0 || asked.includes(section);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cores = availableParallelism();
const load1 = () => loadavg()[0];
const BUSY = cores / 2;

mkdirSync('bench-results', { recursive: true });
const outDir = join(process.cwd(), 'bench-results');
console.log(`dual-region-analytics bench (node ${process.version}, ${cores} cores)`);

/** One command's wall time in seconds; exits the bench with the command's output if it fails. */
function timeOnce(label, cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    console.error(`${label} failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  return seconds;
}

if (run('synth')) {
  const pairs = Math.max(1, Number(process.env.BENCH_PAIRS ?? 5));
  const synth = (...args) => ['cdk', 'synth', '-q', ...args];
  const targets = [
    {
      name: 'floor',
      label: 'floor app (scripts/floor-app.ts)',
      args: synth('--app', 'npx tsx scripts/floor-app.ts', '-o', 'bench-results/cdk.out.floor'),
    },
    { name: 'dev', label: 'default environment (dev)', args: synth('-o', 'bench-results/cdk.out.dev') },
  ];
  if (process.env.BENCH_ALL_ENVS === '1') {
    const envs = ['dev', 'staging', 'prod'];
    targets.push({
      name: 'all',
      label: `all environments (${envs.join(', ')})`,
      cmd: 'sh',
      args: [
        '-c',
        envs.map((e) => `npx cdk synth -q -c env=${e} -o bench-results/cdk.out.${e}`).join(' && '),
      ],
    });
  }
  if (load1() > BUSY) {
    const message = `load average ${load1().toFixed(2)} on ${cores} cores (busy above ${BUSY}): other work shares the CPU, so these figures are not an idle measurement`;
    if (process.env.BENCH_STRICT === '1') {
      console.error(`refusing to measure: ${message}`);
      process.exit(2);
    }
    console.log(`WARNING: ${message}`);
  }
  // Warm-up (not counted): tsx's transform cache, the OS file cache, the assets already in each cdk.out.
  for (const t of targets) timeOnce(`${t.label} (warm-up)`, t.cmd ?? 'npx', t.args);
  const samples = new Map(targets.map((t) => [t.name, []]));
  const loads = [];
  console.log(
    `cdk synth, ${pairs} alternating rounds (${targets.map((t) => t.name).join(', ')}; order reversed every other round)`,
  );
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    const times = {};
    const roundLoads = [];
    for (const t of order) {
      roundLoads.push(load1());
      times[t.name] = timeOnce(t.label, t.cmd ?? 'npx', t.args);
      samples.get(t.name).push(times[t.name]);
    }
    loads.push(...roundLoads);
    console.log(
      `  round ${i + 1}: ${targets.map((t) => `${t.name} ${times[t.name].toFixed(2)} s`).join(', ')}; dev / floor ${(times.dev / times.floor).toFixed(2)}x; load average ${roundLoads.map((l) => l.toFixed(2)).join(' / ')}`,
    );
  }
  const m = Object.fromEntries([...samples].map(([name, xs]) => [name, median(xs)]));
  for (const t of targets) {
    console.log(
      `${`cdk synth: ${t.label}`.padEnd(52)} median ${m[t.name].toFixed(2)} s  (runs: ${samples
        .get(t.name)
        .map((x) => x.toFixed(2))
        .join(', ')})`,
    );
  }
  const ratios = samples.get('dev').map((d, i) => d / samples.get('floor')[i]);
  const ratio = m.dev / m.floor;
  console.log(
    `ratio default / floor: ${ratio.toFixed(2)}x (median of the rounds' ratios ${median(ratios).toFixed(2)}x, range ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}); target: at most 2.5x ${ratio <= 2.5 ? 'met' : 'MISSED'}` +
      (m.all ? `; all / floor: ${(m.all / m.floor).toFixed(2)}x` : ''),
  );
  const maxLoad = Math.max(...loads);
  console.log(
    `load average during the rounds: ${Math.min(...loads).toFixed(2)} to ${maxLoad.toFixed(2)} on ${cores} cores` +
      (maxLoad > BUSY
        ? ' (BUSY: not an idle measurement; rerun on an idle machine for the budget)'
        : ' (idle)'),
  );
}

if (run('handlers')) {
  const { bundleHandler } = await import('./bundle-lambda.mjs');
  const { statSync } = await import('node:fs');
  // Lambda handlers: bundled as deployed (scripts/bundle-lambda.mjs: lambda/bundling.json, esbuild, minified, SDK tree-shaken in).
  // Target for every handler: under 60 ms to load (the brief's budget); job submission also under 350 KB.
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
}

// Readiness: eight checks run concurrently should take about the slowest one, not their sum.
if (run('readiness')) {
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

if (run('test')) {
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
}
