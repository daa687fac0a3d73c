// The module itself (a namespace import would be a copy), so the spy reaches lib/shared/handler-bundles.ts.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import workerThreads from 'node:worker_threads';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadConfig } from '../../config';
import { startHandlerBundling } from '../../lib/shared/handler-bundles';
import { BUNDLE_SCRIPT, platformFunction } from '../../lib/shared/lambda-function';

const ROOT = path.join(__dirname, '..', '..');
const HANDLERS = fs
  .readdirSync(path.join(ROOT, 'lambda'))
  .filter((d) => fs.existsSync(path.join(ROOT, 'lambda', d, 'handler.ts')));

interface BundlerData {
  readonly script: string;
  readonly outdir: string;
  readonly bundles: { entry: string; out: string }[];
  readonly port: workerThreads.MessagePort;
  readonly signal: Int32Array;
}

/**
 * How a synth bundles its functions, with the bundling worker thread faked (scripts/bundle-lambda.mjs's
 * real output is covered by test/lambda/bundle-lambda.test.ts): how many runs, of what, and which
 * bundle each function gets. The fake writes, for each bundle it is asked for, a bundle naming its entry.
 */
describe('handler bundling in a synth', () => {
  const config = loadConfig('dev');
  let runs: BundlerData[];
  let failWith: string | undefined;

  beforeEach(() => {
    runs = [];
    failWith = undefined;
    // CDK announces each bundling on stderr ("Bundling asset ..."); npm test prints Jest's report only.
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    jest.spyOn(workerThreads, 'Worker').mockImplementation((_code, options) => {
      const data = options?.workerData as BundlerData;
      runs.push(data);
      for (const { entry, out } of failWith ? [] : data.bundles) {
        fs.mkdirSync(path.dirname(path.join(data.outdir, out)), { recursive: true });
        fs.writeFileSync(path.join(data.outdir, `${out}.js`), `// bundle of ${path.relative(ROOT, entry)}\n`);
        fs.writeFileSync(path.join(data.outdir, `${out}.js.map`), '{}');
      }
      data.port.postMessage(failWith ? { error: failWith } : {});
      Atomics.store(data.signal, 0, 1);
      // handler-bundles.ts only unrefs its worker.
      return { unref: () => undefined } as unknown as workerThreads.Worker;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  /** Two regions, each with the job submission and readiness functions, synthesized with bundling on. */
  function synthTwoRegions({ early = false } = {}) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-bundles-'));
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': ['**'] },
      builtinCloudFormationValidation: false,
    });
    // As bin/app.ts does, before the app is built.
    if (early) startHandlerBundling(app.assetOutdir);
    const runsBeforeFunctions = runs.length;
    const stacks = ['us-east-1', 'us-west-2'].map((region) => {
      const stack = new Stack(app, `Region-${region}`, { env: { account: config.account, region } });
      const logsKey = new kms.Key(stack, 'Logs');
      for (const [id, entry] of [
        ['Submit', 'job-submission/handler.ts'],
        ['Check', 'readiness/handler.ts'],
      ]) {
        platformFunction(stack, id, {
          config,
          entry,
          description: id,
          logsKey,
          outsideVpcReason: 'test',
          synchronousReason: 'test',
        });
      }
      return stack;
    });
    const assembly = app.synth();
    /** The staged bundle of a function: its asset directory's index.js. */
    const bundleOf = (stack: Stack, id: string) => {
      const fn = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(
        ([logicalId]) => logicalId.startsWith(id),
      )?.[1] as { Properties: { Code: { S3Key: string } } };
      const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
      return {
        hash,
        code: fs.readFileSync(path.join(assembly.directory, `asset.${hash}`, 'index.js'), 'utf8'),
      };
    };
    return { stacks, bundleOf, runsBeforeFunctions };
  }

  it('bundles every handler in one run per synth, with the bundle script', () => {
    synthTwoRegions();
    expect(runs).toHaveLength(1);
    expect(runs[0].script).toBe(BUNDLE_SCRIPT);
    expect(runs[0].bundles.map((b) => path.relative(path.join(ROOT, 'lambda'), b.entry)).sort()).toEqual(
      HANDLERS.map((h) => path.join(h, 'handler.ts')).sort(),
    );
  });

  it('uses the run started before the app was built', () => {
    const { runsBeforeFunctions } = synthTwoRegions({ early: true });
    expect(runsBeforeFunctions).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it('gives each function the bundle of its own handler, the same asset in both regions', () => {
    const { stacks, bundleOf } = synthTwoRegions();
    const [east, west] = stacks;
    expect(bundleOf(east, 'Submit').code).toBe('// bundle of lambda/job-submission/handler.ts\n');
    expect(bundleOf(east, 'Check').code).toBe('// bundle of lambda/readiness/handler.ts\n');
    expect(bundleOf(west, 'Submit').hash).toBe(bundleOf(east, 'Submit').hash);
    expect(bundleOf(west, 'Check').hash).toBe(bundleOf(east, 'Check').hash);
    expect(bundleOf(east, 'Submit').hash).not.toBe(bundleOf(east, 'Check').hash);
  });

  it('keeps the deployed handler and runtime', () => {
    const { stacks } = synthTwoRegions();
    Template.fromStack(stacks[0]).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Submit',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  it("fails the synth with esbuild's message when bundling fails", () => {
    failWith =
      'Build failed with 1 error:\nlambda/readiness/handler.ts:3:7: ERROR: Could not resolve "./missing"';
    expect(() => synthTwoRegions()).toThrow(
      /Bundling the Lambda handlers failed: Build failed[\s\S]*lambda\/readiness\/handler\.ts:3:7: ERROR: Could not resolve/,
    );
  });
});

describe('platformFunction entry', () => {
  it('refuses a handler file that does not exist, naming it', () => {
    const config = loadConfig('dev');
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    expect(() =>
      platformFunction(stack, 'Fn', {
        config,
        entry: 'job-submision/handler.ts',
        description: 'typo',
        logsKey: new kms.Key(stack, 'Logs'),
        outsideVpcReason: 'test',
        synchronousReason: 'test',
      }),
    ).toThrow(
      "Fn: platformFunction was given entry 'job-submision/handler.ts', but lambda/job-submision/handler.ts does not exist",
    );
  });
});
