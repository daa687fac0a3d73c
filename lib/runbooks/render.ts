import * as fs from 'node:fs';
import * as path from 'node:path';
import { type EnvironmentConfig, loadConfig } from '../../config';
import { databaseInstanceIdentifier, partitionOf, regionOf } from '../../config/naming';
import { standbyRole, writerRole } from '../../config/topology';
import type { RunbookKind } from './context';
import { approvalTopicName, fenceRoleName, fenceRunbookName } from './context';
import { runbookDocument, runbookName } from './documents';
import { fenceDocument } from './fence';
import { type AutomationDocument, type StepPhase, stepMinutes, timing } from './step';
import { DRAIN_BOUND_SECONDS } from './switch-steps';

/**
 * The config a runbook is rendered for: prod as it is for the failover
 * runbook; prod one generation on (the DR region writing) for the failback
 * runbook, which exists only then.
 */
function renderConfig(kind: RunbookKind, env: string): EnvironmentConfig {
  const config = loadConfig(env);
  if (kind === 'failover' || writerRole(config) === 'dr') return config;
  return { ...config, failover: { ...config.failover, generation: config.failover.generation + 1 } };
}

const PHASES: { phase: StepPhase; title: string }[] = [
  { phase: 'prepare', title: 'Before the approval (changes nothing)' },
  { phase: 'approval', title: 'Approval (not counted: it waits for a person)' },
  { phase: 'critical', title: 'Critical path: until the new writer takes writes and streaming resumed' },
  { phase: 'after', title: 'After the switch (a failure notifies and does not undo the switch)' },
];

/** The steps that fence the old writer's region (the failover's after activation, the failback's before the switch). */
const FENCE_STEPS = [
  'PromoteSecret',
  'StopReplicator',
  'TryFenceOldRegion',
  'FenceWriter',
  'FenceDatabase',
  'WaitForCatchUp',
];

/** The per-phase step tables and the expected times, computed from the steps' metadata. */
export function timingTables(doc: AutomationDocument, fence = false): string {
  const t = timing(doc);
  const titles = fence
    ? {
        prepare: 'Check (changes nothing)',
        critical: 'Fence (each part is tried; the report lists what was done)',
      }
    : {};
  const tables = PHASES.map(({ phase, title: defaultTitle }) => {
    const title = (titles as Partial<Record<StepPhase, string>>)[phase] ?? defaultTitle;
    const steps = doc.mainSteps.filter((s) => s.phase === phase);
    if (steps.length === 0) return '';
    const rows = steps.map(
      (s) =>
        `| \`${s.name}\` | \`${s.action}\` | ${stepMinutes(s)} | ${s.maxAttempts} / ${s.onFailure} | ${s.description} Verify: ${s.verify} |`,
    );
    return [
      `### ${title}`,
      '',
      '| step | action | minutes | attempts / on failure | what it does; how to verify |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n');
  }).filter(Boolean);
  const sources = doc.mainSteps
    .filter((s) => s.durationSource && stepMinutes(s) >= 1)
    .flatMap((s) => [
      `- \`${s.name}\` (${s.expectedMinutes} min): ${s.durationSource}`,
      ...(s.concurrent ?? []).map(
        (c) => `- \`${s.name}\`, at the same time: ${c.what} (${c.expectedMinutes} min): ${c.durationSource}`,
      ),
    ]);
  const fenceSteps = doc.mainSteps.filter((s) => s.phase === 'critical' && FENCE_STEPS.includes(s.name));
  const fenceMinutes = Math.round(fenceSteps.reduce((m, s) => m + stepMinutes(s), 0) * 10) / 10;
  const concurrent = doc.mainSteps
    .filter((s) => s.phase === 'critical')
    .flatMap((s) => (s.concurrent ?? []).map((c) => ({ step: s, work: c })));
  const summary = fence
    ? `Expected duration: about ${t.total} minutes.`
    : `| | minutes |
| --- | --- |
| expected time to writes resumed (approval excluded) | **${t.writesResumed}** |
| of which: fencing the old writer's region, on the critical path (${fenceSteps.map((s) => `\`${s.name}\``).join(', ')}) | ${fenceMinutes} |
${concurrent.map(({ step, work }) => `| of which, at the same time as \`${step.name}\` (${step.expectedMinutes}): ${work.what} | ${work.expectedMinutes} |\n`).join('')}| expected time to full completion (approval excluded) | ${t.total} |

