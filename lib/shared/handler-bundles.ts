import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, type BundlingOptions, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const ROOT = path.join(__dirname, '..', '..');
const LAMBDA = path.join(ROOT, 'lambda');

/** Bundles handlers as deployed (esbuild, lambda/bundling.json, the SDK plugins); see the script's header. */
export const BUNDLE_SCRIPT = path.join(ROOT, 'scripts', 'bundle-lambda.mjs');

/**
 * The code of a platform Lambda: its handler bundled by scripts/bundle-lambda.mjs, with a source map,
 * staged as an asset hashed by its content (as NodejsFunction stages its own bundle).
 *
 * The first function of a synth bundles every handler under lambda/ in one esbuild run (one Node
 * process; modules shared by the handlers, the SDK core above all, are parsed once) and each function
 * takes its own bundle from that run. A bundle is the same bytes a separate run of the script gives.
 * CDK stages an asset once per synth for both regions (its staging cache is keyed by the bundling
 * options, here the entry), so each handler is bundled once per synth. Stacks CDK does not bundle
 * (`aws:cdk:bundling-stacks`, as in the tests) never call it.
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
      // Not in the synth's run (already taken, or a handler outside lambda/*/handler.ts): bundled alone.
      runBundleScript([path.join(ROOT, this.entry), path.join(outputDir, 'index.js'), '--sourcemap']);
    }
    return true;
  }
}

/** Per asset directory (one per synth): the bundles of the run not yet taken, by entry. */
const runs = new Map<string, Map<string, string>>();

function takeBundle(entry: string, assetDir: string): string | undefined {
  let bundles = runs.get(assetDir);
  if (!bundles) {
    bundles = bundleAll(assetDir, entry);
    runs.set(assetDir, bundles);
  }
  const dir = bundles.get(entry);
  bundles.delete(entry);
  return dir;
}

/**
 * Every handler (lambda/NAME/handler.ts) plus `entry`, in one run, each into a directory of its own
 * directly under the asset directory: as deep as the `bundling-temp-*` directory CDK hands a bundler,
 * so the source maps' relative paths are what a bundle built in place would hold.
 */
function bundleAll(assetDir: string, entry: string): Map<string, string> {
  const entries = new Set(
    fs
      .readdirSync(LAMBDA)
      .map((name) => path.join('lambda', name, 'handler.ts'))
      .filter((file) => fs.existsSync(path.join(ROOT, file))),
  );
  entries.add(entry);
  const bundles = new Map(
    [...entries].map((e) => [
      e,
      path.join(assetDir, `bundling-handler-${process.pid}-${e.replace(/[^\w.-]+/g, '_')}`),
    ]),
  );
  // Bundles no function of this synth takes are removed when the app exits.
  process.once('exit', () => {
    for (const dir of bundles.values()) fs.rmSync(dir, { recursive: true, force: true });
  });
  runBundleScript([
    '--outdir',
    assetDir,
    '--sourcemap',
    ...[...bundles].map(([e, dir]) => `${path.join(ROOT, e)}=${path.join(path.basename(dir), 'index')}`),
  ]);
  return bundles;
}

function runBundleScript(args: string[]): void {
  const result = spawnSync(process.execPath, [BUNDLE_SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `scripts/bundle-lambda.mjs failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}`,
    );
  }
}
