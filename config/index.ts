import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { checkNameLengths } from './names';
import { baseEnvironmentConfigSchema, type EnvironmentConfig, type EnvironmentConfigInput } from './schema';

export * from './schema';

/** The environment schema with the physical-name rule (config/names.ts): what {@link validateConfig} parses with. */
export const environmentConfigSchema = baseEnvironmentConfigSchema.superRefine((cfg, ctx) =>
  checkNameLengths(cfg, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
);

/**
 * Every environment this app knows, by the name given with `-c env=NAME`. Each
 * is a file `config/NAME.ts` exporting `const NAME: EnvironmentConfigInput`.
 */
export const ENVIRONMENT_NAMES: readonly string[] = ['dev', 'staging', 'prod'];

/** The environment `cdk synth` builds when no `-c env=NAME` is given. */
export const DEFAULT_ENVIRONMENT = 'dev';

/** A configuration mistake, worded for the person who made it. Printed without a stack trace. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The raw environment files, by name, each loaded when first read. Loading is
 * lazy so that a mistake in one file (a syntax error, a misspelled import) is a
 * ConfigError naming file and line, raised inside the entry point's error
 * handling, instead of a stack trace while modules are still being imported.
 */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfigInput>> = Object.defineProperties(
  {},
  Object.fromEntries(
    ENVIRONMENT_NAMES.map((name) => [name, { enumerable: true, get: () => loadEnvironmentFile(name) }]),
  ),
);

/** Validates a raw environment config; throws ConfigError listing every problem with its path. */
export function validateConfig(raw: unknown, source: string): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${describeIssue(i)}`);
  throw new ConfigError(`Invalid configuration in ${source}:\n${lines.join('\n')}`);
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * Directory holding the environment files.
   * @default - this directory (config/)
   */
  readonly directory?: string;
}

/** Looks up, loads and validates the named environment. */
export function loadConfig(name: string, options: LoadConfigOptions = {}): EnvironmentConfig {
  if (name.trim() === '') {
    throw new ConfigError(
      `No environment name after -c env=. Name one: -c env=${DEFAULT_ENVIRONMENT} (known: ${ENVIRONMENT_NAMES.join(', ')}), or leave -c env= out for ${DEFAULT_ENVIRONMENT}.`,
    );
  }
  if (!ENVIRONMENT_NAMES.includes(name)) {
    throw new ConfigError(
      `Unknown environment "${name}" (from -c env=${name}). Known environments: ${ENVIRONMENT_NAMES.join(', ')}. ` +
        `Pick one of them, or add config/${name}.ts and register it in config/index.ts.`,
    );
  }
  const raw = loadEnvironmentFile(name, options.directory);
  const config = validateConfig(raw, `config/${name}.ts`);
  if (config.name !== name) {
    throw new ConfigError(
      `Invalid configuration in config/${name}.ts:\n  - name: "${config.name}" does not match the environment key "${name}"; make them equal`,
    );
  }
  return config;
}

/**
 * Loads `config/NAME.ts` and returns its `NAME` export. Any failure (syntax
 * error, misspelled import or identifier, wrong export name) becomes a
 * ConfigError with file:line and one message.
 */
export function loadEnvironmentFile(name: string, directory: string = __dirname): EnvironmentConfigInput {
  const file = path.join(directory, `${name}.ts`);
  const shown = `config/${name}.ts`;
  if (!fs.existsSync(file)) {
    throw new ConfigError(
      `${shown} does not exist, but "${name}" is registered in config/index.ts. Add the file or remove the name from ENVIRONMENT_NAMES.`,
    );
  }
  const source = fs.readFileSync(file, 'utf8');
  let module: Record<string, unknown>;
  try {
    module = require(file);
  } catch (error) {
    // A misspelled named import often surfaces as a TypeError further down; name the import instead.
    const missingImport = findMissingNamedImport(source, file);
    throw new ConfigError(
      missingImport ? `${shown}:${missingImport}` : describeLoadError(error, file, shown, source),
    );
  }
  const missingImport = findMissingNamedImport(source, file);
  if (missingImport) throw new ConfigError(`${shown}:${missingImport}`);
  const raw = module[name];
  if (raw === undefined) {
    const exported = Object.keys(module).filter((k) => k !== '__esModule');
    const found = exported.map((k) => `"${k}"${lineOf(source, new RegExp(`export\\s+const\\s+${k}\\b`))}`);
    throw new ConfigError(
      `${shown}: exports ${found.length > 0 ? found.join(', ') : 'nothing'}, but the environment "${name}" is read from an export named "${name}". ` +
        `Rename it: export const ${name}: EnvironmentConfigInput = { ... }`,
    );
  }
  return raw as EnvironmentConfigInput;
}

/** ":LINE" of the first match of `pattern` in `source` ("" if none). */
function lineOf(source: string, pattern: RegExp): string {
  const match = pattern.exec(source);
  return match ? ` (line ${source.slice(0, match.index).split('\n').length})` : '';
}

/** One line naming where and what went wrong while loading an environment file. */
export function describeLoadError(error: unknown, file: string, shown: string, source: string): string {
  const err = error as {
    name?: string;
    message?: string;
    code?: string;
    stack?: string;
    errors?: { text: string; location?: { line: number; column: number; lineText?: string } | null }[];
  };
  // esbuild (tsx) TransformError: the exact location is in errors[].location.
  const esbuildError = err.errors?.find((e) => e.location);
  if (esbuildError?.location) {
    const { line, column, lineText } = esbuildError.location;
    return `${shown}:${line}:${column + 1}: syntax error: ${esbuildError.text}${lineText ? `\n    ${lineText.trim()}` : ''}`;
  }
  // tsx's TransformError carries esbuild's text only: "Transform failed ...\n<file>:<line>:<col>: ERROR: <text>".
  const transform = /:(\d+):(\d+): ERROR: (.+)/.exec(String(err.message ?? ''));
  if (transform) {
    const lineText = source.split('\n')[Number(transform[1]) - 1]?.trim();
    return `${shown}:${transform[1]}:${Number(transform[2]) + 1}: syntax error: ${transform[3]}${lineText ? `\n    ${lineText}` : ''}`;
  }
  const message = String(err.message ?? error).split('\n')[0];
  if (err.code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find module '([^']+)'/.exec(message)?.[1] ?? '';
    const at = lineOf(
      source,
      new RegExp(`from\\s+['"]${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`),
    );
    return `${shown}${at.replace(/ \(line (\d+)\)/, ':$1')}: cannot find module '${missing}'; check the import path`;
  }
  // A swc or V8 syntax error names the line in its message or stack.
  const escaped = file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const where = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(`${err.stack ?? ''}\n${err.message ?? ''}`);
  const location = where ? `:${where[1]}:${where[2]}` : '';
  const hint =
    err.name === 'ReferenceError'
      ? ' (a misspelled name, or a missing import?)'
      : err.name === 'SyntaxError'
        ? ' (syntax error)'
        : '';
  return `${shown}${location}: ${message}${hint}`;
}

