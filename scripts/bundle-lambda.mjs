#!/usr/bin/env node
// Bundles one Lambda handler the one way it is deployed, benched and tested:
//   node scripts/bundle-lambda.mjs <entry.ts> <outfile.js> [--sourcemap]
// esbuild with lambda/bundling.json (minified CommonJS, AWS SDK tree-shaken in) plus two plugins,
// literalTraitKeys and clientPackageVersion, which NodejsFunction's esbuild cannot take (lib/shared/lambda-function.ts
// runs this script from its afterBundling hook, over NodejsFunction's own output).
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLING = JSON.parse(readFileSync(join(root, 'lambda', 'bundling.json'), 'utf8'));

/**
 * AWS SDK clients (since 3.930) generate schema files whose trait objects use computed keys
 * bound to file constants, `{ [_jN]: _cA }` with `const _jN = "jsonName"`. esbuild treats a
 * computed key as a possible side effect (evanw/esbuild#4373), so it keeps every schema of
 * every operation of the client, used or not (aws/aws-sdk-js-v3#7607). This rewrites such keys
 * to the string literal the constant holds, `{ "jsonName": _cA }`, which is the same object and
 * what smithy-typescript#1889 makes the generator emit; esbuild then drops unused schemas.
 * Only keys naming a `const _x = "..."` of the same file are touched.
 */
export const literalTraitKeys = {
  name: 'literal-trait-keys',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/ },
      (args) => {
        const source = readFileSync(args.path, 'utf8');
        const strings = new Map(
          [...source.matchAll(/^const (_[A-Za-z0-9_]+) = ("[^"\\]*");$/gm)].map((m) => [m[1], m[2]]),
        );
        const contents = source.replace(/\[(_[A-Za-z0-9_]+)\]:/g, (key, name) =>
          strings.has(name) ? `${strings.get(name)}:` : key,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * Each SDK client reads its own package.json for one field, the version it puts in the User-Agent
 * (`import packageInfo from "../package.json"`, `packageInfo.version`), and a default JSON import
 * bundles the whole file (scripts, dependency lists: ~2 KB per client). This serves the client
 * package.json files as `{ name, version }`.
 */
export const clientPackageVersion = {
  name: 'client-package-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, (args) => {
      const { name, version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * A handler loads a part it rarely needs with `await import('./name.lazy')` (name.lazy.ts beside
 * it): that part is left out of the handler bundle and bundled into name.lazy.js beside it, so a
 * cold start neither reads nor compiles it (job submission's Kafka client, used by resumes only).
 */
function lazyParts(found) {
  return {
    name: 'lazy-parts',
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w.-]+\.lazy$/ }, (args) => {
        found.add(join(args.resolveDir, args.path));
        return { path: args.path, external: true };
      });
    },
  };
}

/** The esbuild options of a deployed handler bundle. */
function bundleOptions(entry, outfile, { sourcemap = false } = {}, lazy = new Set()) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap,
    platform: 'node',
    format: 'cjs',
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.external,
    plugins: [literalTraitKeys, clientPackageVersion, lazyParts(lazy)],
    logLevel: 'error',
  };
}

/** Bundles a handler to outfile, and each part it imports lazily to <name>.lazy.js beside it. */
export async function bundleHandler(entry, outfile, options) {
  const lazy = new Set();
  const result = await build(bundleOptions(entry, outfile, options, lazy));
  for (const part of lazy) {
    await build(bundleOptions(`${part}.ts`, join(dirname(outfile), `${basename(part)}.js`), options));
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [entry, outfile, ...flags] = process.argv.slice(2);
  if (!entry || !outfile) {
    console.error('usage: node scripts/bundle-lambda.mjs <entry.ts> <outfile.js> [--sourcemap]');
    process.exit(2);
  }
  await bundleHandler(entry, outfile, { sourcemap: flags.includes('--sourcemap') });
}
