#!/usr/bin/env node
// `npm run profile:synth [-- -c env=NAME ...]`: one synth of the app process under --cpu-prof, run as
// `cdk synth` runs it (cdk.json's context plus the keys the CLI adds, CDK_OUTDIR), and where its time
// went: loading modules, constructing the app, bundling, nag packs, CloudFormation validation,
// synthesizing and writing the assembly. Also what does not depend on the machine's load: esbuild
// runs, worker threads, child processes waited for, validator engines started on the main thread,
// files and bytes written.
// The CLI's own start and its reading of the assembly are not in it: they are the floor's too (npm run bench).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const args = process.argv.slice(2);
const cliContext = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-c' || args[i] === '--context') {
    const [key, ...value] = (args[++i] ?? '').split('=');
    cliContext[key] = value.join('=');
  }
}
const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8'));
// What aws-cdk 2.1148 passes an app besides cdk.json's context (CDK_CONTEXT_JSON, read from a `cdk synth`).
const context = {
  ...cdkJson.context,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
  // aws-cdk-lib writes its counters (CDK_PERF_COUNTERS_FILE) only for a synth slower than this per stack.
  '@aws-cdk/core.slowSynthThreshold': 0,
  ...cliContext,
};

mkdirSync(join(root, 'bench-results'), { recursive: true });
const work = mkdtempSync(join(root, 'bench-results', 'profile-'));
const outdir = join(work, 'cdk.out');
const probeFile = join(work, 'probe.json');
const countersFile = join(work, 'counters.json');
const load = loadavg().map((l) => l.toFixed(2));
const start = process.hrtime.bigint();
const run = spawnSync(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${work}`,
    '--require',
    join(root, 'scripts', 'synth-probe.cjs'),
    '--import',
    'tsx',
    'bin/app.ts',
  ],
  {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_CLI_ASM_VERSION: '55.0.0',
      CDK_PERF_COUNTERS_FILE: countersFile,
      SYNTH_PROBE_FILE: probeFile,
    },
  },
);
const wall = Number(process.hrtime.bigint() - start) / 1e9;
if (run.status !== 0) {
  console.error(`synth failed (exit ${run.status}):\n${run.stderr}`);
  process.exit(1);
}

// One profile per thread: the main thread's is named after it (thread id 0); the others are tsx's
// loader thread and the CloudFormation validator's worker.
const profileFiles = readdirSync(work).filter((f) => f.endsWith('.cpuprofile'));
const profileFile = join(work, profileFiles.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? profileFiles[0]);
const profile = JSON.parse(readFileSync(profileFile, 'utf8'));

/** Each sample's stack, root first, as [functionName, url] pairs. */
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stackCache = new Map();
function stackOf(id) {
  let stack = stackCache.get(id);
  if (!stack) {
    stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(nodes.get(cur).callFrame);
    stack.reverse();
    stackCache.set(id, stack);
  }
  return stack;
}

const has = (stack, test) => stack.some((f) => test(f.functionName, f.url));
/** The phases, first match wins: a module loaded by nag counts as nag, one loaded while constructing as loading. */
const PHASES = [
  ['CloudFormation validation: engine start', (s) => has(s, (fn) => fn === 'initializeEngine')],
  [
    'CloudFormation validation: templates (or waiting for its worker thread)',
    (s) => has(s, (_, url) => /cloudformation-validat/.test(url)),
  ],
  [
    'nag packs (AwsSolutions, HIPAA, NIST 800-53 r5)',
    (s) => has(s, (_, url) => /[\\/]cdk-nag[\\/]/.test(url)),
  ],
  ['Control Tower rules (cfn-guard)', (s) => has(s, (_, url) => /cdk-validator-cfnguard/.test(url))],
  [
    'bundling (waiting for esbuild)',
    (s) =>
      has(
        s,
        (fn, url) => /handler-bundles|aws-lambda-nodejs[\\/]lib[\\/]bundling/.test(url) || fn === 'tryBundle',
      ),
  ],
  [
    'assets: hashing and copying',
    (s) => has(s, (fn) => ['stageByCopying', 'fingerprint', 'stageByBundling', 'calculateHash'].includes(fn)),
  ],
  [
    'validation report (CDK: acknowledgements, report file)',
    (s) => has(s, (fn) => fn === 'validateTemplates'),
  ],
  [
    'loading modules (aws-cdk-lib, cdk-nag, the app through tsx)',
    (s) => {
      const app = s.findIndex((f) => /[\\/]bin[\\/]app\.ts$/.test(f.url));
      return app >= 0 && s.slice(app + 1).some((f) => f.functionName === 'Module._load');
    },
  ],
  ['synthesis: aspects, resolving and writing the assembly', (s) => has(s, (fn) => fn === 'synthesize')],
  [
    'constructing the app (config, stacks, constructs)',
    (s) =>
      has(s, (_, url) => /[\\/](bin|lib|config)[\\/]/.test(url.replace(/^file:\/\//, '').slice(root.length))),
  ],
  ['garbage collection', (s) => s.at(-1).functionName === '(garbage collector)'],
  ['runner start (Node, tsx) and idle', () => true],
];

const totals = new Map(PHASES.map(([name]) => [name, 0]));
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const stack = stackOf(profile.samples[i]);
  const [name] = PHASES.find(([, test]) => test(stack));
  totals.set(name, totals.get(name) + dt);
}

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push({ path: relative(outdir, full), bytes: statSync(full).size });
  }
  return out;
}
const files = walk(outdir);
const bytes = (pred) => files.filter(pred).reduce((n, f) => n + f.bytes, 0);
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const probe = JSON.parse(readFileSync(probeFile, 'utf8'));
const counters = existsSync(countersFile) ? JSON.parse(readFileSync(countersFile, 'utf8')).counters : {};

const envName = context.env ?? 'dev';
console.log(
  `synth of ${envName} (app process only), ${wall.toFixed(1)} s wall, profile ${(total / 1e6).toFixed(1)} s; load average before: ${load.join(', ')}`,
);
for (const [name, us] of totals) {
  if (us === 0) continue;
  console.log(
    `  ${name.padEnd(62)} ${(us / 1e6).toFixed(2).padStart(6)} s  ${((100 * us) / total).toFixed(0).padStart(3)}%`,
  );
}
const esbuild =
  probe.children.filter((c) => /esbuild|bundle-lambda\.mjs/.test(c.command)).length +
  probe.workers.filter((w) => w.startsWith('esbuild')).length;
console.log(
  `esbuild runs: ${esbuild}; worker threads: ${probe.workers.join(', ') || 'none'}; child processes waited for: ${probe.children.length}`,
);
for (const c of probe.children) {
  const line = c.command.replaceAll(root, '.');
  console.log(
    `  ${(c.ms / 1000).toFixed(2).padStart(6)} s  ${line.length > 150 ? `${line.slice(0, 147)}...` : line}`,
  );
}
console.log(
  `CloudFormation validator engines started on the main thread: ${probe.validatorEngines ?? 'unknown (aws-cdk-lib internals changed)'}` +
    (probe.validatorEngines ? ` (${(probe.validatorEngineMs / 1000).toFixed(2)} s)` : ''),
);
/** Busy time of a thread's profile (not idle), and the part under a frame named `fn`. */
function busy(p, fn) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const up = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) up.set(c, n.id);
  let all = 0;
  let under = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const name = byId.get(p.samples[i]).callFrame.functionName;
    if (name === '(idle)' || name === '(program)') continue;
    all += p.timeDeltas[i] ?? 0;
    for (let id = p.samples[i]; id !== undefined; id = up.get(id)) {
      if (byId.get(id).callFrame.functionName === fn) {
        under += p.timeDeltas[i] ?? 0;
        break;
      }
    }
  }
  return { all: all / 1e6, under: under / 1e6 };
}
for (const f of profileFiles.map((f) => join(work, f)).filter((f) => f !== profileFile)) {
  const { all, under } = busy(JSON.parse(readFileSync(f, 'utf8')), 'initializeEngine');
  console.log(
    `other thread ${relative(root, f)}: busy ${all.toFixed(2)} s${under > 0 ? `, of which starting the CloudFormation validator ${under.toFixed(2)} s` : ''}`,
  );
}
console.log(
  `assembly: ${files.length} files, ${mb(bytes(() => true))} (templates ${mb(bytes((f) => f.path.endsWith('.template.json')))}, assets ${mb(bytes((f) => f.path.startsWith('asset.')))}, tree.json ${mb(bytes((f) => f.path === 'tree.json'))}, validation report ${mb(bytes((f) => f.path === 'validation-report.json'))}); fs.writeFileSync calls: ${counters['fs.writeFileSync(cnt)'] ?? '?'}`,
);
console.log(`profile: ${relative(root, profileFile)} (open in Chrome DevTools, Performance tab)`);
