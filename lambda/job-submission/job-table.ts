import { JOB_CATALOG } from './job-catalog';

/** The job table of docs/spark-jobs.md, generated from the catalog (`npx tsx lambda/job-submission/job-table.ts`). */
export function jobTable(): string {
  const rows = JOB_CATALOG.map((job) => {
    const args = job.arguments
      .map((a) =>
        a.filledBy
          ? `\`--${a.name}\` (platform)`
          : `\`--${a.name}\` (${a.default ?? 'required'}${a.min !== undefined || a.max !== undefined ? `; ${a.min ?? '-∞'} to ${a.max ?? '∞'}` : ''})`,
      )
      .join(', ');
    return `| ${job.name} | ${job.mode} | \`scripts/${job.file}\` | ${args} | ${job.description} |`;
  });
  return [
    '| job | mode | file | arguments (default) | does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

if (require.main === module) process.stdout.write(`${jobTable()}\n`);