${targetNote(t.writesResumed)}`;
  return `${summary}

${tables.join('\n')}${sources.length ? `\nWhere the longer durations come from:\n\n${sources.join('\n')}\n` : ''}`;
}

/** The target for writes resumed, in minutes (docs/failover-and-failback.md). */
export const WRITES_RESUMED_TARGET_MINUTES = 15;

/** Whether the computed figure meets the target, said plainly, and what it leaves out. */
function targetNote(writesResumed: number): string {
  const verdict =
    writesResumed <= WRITES_RESUMED_TARGET_MINUTES
      ? `within the ${WRITES_RESUMED_TARGET_MINUTES}-minute target`
      : `**over the ${WRITES_RESUMED_TARGET_MINUTES}-minute target by ${Math.round((writesResumed - WRITES_RESUMED_TARGET_MINUTES) * 10) / 10} minutes**: the critical steps' own bounds and estimates add up to this (where they come from is listed below), and the figure is not trimmed to meet the target`;
  return `Expected time to writes resumed: ${writesResumed} minutes, ${verdict}. Not counted: a replica that is \`backing-up\` (its own backup window) when the promotion is due waits until the backup completes, because RDS cannot promote it meanwhile (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html), and AWS publishes no backup duration; a switch started in the replica's backup window can take that much longer.`;
}

function stepTable(kind: RunbookKind, config: EnvironmentConfig): { table: string; total: number } {
  const here = regionOf(config, standbyRole(config));
  const doc = runbookDocument(kind, config, `arn:${partitionOf(here)}:sns:${here}:<account>:<alarm-topic>`);
  return { table: timingTables(doc), total: timing(doc).total };
}

function commands(kind: RunbookKind, config: EnvironmentConfig, env: string): string {
  const here = regionOf(config, standbyRole(config));
  const name = runbookName(config, kind);
  const stack = `${env}-${standbyRole(config)}-operations`;
  const gate =
    kind === 'failover'
      ? `stops at the readiness gate when any replicated store's lag is
unknown or above its budget (add \`Force=true\` to accept that data loss)`
      : `stops at the re-seed gate unless every readiness check is
healthy (add \`Force=true\` only if you accept what the failed check means)`;
  return `Dry run first (the default): runs the readiness checks and prints the plan,
changing nothing.

\`\`\`bash
aws ssm start-automation-execution --region ${here} --document-name ${name} \\
  --parameters 'AutomationAssumeRole=<role ARN from the ${stack} stack>,Approvers=<arn>'
\`\`\`

Then the real run, which ${gate}:

\`\`\`bash
aws ssm start-automation-execution --region ${here} --document-name ${name} \\
  --parameters 'AutomationAssumeRole=<role ARN>,Approvers=<arn>,DryRun=false'
aws ssm send-automation-signal --region ${here} --automation-execution-id <id> --signal-type Approve
\`\`\``;
}

const HEADER = `<!-- Generated by \`npm run docs:runbooks\` from lib/runbooks/ (failover.ts, fence.ts, steps/); do not edit by hand. -->`;

