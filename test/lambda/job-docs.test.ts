import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSubmitArgs } from '../../bin/submit';
import { jobTable } from '../../lambda/job-submission/job-table';

describe('job documentation', () => {
  it('docs/spark-jobs.md lists exactly the jobs of the catalog (regenerate with npx tsx lambda/job-submission/job-table.ts)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'spark-jobs.md'), 'utf8');
    expect(readme).toContain(jobTable());
  });
});

describe('npm run submit argument parsing', () => {
  it('reads job, typed arguments, idempotency key, region and force', () => {
    expect(
      parseSubmitArgs([
        '-c',
        'env=dev',
        '--job',
        '04-stream-sales-to-kafka',
        '--arg',
        'message_delay=0.2',
        '--arg',
        'write_topic=topicC',
        '--idempotency-key',
        'k',
        '--region',
        'dr',
        '--force',
      ]),
    ).toEqual({
      job: '04-stream-sales-to-kafka',
      arguments: { message_delay: 0.2, write_topic: 'topicC' },
      idempotencyKey: 'k',
      region: 'dr',
      force: true,
      resumeFromGroup: false,
    });
  });

  it('asks for a resume from the consumer group with --resume-from-group', () => {
    expect(
      parseSubmitArgs(['--job', '05-streaming-kafka', '--region', 'dr', '--resume-from-group']),
    ).toMatchObject({ job: '05-streaming-kafka', region: 'dr', resumeFromGroup: true });
    expect(parseSubmitArgs(['--job', '05-streaming-kafka']).resumeFromGroup).toBe(false);
  });
});
