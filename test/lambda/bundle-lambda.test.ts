import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE_SCRIPT } from '../../lib/shared/lambda-function';

/**
 * scripts/bundle-lambda.mjs rewrites `{ [_jN]: x }` trait keys in the SDK clients' schema files to
 * `{ "jsonName": x }` so esbuild can drop unused schemas. That must not change any schema: every
 * export of each client schema file the handlers use, bundled with and without the rewrite, is
 * compared (thunks `() => Schema$` followed, error classes by name). Runs in a child process because
 * the script is an ES module (the CDK app runs it the same way).
 */
const CLIENTS = [
  'athena',
  'cloudwatch',
  'elasticache',
  'emr-serverless',
  'glue',
  'kafka',
  'rds',
  'redshift',
  'redshift-serverless',
  'secrets-manager',
  'ssm',
];

const COMPARE = `
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
const [outDir, script, ...clients] = process.argv.slice(1);
const { literalTraitKeys } = await import(script);
const require = createRequire(import.meta.url);
const norm = (v, depth = 0) =>
  typeof v === 'function'
    ? /^class /.test(String(v)) ? 'class ' + v.name : depth > 6 ? 'thunk' : norm(v(), depth + 1)
    : Array.isArray(v) ? v.map((x) => norm(x, depth))
    : v && typeof v === 'object'
      ? v.constructor?.name === 'TypeRegistry' ? 'registry ' + v.namespace
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, depth)]))
      : v;
const results = [];
for (const client of clients) {
  const entry = require.resolve('@aws-sdk/client-' + client + '/package.json').replace(/package\\.json$/, 'dist-es/schemas/schemas_0.js');
  const loaded = {};
  for (const [variant, plugins] of [['original', []], ['rewritten', [literalTraitKeys]]]) {
    const outfile = outDir + '/' + client + '-' + variant + '.js';
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, plugins, logLevel: 'error' });
    loaded[variant] = require(outfile);
  }
  const names = Object.keys(loaded.original);
  results.push({
    client,
    exports: names.length,
    computedKeys: (readFileSync(entry, 'utf8').match(/\\[_[A-Za-z0-9_]+\\]:/g) ?? []).length,
    keysLeft: (readFileSync(outDir + '/' + client + '-rewritten.js', 'utf8').match(/\\[_[A-Za-z0-9_]+\\]:/g) ?? []).length,
    differing: names.filter((n) => !isDeepStrictEqual(norm(loaded.original[n]), norm(loaded.rewritten[n]))),
    sameExports: isDeepStrictEqual(names, Object.keys(loaded.rewritten)),
  });
}
process.stdout.write(JSON.stringify(results));
`;

describe('bundle-lambda literal trait keys', () => {
  it('leaves every schema of the clients the handlers use unchanged', () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-schemas-'));
    const results = JSON.parse(
      execFileSync(
        process.execPath,
        ['--input-type=module', '-e', COMPARE, outDir, BUNDLE_SCRIPT, ...CLIENTS],
        { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
      ),
    ) as {
      client: string;
      exports: number;
      computedKeys: number;
      keysLeft: number;
      differing: string[];
      sameExports: boolean;
    }[];
    expect(results.map((r) => r.client)).toEqual(CLIENTS);
    for (const r of results) {
      expect({ client: r.client, differing: r.differing, sameExports: r.sameExports }).toEqual({
        client: r.client,
        differing: [],
        sameExports: true,
      });
      expect(r.exports).toBeGreaterThan(0);
    }
    // The rewrite has something to do (else the SDK fixed its generator and the plugin can go),
    // and does it: no computed key is left in a rewritten bundle (it would keep unused schemas).
    expect(results.reduce((n, r) => n + r.computedKeys, 0)).toBeGreaterThan(0);
    expect(results.filter((r) => r.keysLeft > 0).map((r) => r.client)).toEqual([]);
  });
});

/**
 * lambda/bundling.json leaves out code no handler runs (credential providers Lambda never uses, the
 * SDK's event-stream support: none of the handlers' operations streams). It is only ever loaded
 * lazily; a handler that imported it at load (say a client with an event-stream operation) would fail
 * to start in Lambda. Each handler's bundle must load in a fresh process with no node_modules around.
 */