/** The failover runbook for people, rendered from the deployed document so the two cannot drift. */
export function renderFailoverRunbook(env = 'prod'): string {
  const config = renderConfig('failover', env);
  const here = regionOf(config, standbyRole(config));
  const { table, total } = stepTable('failover', config);
  return `${HEADER}
# Failover runbook (${env})

Document \`${runbookName(config, 'failover')}\` (SSM Automation), deployed in the
standby region: ${here} while the primary writes. (After a failover, once
\`failover.generation\` is raised, the same document is deployed in the primary
region and fails over the other way.) Other environments have the same steps
with their own names; data stores an environment does not replicate are left
out of its document.

## When to use it

- The readiness check recommends failover (alarm \`FailoverRecommended\` from the
  standby region: the writer's region failed several consecutive evaluations), **or**
- the incident commander declares a regional outage of the writer's region that
  the data platform cannot wait out.

Not for: a single degraded check (see the dashboard and the check's detail),
a partial outage a service's own Multi-AZ failover handles, or a planned move
(use the failback runbook's flow, which fences the writer and proves the replica caught up).

## Who approves

The incident commander or the data-platform on-call: pass them as \`Approvers\`.
The execution waits at \`ApproveFailover\` until one of them approves.

## Commands

${commands('failover', config, env)}

## Steps, expected durations and how to verify

${table}

The gate shows each replicated store's lag, budget and where the figure comes
from (read in ${here}, so it is there during an outage of the writer); the
approval request reaches the alarm topic and the \`${approvalTopicName(config, 'failover')}\`
topic, and times out after \`failover.approvalTimeoutMinutes\`
(${config.failover.approvalTimeoutMinutes} min). Every step that changes something
reads the state first: after any failure, **re-run the runbook**; it skips what
is done (a promoted database is not promoted again, a warehouse restored for this
failover is not restored again) and continues. Expected total: about ${total}
minutes, most of it the warehouse restore after the switch.

## After a failover

${here} is now active and nothing replicates to the old primary yet.
\`TryFenceOldRegion\` starts the fence runbook in ${regionOf(config, writerRole(config))}; during an
outage it cannot, and the final message says so. **When ${regionOf(config, writerRole(config))} answers
again, run the fence runbook there** ([fence.md](fence.md)) before anything
else: until then its record, job submission, database and S3 rule still act as
the writer's, and preflight refuses every deploy. Do **not** redeploy while the
old region is down. When it is back and fenced, follow
[failback.md](failback.md): raise \`failover.generation\` to
${config.failover.generation + 1}, deploy (this re-seeds the old region as the
standby), then run the failback runbook.
`;
}

