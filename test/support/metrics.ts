import { Metrics } from '@aws-lambda-powertools/metrics';

/** One EMF document as Powertools prints it (CloudWatch embedded metric format). */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: { readonly Name: string; readonly Unit?: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** The EMF documents a run printed, and what Powertools itself warned about. */
export interface MetricsRun<T> {
  readonly result: T;
  readonly emf: EmfDocument[];
  readonly warnings: string[];
}

/**
 * Runs `run` with Powertools Metrics set up as a handler has them, and publishes the stored
 * metrics after it as the handlers' `finally` does. What Metrics prints is kept for the test
 * instead of reaching Jest's report (`npm test` prints Jest's report and nothing else): the EMF
 * lines it writes to stdout (always stdout, whatever the logger: the `logger` option's TSDoc in
 * @aws-lambda-powertools/metrics) and its own warnings, such as "No application metrics to
 * publish", which go to the `logger` option.
 */
export async function withMetrics<T>(
  options: { namespace: string; serviceName: string },
  run: (metrics: Metrics) => Promise<T>,
): Promise<MetricsRun<T>> {
  const lines: string[] = [];
  const warnings: string[] = [];
  const keep = (...content: unknown[]) => void warnings.push(content.map(String).join(' '));
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const metrics = new Metrics({
      ...options,
      logger: { debug: () => undefined, info: () => undefined, warn: keep, error: keep },
    });
    const result = await run(metrics);
    metrics.publishStoredMetrics();
    const emf = lines
      .join('')
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as EmfDocument);
    return { result, emf, warnings };
  } finally {
    spy.mockRestore();
  }
}
