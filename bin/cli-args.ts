import { DEFAULT_ENVIRONMENT } from '../config';

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