/** The failback runbook for people: the re-seed by redeploy, the document's steps, and the way back to normal. */
export function renderFailbackRunbook(env = 'prod'): string {
  const config = renderConfig('failback', env);
  const generation = config.failover.generation;
  const here = regionOf(config, standbyRole(config));
  const writer = regionOf(config, writerRole(config));
  const reseeded = databaseInstanceIdentifier(config, standbyRole(config));
  const { table, total } = stepTable('failback', config);
  return `${HEADER}
# Failback runbook (${env})

Failing back is planned work in a change window, in three parts: **re-seed** the
old primary (${here}) from the current writer (${writer}) by raising
\`failover.generation\` and deploying; **switch back** with the SSM Automation
document \`${runbookName(config, 'failback')}\`, deployed in ${here} while
${writer} writes (odd generations); then **re-seed the DR region** by raising
the generation once more. Region roles are data: stack names stay
\`${env}-primary-*\` and \`${env}-dr-*\`, and the generation decides which
region writes (even: primary, odd: DR).

## When to use it

After a failover, when the old primary region has recovered, the readiness
dashboard shows it healthy, and the consumers have agreed a window. Not during
an incident: the failback runbook refuses unless the re-seed is complete.

## Who approves

The data-platform owner, with the consumers' agreement on the window: pass them
as \`Approvers\`. The execution waits at \`ApproveFailback\`.

## 1. Re-seed the old primary (generation ${generation - 1} to ${generation})

1. In \`config/${env}.ts\` set \`failover: { generation: ${generation}, ... }\`, commit,
   and check the change: \`npx cdk diff -c env=${env}\`. Expect (every stack pair
   is checked offline by the transition test; [failover-generations.md](../failover-generations.md)
   lists what changes, stack by stack, and the deploy order):
   - \`${env}-dr-database\`: the promoted instance keeps \`SourceDBInstanceIdentifier\`
     and \`SourceRegion\` exactly as it was created (removing them would make
     CloudFormation promote it a second time, which fails on a promoted instance),
     and takes the writer's settings in place: backup retention, Multi-AZ, the
     master password in the generation's Secrets Manager secret (replicated to the other region), backups replicated to ${here}. \`cdk diff\` marks
     three of them "may be replaced"; the RDS resource provider updates them in place
     for an instance outside a DB cluster;
   - \`${env}-primary-database\`: a new read replica \`${reseeded}\` of the ${writer}
     writer **replaces** the old writer under its new name. CloudFormation keeps the
     old instance **running** (\`UpdateReplacePolicy: Retain\`): it may hold writes
     that never reached ${writer} before the outage;
   - storage: ${writer} buckets replicate to ${here}; the MSK Replicator and the
     warehouse snapshot copy turn round; the active-region record reads ${writer};
   - \`${env}-primary-operations\`: the failback document appears.
2. Deploy: \`npm run deploy -- -c env=${env}\`. Preflight first reads
   \`/dra/${env}/active-region\` in **both** regions and refuses while they disagree
   (run the fence runbook in ${here} first: [fence.md](fence.md)) or while they do not
   name ${writer}. Stack dependencies deploy the standby's buckets before the writer's
   replication rule and the writer's database before the new replica. When the deploy
   has finished, it reports the old writer it left running and what keeping it costs.
3. Recover the old writer's last writes: anything committed in ${here} after its last
   replicated transaction is only in the old instance. Compare it with ${writer} (for
   example by the outbox table's sequence) and re-apply what is missing there. Then
   retire it: \`npm run retire-old-writer -- -c env=${env} --delete\` turns its deletion
   protection off and deletes it with a final snapshot; its automated backups stay
   for their retention period.
   If the deploy fails at \`${env}-dr-database\` after the instance was modified
   (for example the backup replication to ${here} was refused), CloudFormation's
   rollback asks RDS to turn the managed master password off again, which RDS
   refuses, and the stack stops in \`UPDATE_ROLLBACK_FAILED\`. The instance itself
   is fine. Finish the rollback without touching it:
   \`aws cloudformation continue-update-rollback --region ${writer} --stack-name ${env}-dr-database --resources-to-skip <the PostgresInstance logical id>\`,
   fix the cause, and deploy again.
4. Objects written in ${writer} before its replication rule existed are not
   replicated by the rule: copy them with S3 Batch Replication
   (\`aws s3control create-job ... --operation '{"S3ReplicateObject":{}}'\`, manifest
   generated for the bucket, replication status \`NONE\`/\`FAILED\`).
5. The Global Datastore keeps its membership when the failover's \`StartSwitch\`
   and \`WaitForWrites\` steps failed it over: the ${here} member is a secondary
   again once its region is back. Check
   \`aws elasticache describe-global-replication-groups --show-member-info\`.
   If they reported a disassociation (${here} could not take part), the ${writer}
   cache now runs on its own: record it in config as
   \`elasticache.globalDatastoreMembership: 'dissolved'\`, so readiness and the
   runbooks stop expecting the datastore, and deploy. Re-forming it is manual:
   ElastiCache cannot add a group that already holds data, and this project does
   not automate it. Until then the failback runbook does not fail the cache over
   and ${here}'s cache starts cold after the switch back.
6. Wait until the readiness check in ${here} reports every check healthy
   (dashboard \`dra-${env}-dr-readiness\`, or invoke \`dra-${env}-readiness\` in ${here}).
   The re-seed gate below refuses until then.

## 2. Switch back (document \`${runbookName(config, 'failback')}\`, in ${here})

${commands('failback', config, env)}

### Steps, expected durations and how to verify

${table}

Expected total for a real run: about ${total} minutes. Writes stop at
\`FenceWriter\` (every job run in ${writer}, QUEUED included, and job
submission there) and \`FenceDatabase\` (the ${writer} database refuses writes);
\`WaitForCatchUp\` then proves by WAL position and marker row that the replica
here replayed everything, not by \`ReplicaLag\`, which for PostgreSQL grows once
writes stop. So PostgreSQL loses nothing, and the Global Datastore fails over
with both sides up.
The warehouse is restored from the newest snapshot copied to ${here}, which is
up to \`redshift.snapshotIntervalHours\` (${config.redshift.snapshotIntervalHours} h) old: to lose nothing there either,
stop loads into Redshift before the window, take a snapshot in ${writer} and wait
until the \`redshift\` readiness check shows a copy newer than it.

### If it fails before StartSwitch

\`FenceWriter\`, \`FenceDatabase\`, \`WaitForCatchUp\` and \`WaitForDrain\` change
nothing that cannot be undone: nothing is promoted, failed over or cut until
\`StartSwitch\`. A failure there (for example \`WaitForDrain\` naming what is still
pending after ${DRAIN_BOUND_SECONDS / 60} minutes) leaves ${writer} **fenced**: its record names
${here}, its job submission refuses, its database is read-only with the application
logins blocked. Either fix the cause and re-run the runbook (it resumes), or give the
failback up and undo the fence by hand (the runbook does not do it for you):

1. \`aws ssm put-parameter --region ${writer} --name /dra/${env}/active-region --type String --overwrite --value ${writer}\`
   (and the same in ${here} if it was changed there);
2. \`aws lambda invoke --region ${writer} --function-name dra-${env}-postgres-control --cli-binary-format raw-in-base64-out --payload '{"action":"unfence"}' out.json\`
   (writable again, the blocked logins given back; \`out.json\` lists them);
3. resubmit the streaming jobs in ${writer} (\`05-streaming-kafka\` and \`04-stream-sales-to-kafka\`)
   through \`dra-${env}-submit-job\`, as after a deploy;
4. delete the parameter \`/dra/${env}/switch-in-progress\` in ${here}, so that the next
   failback is not taken for a resume.

After \`StartSwitch\` there is no way back but forward: re-run the runbook.

## 3. After: re-seed the DR region (generation ${generation} to ${generation + 1})

Set \`failover.generation\` to ${generation + 1} and deploy as in part 1 (preflight
refuses any deploy until you do: the record now names ${here}). The primary's
promoted \`${reseeded}\` stays the writer under that name, the DR region gets a
new replica \`${databaseInstanceIdentifier({ ...config, failover: { ...config.failover, generation: generation + 1 } }, 'dr')}\`,
replication runs from ${here} to ${writer} again, the failback document is removed
and the failover document is back in ${writer}.
`;
}

