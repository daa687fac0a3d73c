// Preloaded by scripts/profile-synth.mjs into the app process (node --require): counts what a synth
// starts, counts that do not depend on the machine's load. Writes them as JSON to SYNTH_PROBE_FILE at exit.
const childProcess = require('node:child_process');
const fs = require('node:fs');

const probe = { children: [], validatorEngines: 0, validatorEngineMs: 0, workers: [] };

// Worker threads: the handlers' esbuild run (lib/shared/handler-bundles.ts) and CloudFormation's
// validator (lib/compliance/cloudformation-validation.ts) each run on one; told apart by their data.
const workerThreads = require('node:worker_threads');
const { Worker } = workerThreads;
workerThreads.Worker = class extends Worker {
  constructor(code, options) {
    super(code, options);
    const data = options?.workerData ?? {};
    probe.workers.push(
      Array.isArray(data.bundles)
        ? `esbuild run of ${data.bundles.length} handlers`
        : data.cdkLib
          ? 'CloudFormation validator'
          : 'other',
    );
  }
};

// Child processes the app waits for (bundling runs in them; CDK's and this app's are all synchronous).
for (const name of ['spawnSync', 'execFileSync', 'execSync']) {
  const original = childProcess[name];
  childProcess[name] = function (command, args, ...rest) {
    const start = performance.now();
    try {
      return original.call(this, command, args, ...rest);
    } finally {
      const line = [command, ...(Array.isArray(args) ? args : [])].join(' ');
      probe.children.push({ command: line, ms: Math.round(performance.now() - start) });
    }
  };
}

// CloudFormation's validator on this thread: a new engine is a start (a WebAssembly instance loading
// its schemas). initializeEngine is aws-cdk-lib's, not public API: when it is gone the count says so (null).
let hooked = false;
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  const exported = load.call(this, request, ...rest);
  if (!hooked && request === 'aws-cdk-lib' && exported?.CloudFormationValidatePlugin) {
    hooked = true;
    const proto = exported.CloudFormationValidatePlugin.prototype;
    const initialize = proto.initializeEngine;
    if (typeof initialize !== 'function') probe.validatorEngines = null;
    else {
      proto.initializeEngine = function (...args) {
        const before = this.engine;
        const start = performance.now();
        const engine = initialize.apply(this, args);
        if (engine !== before) {
          probe.validatorEngines++;
          probe.validatorEngineMs += performance.now() - start;
        }
        return engine;
      };
    }
  }
  return exported;
};

process.on('exit', () => {
  if (process.env.SYNTH_PROBE_FILE) fs.writeFileSync(process.env.SYNTH_PROBE_FILE, JSON.stringify(probe));
});
