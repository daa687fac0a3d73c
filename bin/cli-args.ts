import {
  ConfigError,
  DEFAULT_ENVIRONMENT,
  ENVIRONMENT_NAMES,
  type EnvironmentConfig,
  loadConfig,
} from '../config';

/** Reads the environment from `-c env=NAME` / `--context env=NAME` in argv, as the CDK CLI would. */
export function environmentFromArgs(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value =
      arg === '-c' || arg === '--context'
        ? argv[i + 1]
        : arg.startsWith('--context=')
          ? arg.slice(10)
          : undefined;
    if (value?.startsWith('env=')) return value.slice(4);
  }
  return DEFAULT_ENVIRONMENT;
}

/** One option of a command. */
export interface FlagSpec {
  /** With the dashes, e.g. `--job`. */
  readonly name: string;
  /** Name of the value it takes, e.g. `NAME`; a switch when absent. */
  readonly value?: string;
  readonly description: string;
  /** May be given more than once (e.g. `--arg`). @default false */
  readonly repeatable?: boolean;
}

/** What a command accepts, for parsing and for its `--help`. */
export interface CommandSpec {
  /** How the user runs it, e.g. `npm run submit --`. */
  readonly usage: string;
  /** What it does, in a sentence or two. */
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Options this command does not know are handed to another program (e.g. cdk deploy), not refused. */
  readonly passThrough?: string;
  /** Further lines printed after the options (examples, lists). */
  readonly notes?: readonly string[];
}

/** A mistake on the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedCommandLine {
  readonly help: boolean;
  /** The environment of `-c env=NAME` (default dev). */
  readonly env: string;
  /** Values of the options that take one, in order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Switches given. */
  readonly switches: ReadonlySet<string>;
  /** What `passThrough` commands hand on, in order. */
  readonly rest: readonly string[];
}

const ENV_FLAG: FlagSpec = {
  name: '--context',
  value: 'env=NAME',
  description: `the environment (${ENVIRONMENT_NAMES.join(', ')}); also -c env=NAME. Default: ${DEFAULT_ENVIRONMENT}`,
};
const HELP_FLAG: FlagSpec = { name: '--help', description: 'print this help; also -h' };

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name closest to `given`, if it is close enough to be a typo (or `given` is a prefix of it). */
export function closest(given: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((name) => ({
      name,
      distance: name.startsWith(given) && given.length >= 3 ? 0.5 : editDistance(given, name),
    }))
    .sort((x, y) => x.distance - y.distance);
  const best = scored[0];
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(given.length / 3)) ? best.name : undefined;
}

const didYouMean = (given: string, known: readonly string[]) => {
  const suggestion = closest(given, known);
  return suggestion ? `; did you mean ${suggestion}?` : '';
};

/**
 * Parses argv against a command's options: `--flag VALUE` and `--flag=VALUE`, switches,
 * `-c env=NAME` / `--context env=NAME`, `-h` / `--help`. An unknown option is a UsageError
 * naming the closest known one, unless the command passes unknown options on.
 */
export function parseCommandLine(argv: readonly string[], spec: CommandSpec): ParsedCommandLine {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const rest: string[] = [];
  let env = DEFAULT_ENVIRONMENT;
  let help = false;
  const known = [...spec.flags.map((f) => f.name), ENV_FLAG.name, HELP_FLAG.name];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    if (name === '-c' || name === '--context') {
      const context = inline ?? argv[++i];
      if (context === undefined || !context.includes('=')) {
        throw new UsageError(`${name} needs KEY=VALUE, e.g. ${name} env=${DEFAULT_ENVIRONMENT}`);
      }
      const [key, value] = splitOnce(context, '=');
      if (key === 'env') env = value;
      else if (spec.passThrough) rest.push(name, context);
      else throw new UsageError(`${name} ${context}: this command reads only env=NAME from the context`);
      continue;
    }
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) {
      if (spec.passThrough) {
        rest.push(arg);
        continue;
      }
      if (!arg.startsWith('-')) {
        throw new UsageError(
          `Unexpected argument "${arg}"; every value follows its option (--help lists them)`,
        );
      }
      throw new UsageError(`Unknown option ${name}${didYouMean(name, known)}`);
    }
    if (flag.value === undefined) {
      if (inline !== undefined) throw new UsageError(`${flag.name} takes no value; write ${flag.name} alone`);
      switches.add(flag.name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${flag.name} needs a value: ${flag.name} ${flag.value}`);
    }
    const list = values.get(flag.name) ?? [];
    if (list.length > 0 && !flag.repeatable) {
      throw new UsageError(`${flag.name} is given twice ("${list[0]}", "${value}"); give it once`);
    }
    values.set(flag.name, [...list, value]);
  }
  return { help, env, values, switches, rest };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

/** The `--help` text of a command. */
export function usage(spec: CommandSpec): string {
  const flags = [ENV_FLAG, ...spec.flags, HELP_FLAG];
  const left = flags.map((f) => (f.value ? `${f.name} ${f.value}` : f.name));
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = [
    `Usage: ${spec.usage} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...flags.map((f, i) => `  ${left[i].padEnd(width)}${f.description}`),
  ];
  if (spec.passThrough) lines.push('', spec.passThrough);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** What a deploy-tooling command decided: printed to stdout when ok, stderr otherwise. */
export interface CommandResult {
  readonly ok: boolean;
  readonly message: string;
}

/** Where a command writes; the process's streams unless a test passes its own. */
export interface CommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const PROCESS_OUTPUT: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Parses argv (printing --help or a usage mistake), loads the environment's config and
 * runs the command with both. A usage mistake exits 2, a config mistake or a refusal 1;
 * neither prints a stack trace.
 */
export async function runCommand(
  argv: readonly string[],
  spec: CommandSpec,
  command: (config: EnvironmentConfig, args: ParsedCommandLine) => Promise<CommandResult>,
  output: CommandOutput = PROCESS_OUTPUT,
  load: (name: string) => EnvironmentConfig = loadConfig,
): Promise<number> {
  let args: ParsedCommandLine;
  try {
    args = parseCommandLine(argv, spec);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\nRun ${spec.usage} --help for the options.\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    output.out(usage(spec));
    return 0;
  }
  try {
    const result = await command(load(args.env), args);
    (result.ok ? output.out : output.err)(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      output.err(`${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

/**
 * Runs a deploy-tooling command that takes only `-c env=NAME` (and --help) for the
 * environment named in argv: prints its result and returns the exit code.
 */
export function runForEnvironment(
  argv: readonly string[],
  command: (config: EnvironmentConfig) => Promise<CommandResult>,
  spec: CommandSpec = { usage: 'this command', summary: '', flags: [] },
): Promise<number> {
  return runCommand(argv, spec, (config) => command(config));
}

/** The entry point of a command-line script: exit with its code; an unexpected error in one line. */
export function exitWith(name: string, run: Promise<number>): void {
  run.then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${name} failed unexpectedly: ${error}\n`);
      process.exit(1);
    },
  );
}
