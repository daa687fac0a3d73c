// The module itself (a namespace import would be a copy), so the spies reach lib/shared/handler-bundles.ts.
import childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadConfig } from '../../config';
import { BUNDLE_SCRIPT, platformFunction } from '../../lib/shared/lambda-function';

const ROOT = path.join(__dirname, '..', '..');
const HANDLERS = fs
  .readdirSync(path.join(ROOT, 'lambda'))
  .filter((d) => fs.existsSync(path.join(ROOT, 'lambda', d, 'handler.ts')));

/**
 * How a synth bundles its functions, with esbuild faked (scripts/bundle-lambda.mjs's real output is
 * covered by test/lambda/bundle-lambda.test.ts): what runs, how often, and which bundle each function gets.
 * The fake writes, for each `<entry>=<out>` it is given, a bundle naming its entry.
 */
describe('handler bundling in a synth', () => {
  const config = loadConfig('dev');
  let calls: string[][];

  beforeEach(() => {
    calls = [];
    // CDK announces each bundling on stderr ("Bundling asset ..."); npm test prints Jest's report only.
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    jest.spyOn(childProcess, 'spawnSync').mockImplementation(((command: string, args: string[]) => {
      calls.push([command, ...args]);
      const outdir = args[args.indexOf('--outdir') + 1];
      for (const pair of args.filter((a) => a.includes('='))) {
        const [entry, out] = pair.split('=');
        fs.mkdirSync(path.dirname(path.join(outdir, out)), { recursive: true });
        fs.writeFileSync(path.join(outdir, `${out}.js`), `// bundle of ${path.relative(ROOT, entry)}\n`);
        fs.writeFileSync(path.join(outdir, `${out}.js.map`), '{}');
      }
      return { status: 0, stdout: '', stderr: '', pid: 0, output: [], signal: null };
    }) as unknown as typeof childProcess.spawnSync);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Two regions, each with the job submission and readiness functions, synthesized with bundling on. */
  function synthTwoRegions() {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-bundles-'));
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': ['**'] },
      builtinCloudFormationValidation: false,
    });
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
    return { stacks, bundleOf, outdir: assembly.directory };
  }

  it('runs the bundle script once per synth, for every handler, with source maps', () => {
    synthTwoRegions();
    expect(calls).toHaveLength(1);
    const [command, script, ...args] = calls[0];
    expect([command, script]).toEqual([process.execPath, BUNDLE_SCRIPT]);
    expect(args).toContain('--sourcemap');
    expect(
      args
        .filter((a) => a.includes('='))
        .map((a) => path.relative(path.join(ROOT, 'lambda'), a.split('=')[0]))
        .sort(),
    ).toEqual(HANDLERS.map((h) => path.join(h, 'handler.ts')).sort());
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

  it('fails the synth with esbuild’s message when bundling fails', () => {
    jest.spyOn(childProcess, 'spawnSync').mockReturnValue({
      status: 1,
      stdout: '',
      stderr: '✘ [ERROR] Could not resolve "./missing"\n    lambda/readiness/handler.ts:3:7',
      pid: 0,
      output: [],
      signal: null,
    });
    expect(() => synthTwoRegions()).toThrow(
      /Could not resolve "\.\/missing"[\s\S]*lambda\/readiness\/handler\.ts/,
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
