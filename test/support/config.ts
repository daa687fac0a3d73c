import { ConfigError, validateConfig } from '../../config';
import type { EnvironmentConfigInput } from '../../config/schema';

/** Validates a mutated copy of a shipped config and returns the error message (or fails). */
export function rejectionOf(base: EnvironmentConfigInput, mutate: (c: any) => void): string {
  const copy: any = structuredClone(base);
  mutate(copy);
  try {
    validateConfig(copy, 'config/test.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}
