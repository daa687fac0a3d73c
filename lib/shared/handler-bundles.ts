import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { AssetHashType, type BundlingOptions, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const ROOT = path.join(__dirname, '..', '..');
const LAMBDA = path.join(ROOT, 'lambda');

/** Bundles handlers as deployed (esbuild, lambda/bundling.json, the SDK plugins); see the script's header. */
export const BUNDLE_SCRIPT = path.join(ROOT, 'scripts', 'bundle-lambda.mjs');

/** How long a function waits for the bundles: far above what they take, so a dead worker cannot hang a synth. */
const BUNDLE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The code of a platform Lambda: its handler bundled by scripts/bundle-lambda.mjs, with a source map,
 * staged as an asset hashed by its content (as NodejsFunction stages its own bundle).
 *
 * Every handler under lambda/ is bundled in one esbuild run per synth (modules the handlers share, the
 * SDK core above all, are parsed once), on a worker thread, and each function takes its own bundle
 * from that run: the same bytes a separate run of the script gives. The run starts at the first
 * function, or earlier with startHandlerBundling. CDK stages an asset once per synth for both regions
 * (its staging cache is keyed by the bundling options, here the entry), so each handler is bundled once
 * per synth. Stacks CDK does not bundle (`aws:cdk:bundling-stacks`, as in the tests) never ask.
 */
export function handlerCode(entry: string): lambda.Code {
  return lambda.Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never run: local bundling always bundles or throws (no Docker, as the brief requires).
      image: DockerImage.fromRegistry('local-bundling-only'),
      local: new HandlerBundling(path.relative(ROOT, entry)),
    },
  });
}

/**
 * Starts bundling every handler into `assetDir` (the App's assetOutdir) now, in the background, so
 * that the bundles are ready, or nearly, when the first function asks for its own. For a synth that
 * bundles (`aws:cdk:bundling-stacks` not empty); the bundles no function takes are removed at exit.
 */
export function startHandlerBundling(assetDir: string): void {
  const dir = path.resolve(assetDir);
  if (!runs.has(dir)) runs.set(dir, startRun(dir));
}

/** JSON-serializable on purpose: CDK keys its asset cache by the bundling options, so `entry` tells handlers apart. */
class HandlerBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    const built = takeBundle(this.entry, path.dirname(outputDir));
    if (built) {
      for (const file of fs.readdirSync(built))
        fs.renameSync(path.join(built, file), path.join(outputDir, file));
      fs.rmdirSync(built);
    } else {
      // Not in the synth's run (a handler outside lambda/*/handler.ts, or taken already): bundled alone.
      const alone = spawnSync(
        process.execPath,
        [BUNDLE_SCRIPT, path.join(ROOT, this.entry), path.join(outputDir, 'index.js'), '--sourcemap'],
        { cwd: ROOT, encoding: 'utf8' },
      );
      if (alone.status !== 0) throw new Error(`bundling ${this.entry} failed:\n${alone.stderr}`);
    }
    return true;
  }
}

/** One esbuild run of every handler, on a worker thread. */
interface Run {
  /** Entry (relative to the project) to the directory its bundle is written to, until a function takes it. */
  readonly bundles: Map<string, string>;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  error?: string;
  done?: boolean;
}

/** Per asset directory (one per synth). */
const runs = new Map<string, Run>();

/**
 * The worker: scripts/bundle-lambda.mjs's bundleHandlers, then one answer (an error message if esbuild
 * failed: esbuild's own, naming file and line) and a signal the main thread waits on.
 */
const BUNDLER = `
const { workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { script, bundles, outdir, port, signal } = workerData;
import(pathToFileURL(script).href)
  .then((m) => m.bundleHandlers(bundles, outdir, { sourcemap: true }))
  .then(() => ({}), (error) => ({ error: String((error && error.message) || error) }))
  .then((answer) => {
    port.postMessage(answer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
`;

/**
 * Every handler (lambda/NAME/handler.ts), each into a directory of its own directly under the asset
 * directory: as deep as the `bundling-temp-*` directory CDK hands a bundler, so the source maps'
 * relative paths are what a bundle built in place would hold.
 */
function startRun(assetDir: string): Run {
  const entries = fs
    .readdirSync(LAMBDA)
    .map((name) => path.join('lambda', name, 'handler.ts'))
    .filter((file) => fs.existsSync(path.join(ROOT, file)));
  const bundles = new Map(
    entries.map((e) => [
      e,
      path.join(assetDir, `bundling-handler-${process.pid}-${e.replace(/[^\w.-]+/g, '_')}`),
    ]),
  );
  // Bundles no function of this synth takes, or a run cut short, are removed when the app exits.
  process.once('exit', () => {
    for (const dir of bundles.values()) fs.rmSync(dir, { recursive: true, force: true });
  });
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BUNDLER, {
    eval: true,
    // No TypeScript loader (tsx) in the worker: the script is JavaScript.
    execArgv: [],
    workerData: {
      script: BUNDLE_SCRIPT,
      outdir: assetDir,
      bundles: [...bundles].map(([e, dir]) => ({
        entry: path.join(ROOT, e),
        out: path.join(path.basename(dir), 'index'),
      })),
      port: port2,
      signal,
    },
    transferList: [port2],
  });
  // The worker never keeps the app's process alive.
  worker.unref();
  port1.unref();
  return { bundles, port: port1, signal };
}

/** The directory holding `entry`'s bundle, once the run is done; undefined when the run has none for it. */
function takeBundle(entry: string, assetDir: string): string | undefined {
  const dir = path.resolve(assetDir);
  let run = runs.get(dir);
  if (!run) {
    run = startRun(dir);
    runs.set(dir, run);
  }
  if (!run.done) {
    if (Atomics.wait(run.signal, 0, 0, BUNDLE_TIMEOUT_MS) === 'timed-out') {
      throw new Error(
        `Bundling the Lambda handlers did not finish within ${BUNDLE_TIMEOUT_MS / 60000} minutes: its worker thread has stopped. Run the synth again; if it recurs, bundle one by hand (node scripts/bundle-lambda.mjs <entry> <outfile>) to see why.`,
      );
    }
    const answer = receiveMessageOnPort(run.port)?.message as { error?: string } | undefined;
    run.error = answer ? answer.error : 'its worker thread gave no answer';
    run.done = true;
  }
  if (run.error) throw new Error(`Bundling the Lambda handlers failed: ${run.error}`);
  const built = run.bundles.get(entry);
  run.bundles.delete(entry);
  return built;
}
