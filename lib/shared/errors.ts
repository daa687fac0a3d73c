/**
 * A mistake in how the platform is put together (a construct given subnets it
 * cannot use, say), worded for the person who made it. bin/app.ts prints it
 * without a stack trace, like a ConfigError.
 */
export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
  }
}
