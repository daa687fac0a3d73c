#!/usr/bin/env node
// Bundles Lambda handlers the one way they are deployed, benched and tested:
//   node scripts/bundle-lambda.mjs <entry.ts> <outfile.js> [--sourcemap]
//   node scripts/bundle-lambda.mjs --outdir <dir> [--sourcemap] <entry.ts>=<out> ...   (<dir>/<out>.js)
// esbuild with lambda/bundling.json (minified CommonJS, AWS SDK tree-shaken in) plus plugins NodejsFunction's
// own esbuild cannot take (literalTraitKeys, clientPackageVersion, lazyParts). The second form bundles several
// handlers in one esbuild run (modules they share are parsed once), each output the same bytes as the first
// form gives: lib/shared/handler-bundles.ts bundles every handler of a synth so.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
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

const LAZY = /^\.\/[\w.-]+\.lazy$/;

/**
 * A handler loads a part it rarely needs with `await import('./name.lazy')` (name.lazy.ts beside
 * it): that part is left out of the handler bundle and bundled into name.lazy.js beside it, so a
 * cold start neither reads nor compiles it (job submission's Kafka client, used by resumes only).
 */
function lazyParts(found) {
  return {
    name: 'lazy-parts',
    setup(b) {
      b.onResolve({ filter: LAZY }, (args) => {
        found.add(join(args.resolveDir, args.path));
        return { path: args.path, external: true };
      });
    },
  };
}

/** The esbuild options of a deployed handler bundle, but where it comes from and goes. */
function bundleOptions({ sourcemap = false } = {}, lazy = new Set()) {
  return {
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
  const result = await build({ ...bundleOptions(options, lazy), entryPoints: [entry], outfile });
  for (const part of lazy) {
    await build({
      ...bundleOptions(options),
      entryPoints: [`${part}.ts`],
      outfile: join(dirname(outfile), `${basename(part)}.js`),
    });
  }
  return result;
}

/**
 * Several handlers in one esbuild run, `<outdir>/<out>.js` each (`bundles`: `{ entry, out }`), and the
 * lazy parts of each beside it (a second run for all of them). Without code splitting every output is
 * its own bundle, the bytes bundleHandler writes for that entry (a source map's paths are relative to
 * its file, so they match when the file is as deep). Which bundle imports which lazy part comes from
 * esbuild's metafile: the inputs of an output, and the lazy imports of each.
 */
export async function bundleHandlers(bundles, outdir, options) {
  const entryPoints = bundles.map(({ entry, out }) => ({ in: entry, out }));
  const result = await build({ ...bundleOptions(options), entryPoints, outdir, metafile: true });
  const { inputs, outputs } = result.metafile;
  const parts = new Map();
  for (const [file, output] of Object.entries(outputs)) {
    if (!output.entryPoint) continue;
    for (const input of Object.keys(output.inputs)) {
      for (const { path, external } of inputs[input]?.imports ?? []) {
        if (!external || !LAZY.test(path)) continue;
        const part = join(dirname(resolve(input)), path);
        const out = join(relative(resolve(outdir), dirname(resolve(file))), basename(part));
        parts.set(out, { in: `${part}.ts`, out });
      }
    }
  }
  if (parts.size > 0) await build({ ...bundleOptions(options), entryPoints: [...parts.values()], outdir });
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const sourcemap = args.includes('--sourcemap');
  const positional = args.filter((a) => a !== '--sourcemap');
  if (
    positional[0] === '--outdir' &&
    positional.length > 2 &&
    positional.slice(2).every((a) => a.includes('='))
  ) {
    const bundles = positional.slice(2).map((a) => {
      const at = a.lastIndexOf('=');
      return { entry: a.slice(0, at), out: a.slice(at + 1) };
    });
    await bundleHandlers(bundles, positional[1], { sourcemap });
  } else if (positional.length === 2 && !positional[0].startsWith('--')) {
    await bundleHandler(positional[0], positional[1], { sourcemap });
  } else {
    console.error(
      'usage: node scripts/bundle-lambda.mjs <entry.ts> <outfile.js> [--sourcemap]\n' +
        '       node scripts/bundle-lambda.mjs --outdir <dir> [--sourcemap] <entry.ts>=<out> ...',
    );
    process.exit(2);
  }
}
