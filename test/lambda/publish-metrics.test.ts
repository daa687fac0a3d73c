import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { withMetrics } from '../support/metrics';

const options = { namespace: 'Test', serviceName: 'publish' };

describe('publishStored (the handlers finally)', () => {
  it('says nothing when the run emitted single metrics only (readiness, canary)', async () => {
    const run = await withMetrics(options, async (metrics) => {
      metrics.singleMetric().addMetric('CanaryRuns', MetricUnit.Count, 1);
    });
    expect(run.warnings).toEqual([]);
    expect(run.emf.map((d) => d.CanaryRuns)).toEqual([1]);
  });

  it('publishes what the run stored (job submission)', async () => {
    const run = await withMetrics(options, async (metrics) => {
      metrics.addMetric('JobsSubmitted', MetricUnit.Count, 1);
    });
    expect(run.warnings).toEqual([]);
    expect(run.emf.map((d) => d.JobsSubmitted)).toEqual([1]);
  });
});
