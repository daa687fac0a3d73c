import type { z } from 'zod';
import { dev } from './dev';
import { prod } from './prod';
import { type EnvironmentConfig, type EnvironmentConfigInput, environmentConfigSchema } from './schema';
import { staging } from './staging';

export * from './schema';

/** Every environment this app knows, by the name given with `-c env=NAME`. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfigInput>> = { dev, staging, prod };

/** The environment `cdk synth` builds when no `-c env=NAME` is given. */
export const DEFAULT_ENVIRONMENT = 'dev';

/** A configuration mistake, worded for the person who made it. Printed without a stack trace. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a raw environment config; throws ConfigError listing every problem with its path. */
export function validateConfig(raw: unknown, source: string): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${describeIssue(i)}`);
  throw new ConfigError(`Invalid configuration in ${source}:\n${lines.join('\n')}`);
}

/** Looks up and validates the named environment. */
export function loadConfig(name: string): EnvironmentConfig {
  const raw = ENVIRONMENTS[name];
  if (!raw) {
    throw new ConfigError(
      `Unknown environment "${name}" (from -c env=${name}). Known environments: ${Object.keys(ENVIRONMENTS).join(', ')}. ` +
        `Pick one of them, or add config/${name}.ts and register it in config/index.ts.`,
    );
  }
  const config = validateConfig(raw, `config/${name}.ts`);
  if (config.name !== name) {
    throw new ConfigError(
      `Invalid configuration in config/${name}.ts:\n  - name: "${config.name}" does not match the environment key "${name}"; make them equal`,
    );
  }
  return config;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling against config/schema.ts`;
    case 'invalid_type':
      if (issue.input === undefined) return `${where}: is missing; add it (expected ${issue.expected})`;
      return `${where}: ${JSON.stringify(issue.input)} is not a ${issue.expected}`;
    case 'invalid_value':
      return `${where}: ${JSON.stringify(issue.input)} is not allowed; use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return `${where}: ${issue.message}`;
    default: {
      const value = 'input' in issue && issue.input !== undefined ? `${JSON.stringify(issue.input)} ` : '';
      return `${where}: ${value}${issue.message}`;
    }
  }
}