const LAMBDA = path.join(__dirname, '..', '..', 'lambda');
const HANDLERS = fs.readdirSync(LAMBDA).filter((d) => fs.existsSync(path.join(LAMBDA, d, 'handler.ts')));

describe('handler bundles', () => {
  // The load test cannot see a lazy import() an operation makes: event-stream support is loaded only
  // for an operation with an event-stream member. None of the handlers' clients may model one, or that
  // call would fail in Lambda with ERR_MODULE_NOT_FOUND.
  it.each(CLIENTS)('client-%s models no streaming member (event-stream support is left out)', (client) => {
    const dir = path.dirname(require.resolve(`@aws-sdk/client-${client}/package.json`));
    const schemas = fs.readFileSync(path.join(dir, 'dist-es', 'schemas', 'schemas_0.js'), 'utf8');
    // The trait is written as a string constant `"streaming"` (client-lambda's has one, for
    // InvokeWithResponseStream); @smithy/core treats a streaming structure member as an event stream.
    expect(schemas).not.toContain('"streaming"');
  });

  it('the handlers use no client beyond those checked', () => {
    const used = new Set<string>();
    for (const name of HANDLERS) {
      const dir = path.join(LAMBDA, name);
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        for (const [, client] of fs
          .readFileSync(path.join(dir, file), 'utf8')
          .matchAll(/'@aws-sdk\/client-([a-z-]+)'/g))
          used.add(client);
      }
    }
    expect([...used].filter((c) => !CLIENTS.includes(c))).toEqual([]);
  });

  it.each(HANDLERS)('%s loads with nothing to resolve outside the bundle', (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-load-'));
    const bundle = path.join(dir, 'index.js');
    execFileSync(process.execPath, [BUNDLE_SCRIPT, path.join(LAMBDA, name, 'handler.ts'), bundle]);
    const exported = execFileSync(
      process.execPath,
      ['-e', 'process.stdout.write(typeof require("./index.js").handler)'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          // Quiet as the rest of npm test (test/support/global-setup.js).
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    expect(exported).toBe('function');
  });
});

/**
 * A synth bundles all handlers in one esbuild run (`--outdir`, lib/shared/handler-bundles.ts); the load
 * tests above bundle each alone. Both must give the same bytes, source map included (its paths are
 * relative to the bundle, so both bundles sit at the same depth).
 */
describe('handlers bundled together', () => {
  it('are the bytes of each handler bundled alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-together-'));
    const entry = (name: string) => path.join(LAMBDA, name, 'handler.ts');
    execFileSync(process.execPath, [
      BUNDLE_SCRIPT,
      entry('job-submission'),
      path.join(dir, 'alone', 'index.js'),
      '--sourcemap',
    ]);
    execFileSync(process.execPath, [
      BUNDLE_SCRIPT,
      '--outdir',
      dir,
      '--sourcemap',
      `${entry('job-submission')}=together-job/index`,
      `${entry('postgres-control')}=together-pg/index`,
    ]);
    // Job submission has a lazy part (msk-admin.lazy); postgres-control has none.
    const files = (d: string) => fs.readdirSync(path.join(dir, d)).sort();
    expect(files('alone')).toEqual([
      'index.js',
      'index.js.map',
      'msk-admin.lazy.js',
      'msk-admin.lazy.js.map',
    ]);
    expect(files('together-job')).toEqual(files('alone'));
    for (const file of files('alone')) {
      const alone = fs.readFileSync(path.join(dir, 'alone', file));
      expect(alone.length).toBeGreaterThan(0);
      expect({ file, same: fs.readFileSync(path.join(dir, 'together-job', file)).equals(alone) }).toEqual({
        file,
        same: true,
      });
    }
    expect(files('together-pg')).toEqual(['index.js', 'index.js.map']);
    expect(fs.readFileSync(path.join(dir, 'together-pg', 'index.js'), 'utf8')).toContain('postgres');
  });
});
