import { sdkError } from '../aws-model';
import { AwsError, ConnectionFailure, type FakeWorld } from './world';

/**
 * Routes an AWS SDK for JavaScript v3 client's calls to the fake world, so that
 * TypeScript code under test (the readiness handler) runs against the same
 * region-aware AWS as the runbooks' Python steps, checked by the same model
 * checker (FakeWorld.call). A middleware at the start of the stack answers
 * from the world: the request is never serialized, signed or sent.
 *
 * What the world reports becomes what the SDK raises:
 * - a service error (AwsError): the exception class the client package models
 *   for that code, with `$metadata.httpStatusCode` and `$fault` (aws-model.ts sdkError);
 * - a refused connection: Node's socket error, `code: 'ECONNREFUSED'`, which
 *   @smithy/node-http-handler passes on unchanged (it renames only ECONNRESET,
 *   EPIPE and ETIMEDOUT to TimeoutError: NODEJS_TIMEOUT_ERROR_CODES);
 * - an endpoint that hangs: the handler's TimeoutError once `connectionTimeout`
 *   passes (its message, node-http-handler setConnectionTimeout), raised at
 *   once: the world's clock does not move for a function's own timeouts.
 */
export interface SdkWorldOptions {
  /** The boto3 name of the client's service (rds, redshift-serverless, ...). */
  readonly service: string;
  readonly region: string;
  /** Who calls: the calls go to world.functionCalls under this name, not to the automation's log. */
  readonly caller: string;
  /** The client's connectionTimeout in ms, for the message of a hung call. */
  readonly connectionTimeoutMs?: number;
}

/** What this needs of an SDK v3 client: its middleware stack. */
interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<{ output: object; response: unknown }>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/**
 * `world` is the world to answer from, or a function giving it at each call (clients shared by
 * the worlds of a test file, each evaluation naming its own: readiness.ts).
 */
export function answeredByWorld<C extends WithMiddleware>(
  client: C,
  world: FakeWorld | (() => FakeWorld),
  options: SdkWorldOptions,
): C {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      try {
        const answer = (await (typeof world === 'function' ? world() : world).call(
          options.region,
          options.service,
          operation,
          args.input as Record<string, unknown>,
          { caller: options.caller },
        )) as Record<string, unknown>;
        const output = {
          ...answer,
          $metadata: { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 },
        };
        return { output, response: {} };
      } catch (error) {
        if (error instanceof AwsError)
          throw sdkError(options.service, error.code, error.message, error.status);
        if (error instanceof ConnectionFailure) {
          if (error.mode === 'hang') {
            const ms = options.connectionTimeoutMs ?? 3000;
            throw Object.assign(
              new Error(
                `@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of ${ms} ms.`,
              ),
              { name: 'TimeoutError' },
            );
          }
          const host = new URL(error.endpoint).host;
          throw Object.assign(new Error(`connect ECONNREFUSED ${host}:443`), {
            code: 'ECONNREFUSED',
            errno: -111,
            syscall: 'connect',
          });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'answeredByFakeWorld', priority: 'high' },
  );
  return client;
}
