import { ConfigError, DEFAULT_ENVIRONMENT, type EnvironmentConfig, loadConfig } from '../config';

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

/** What a deploy-tooling command decided: printed to stdout when ok, stderr otherwise. */
export interface CommandResult {
  readonly ok: boolean;
  readonly message: string;
}

/**
 * Runs a deploy-tooling command for the environment named in argv: prints its result
 * and returns the exit code. A config mistake is printed as its message, no stack trace.
 */
export async function runForEnvironment(
  argv: readonly string[],
  command: (config: EnvironmentConfig) => Promise<CommandResult>,
): Promise<number> {
  try {
    const result = await command(loadConfig(environmentFromArgs(argv)));
    (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
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