/** The fence runbook for people: when to run it and what it does. */
export function renderFenceRunbook(env = 'prod'): string {
  const config = loadConfig(env);
  const writer = writerRole(config);
  const standby = standbyRole(config);
  const old = regionOf(config, writer);
  const doc = fenceDocument(
    config,
    writer,
    `arn:${partitionOf(old)}:sns:${old}:<account>:<alarm-topic>`,
    '<fence role>',
  );
  const name = fenceRunbookName(config);
  return `${HEADER}
# Fence runbook (${env})

Document \`${name}\` (SSM Automation), deployed in **both** regions. Run it in a
region that answers again after the other region took over (a failover during
its outage), so that it no longer acts as the writer: it sets its active-region
record to the new writer (job submission there then refuses), cancels its Spark
job runs (QUEUED included) and stops the application, makes its PostgreSQL
database read-only (\`dra-${env}-postgres-control\` fence),
disables its S3 replication rules toward the new writer and deletes the MSK
Replicator that copies from it into the new writer, and reports what it did to
its alarm topic.

## When to run it

- The failover runbook's last message says it could not start the fence (the
  old region did not answer): run it once that region answers.
- Preflight refuses a deploy because the active-region records of the two
  regions disagree: it names the region to fence.

It refuses unless the other region's record names that region (so the only
writer is never fenced); \`Force=true\` skips that check. Every part reads the
state first, so it can be re-run; it fails (after reporting) when a part could
not be done.

## Command

For example, after a failover of ${env} from ${old} to ${regionOf(config, standby)}:

\`\`\`bash
aws ssm start-automation-execution --region ${old} --document-name ${name}
\`\`\`

The role it runs as is its \`AutomationAssumeRole\` default (\`${fenceRoleName(config, old)}\`).

## Steps

${timingTables(doc, true)}
`;
}

if (require.main === module) {
  const dir = path.join(__dirname, '..', '..', 'docs', 'runbooks');
  for (const [file, render] of [
    ['failover.md', renderFailoverRunbook],
    ['failback.md', renderFailbackRunbook],
    ['fence.md', renderFenceRunbook],
  ] as const) {
    fs.writeFileSync(path.join(dir, file), render());
    process.stdout.write(`wrote ${path.join(dir, file)}\n`);
  }
}