/**
 * `import { A } from './x';` where ./x has no export A: TypeScript would refuse it,
 * but tsx and swc only strip types, so A is silently undefined. Returns
 * "LINE: message" for the first such import, or undefined.
 */
function findMissingNamedImport(source: string, file: string): string | undefined {
  const importPattern = /import\s+(?!type\b)\{([^}]*)\}\s+from\s+['"](\.[^'"]+)['"]/g;
  for (let match = importPattern.exec(source); match; match = importPattern.exec(source)) {
    const names = match[1]
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0].trim());
    let target: Record<string, unknown>;
    try {
      target = require(path.resolve(path.dirname(file), match[2]));
    } catch {
      continue; // a broken or missing module is reported by describeLoadError
    }
    for (const imported of names) {
      if (!(imported in target)) {
        const line = source.slice(0, match.index).split('\n').length;
        const exported = Object.keys(target).filter((k) => k !== '__esModule');
        return `${line}: "${imported}" is not exported by '${match[2]}' (it exports ${exported.join(', ') || 'nothing'}); check the spelling`;
      }
    }
  }
  return undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

/** A value as the user wrote it: JSON, except that NaN and Infinity keep their names (JSON says null). */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value, (_key, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? `@@nonfinite:${v}` : v,
  );
  return json === undefined ? String(value) : json.replace(/"@@nonfinite:([^"]+)"/g, '$1');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling against config/schema.ts`;
    case 'invalid_type':
      return describeWrongKind(where, issue.input, issue.expected);
    case 'invalid_value':
      return `${where}: ${formatValue(issue.input)} is not allowed; use one of ${issue.values.map((v) => formatValue(v)).join(', ')}`;
    case 'custom':
      return `${where}: ${issue.message}`;
    default: {
      const value = 'input' in issue && issue.input !== undefined ? `${formatValue(issue.input)} ` : '';
      return `${where}: ${value}${issue.message}`;
    }
  }
}

/** What kind of value the user wrote, in the words of the schema's expected types. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const WITH_ARTICLE = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

/** A value of the wrong kind: what it is, what is expected, and how to write it. */
function describeWrongKind(where: string, input: unknown, expected: string): string {
  if (input === undefined) return `${where}: is missing; add it (expected ${WITH_ARTICLE(expected)})`;
  const shown = formatValue(input);
  // NaN and Infinity are numbers to JavaScript, but no config number can hold them.
  if (expected === 'number' && typeof input === 'number')
    return `${where}: ${shown} is not a ${Number.isNaN(input) ? 'number' : 'finite number'}`;
  const kind = kindOf(input);
  const what = kind === 'null' ? 'null' : WITH_ARTICLE(kind);
  const fix =
    expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')
      ? `; write it in quotes: "${String(input)}"`
      : expected === 'number' &&
          typeof input === 'string' &&
          input.trim() !== '' &&
          Number.isFinite(Number(input))
        ? `; write it without quotes: ${Number(input)}`
        : expected === 'boolean'
          ? '; use true or false'
          : '';
  return `${where}: ${shown} is ${what}, but ${WITH_ARTICLE(expected)} is expected${fix}`;
}
