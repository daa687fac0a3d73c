import type { EnvironmentConfig } from '../../config';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import {
  activeRegionParameterName,
  cacheReplicationGroupId,
  databaseInstanceIdentifier,
  globalDatastoreId,
  regionOf,
  resourceName,
  warehouseName,
} from '../naming';

/** One step of an SSM Automation document, with what a person needs to run and check it. */
export interface RunbookStep {
  readonly name: string;
  readonly action: string;
  /** What the step does and how to verify it worked (shown in the console and in docs/runbooks). */
  readonly description: string;
  /** Typical duration, for the runbook's timing table. */
  readonly expectedMinutes: number;
  readonly inputs: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

export interface AutomationDocument {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Record<
    string,
    { type: string; description: string; default?: unknown; allowedPattern?: string }
  >;
  readonly mainSteps: readonly RunbookStep[];
}

export const FAILOVER_STREAMING_JOBS = ['04-stream-sales-to-kafka', '05-streaming-kafka'] as const;

const GATE = `import json

def gate(events, context):
    report = events["Payload"]
    if isinstance(report, str):
        report = json.loads(report)
    rpo = report.get("estimatedRpoSeconds")
    budget = float(events["RpoBudget"])
    force = str(events["Force"]).lower() == "true"
    dry_run = str(events["DryRun"]).lower() == "true"
    complete = bool(report.get("rpoComplete"))
    within = rpo is not None and float(rpo) <= budget and complete
    reason = (
        f"estimated RPO {rpo}s (complete: {complete}) against a budget of {budget:.0f}s; "
        f"recommendation: {report.get('decision', 'n/a')}"
    )
    if not within and not force and not dry_run:
        raise Exception("Refusing to fail over: " + reason + ". Re-run with Force=true to accept the data loss.")
    return {"Allowed": within or force, "EstimatedRpo": str(rpo), "Reason": reason}
`;

const REPORT = `def report(events, context):
    steps = events["Plan"]
    lines = [f"{i + 1}. {s['name']}: {s['description']}" for i, s in enumerate(steps)]
    return {"Plan": "DRY RUN - nothing was changed. A real run would do:\\n" + "\\n".join(lines)}
`;

const RESTORE_WAREHOUSE = `import boto3

def restore(events, context):
    client = boto3.client("redshift-serverless")
    snapshots = []
    paginator = client.get_paginator("list_snapshots")
    for page in paginator.paginate():
        snapshots += [s for s in page["snapshots"] if s.get("namespaceName") == events["Namespace"] and s.get("status") == "AVAILABLE"]
    if not snapshots:
        raise Exception("No available snapshot of " + events["Namespace"] + " in this region; restore by hand from the newest copy.")
    newest = max(snapshots, key=lambda s: s["snapshotCreateTime"])
    client.restore_from_snapshot(
        namespaceName=events["Namespace"], workgroupName=events["Workgroup"], snapshotName=newest["snapshotName"]
    )
    return {"SnapshotName": newest["snapshotName"], "SnapshotTime": newest["snapshotCreateTime"].isoformat()}
`;

const ACTIVATE = `import boto3
from botocore.config import Config

def activate(events, context):
    name, here, other = events["Parameter"], events["ThisRegion"], events["OtherRegion"]
    boto3.client("ssm", region_name=here).put_parameter(Name=name, Value=here, Type="String", Overwrite=True)
    try:
        quick = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1})
        boto3.client("ssm", region_name=other, config=quick).put_parameter(Name=name, Value=here, Type="String", Overwrite=True)
        other_updated = True
    except Exception as error:
        other_updated = False
        print("Could not update the record in " + other + " (expected during its outage): " + str(error))
    return {"OtherRegionUpdated": other_updated}
`;

const START_SPARK = `import boto3

def start(events, context):
    client = boto3.client("emr-serverless")
    apps = [a for a in client.list_applications()["applications"] if a["name"] == events["Name"] and a["state"] != "TERMINATED"]
    if not apps:
        raise Exception("No EMR Serverless application named " + events["Name"] + " in this region")
    client.start_application(applicationId=apps[0]["id"])
    return {"ApplicationId": apps[0]["id"]}
`;

const script = (
  handler: string,
  code: string,
  inputs: Record<string, unknown>,
  outputs: [string, string][],
) => ({
  inputs: { Runtime: 'python3.11', Handler: handler, Script: code, InputPayload: inputs },
  outputs: outputs.map(([Name, Type]) => ({ Name, Selector: `$.Payload.${Name}`, Type })),
});

/**
 * The failover runbook: an SSM Automation document run in the DR region to make
 * it the active region. Steps are ordered as the DR rules require: readiness gate
 * (refuses when the estimated RPO exceeds the budget, unless forced), dry-run
 * exit, manual approval, then the data stores, the active-region records, Spark
 * and the streaming jobs, and a notification. DryRun defaults to true.
 */
export function failoverDocument(config: EnvironmentConfig, topicArn: string): AutomationDocument {
  const dr = regionOf(config, 'dr');
  const primary = regionOf(config, 'primary');
  const db = databaseInstanceIdentifier(config);
  const steps: RunbookStep[] = [];
  const add = (step: RunbookStep) => steps.push(step);

  add({
    name: 'CheckReadiness',
    action: 'aws:invokeLambdaFunction',
    description: `Runs the readiness checks now (dra-${config.name}-readiness in ${dr}). Verify: the step output Payload is a readiness report.`,
    expectedMinutes: 1,
    inputs: { FunctionName: resourceName(config, 'readiness'), InvocationType: 'RequestResponse' },
    outputs: [{ Name: 'Payload', Selector: '$.Payload', Type: 'String' }],
  });
  add({
    name: 'GateOnRpo',
    action: 'aws:executeScript',
    description: `Refuses to continue when the estimated RPO is unknown or above ${config.failover.rpoBudgetSeconds}s, unless Force=true. Verify: the Reason output states the RPO and the readiness recommendation.`,
    expectedMinutes: 1,
    ...script(
      'gate',
      GATE,
      {
        Payload: '{{CheckReadiness.Payload}}',
        RpoBudget: String(config.failover.rpoBudgetSeconds),
        Force: '{{Force}}',
        DryRun: '{{DryRun}}',
      },
      [
        ['Allowed', 'Boolean'],
        ['EstimatedRpo', 'String'],
        ['Reason', 'String'],
      ],
    ),
  });
  add({
    name: 'BranchOnDryRun',
    action: 'aws:branch',
    description: 'With DryRun=true (the default) goes to ReportDryRun and changes nothing.',
    expectedMinutes: 0,
    inputs: {
      Choices: [{ NextStep: 'ReportDryRun', Variable: '{{DryRun}}', BooleanEquals: true }],
      Default: 'ApproveFailover',
    },
  });
  add({
    name: 'ReportDryRun',
    action: 'aws:executeScript',
    description: 'Prints the steps a real run would take and ends. Verify: the Plan output lists them.',
    expectedMinutes: 0,
    isEnd: true,
    ...script('report', REPORT, { Plan: '__PLAN__' }, [['Plan', 'String']]),
  });
  add({
    name: 'ApproveFailover',
    action: 'aws:approve',
    description:
      'Waits for one of the Approvers (the incident commander or the data platform on-call) to approve. Verify: the approval is recorded on the execution.',
    expectedMinutes: 5,
    inputs: {
      Approvers: '{{Approvers}}',
      MinRequiredApprovals: 1,
      Message: `Fail over ${config.name} from ${primary} to ${dr}? Readiness: {{GateOnRpo.Reason}}`,
    },
  });
  if (config.rds.crossRegionReplica) {
    add({
      name: 'PromoteDatabase',
      action: 'aws:executeAwsApi',
      description: `Promotes the read replica ${db} in ${dr} to a standalone writer. Verify: DescribeDBInstances shows no ReadReplicaSourceDBInstanceIdentifier.`,
      expectedMinutes: 10,
      inputs: {
        Service: 'rds',
        Api: 'PromoteReadReplica',
        DBInstanceIdentifier: db,
        BackupRetentionPeriod: config.rds.backupRetentionDays,
      },
    });
    add({
      name: 'WaitForDatabase',
      action: 'aws:waitForAwsResourceProperty',
      description: `Waits until ${db} is available as a writer. Verify: status available; the endpoint in /dra/${config.name}/rds/endpoint accepts writes.`,
      expectedMinutes: 10,
      timeoutSeconds: 3600,
      inputs: {
        Service: 'rds',
        Api: 'DescribeDBInstances',
        DBInstanceIdentifier: db,
        PropertySelector: '$.DBInstances[0].DBInstanceStatus',
        DesiredValues: ['available'],
      },
    });
    if (config.rds.multiAz) {
      add({
        name: 'MakeDatabaseMultiAz',
        action: 'aws:executeAwsApi',
        description: `Converts the promoted ${db} to Multi-AZ, as the primary was. Verify: MultiAZ true after the modification completes (runs in the background).`,
        expectedMinutes: 20,
        inputs: {
          Service: 'rds',
          Api: 'ModifyDBInstance',
          DBInstanceIdentifier: db,
          MultiAZ: true,
          ApplyImmediately: true,
        },
      });
    }
  }
  if (config.elasticache.globalDatastore) {
    add({
      name: 'FailoverCache',
      action: 'aws:executeAwsApi',
      description: `Makes the ${dr} member the primary of the Global Datastore. Verify: DescribeGlobalReplicationGroups shows ${cacheReplicationGroupId(config)} in ${dr} as PRIMARY.`,
      expectedMinutes: 5,
      inputs: {
        Service: 'elasticache',
        Api: 'FailoverGlobalReplicationGroup',
        GlobalReplicationGroupId: globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES),
        PrimaryRegion: dr,
        PrimaryReplicationGroupId: cacheReplicationGroupId(config),
      },
    });
  }
  if (config.redshift.mode === 'serverless') {
    add({
      name: 'RestoreWarehouse',
      action: 'aws:executeScript',
      description: `Restores the idle ${dr} warehouse from the newest snapshot copied from ${primary}. Verify: the SnapshotName output, and the namespace status AVAILABLE after the restore.`,
      expectedMinutes: 30,
      timeoutSeconds: 600,
      ...script(
        'restore',
        RESTORE_WAREHOUSE,
        { Namespace: warehouseName(config), Workgroup: warehouseName(config) },
        [
          ['SnapshotName', 'String'],
          ['SnapshotTime', 'String'],
        ],
      ),
    });
  }
  add({
    name: 'ActivateDrRegion',
    action: 'aws:executeScript',
    description: `Sets ${activeRegionParameterName(config)} to ${dr} here and, if reachable, in ${primary}. Clients and jobs read this record and then the endpoints published in that region, so this points them at the DR MSK cluster and data stores. Verify: the parameter reads ${dr} in ${dr}.`,
    expectedMinutes: 1,
    ...script(
      'activate',
      ACTIVATE,
      { Parameter: activeRegionParameterName(config), ThisRegion: dr, OtherRegion: primary },
      [['OtherRegionUpdated', 'Boolean']],
    ),
  });
  add({
    name: 'StartSpark',
    action: 'aws:executeScript',
    description: `Starts the ${resourceName(config, 'spark')} EMR Serverless application in ${dr}. Verify: application state STARTED.`,
    expectedMinutes: 3,
    ...script('start', START_SPARK, { Name: resourceName(config, 'spark') }, [['ApplicationId', 'String']]),
  });
  for (const job of FAILOVER_STREAMING_JOBS) {
    add({
      name: `Resubmit${job.slice(0, 2)}`,
      action: 'aws:invokeLambdaFunction',
      description: `Resubmits ${job} through the job submission function in ${dr} (idempotent per execution). Verify: the Payload has ok true and a jobRunId.`,
      expectedMinutes: 1,
      inputs: {
        FunctionName: resourceName(config, 'submit-job'),
        InvocationType: 'RequestResponse',
        Payload: JSON.stringify({
          job,
          force: true,
          idempotencyKey: `failover-{{automation:EXECUTION_ID}}-${job.slice(0, 2)}`,
        }),
      },
    });
  }
  add({
    name: 'Notify',
    action: 'aws:executeAwsApi',
    description:
      'Tells the alarm topic subscribers that the DR region is now active. Verify: the message arrives.',
    expectedMinutes: 0,
    isEnd: true,
    inputs: {
      Service: 'sns',
      Api: 'Publish',
      TopicArn: topicArn,
      Subject: `dual-region-analytics ${config.name}: failed over to ${dr}`,
      Message: `Execution {{automation:EXECUTION_ID}} made ${dr} the active region of ${config.name}. Readiness before failover: {{GateOnRpo.Reason}}`,
    },
  });

  // The dry run prints the real steps (everything after the dry-run exit).
  const plan = steps
    .slice(steps.findIndex((s) => s.name === 'ApproveFailover'))
    .map((s) => ({ name: s.name, description: s.description }));
  const report = steps.find((s) => s.name === 'ReportDryRun') as RunbookStep & {
    inputs: { InputPayload: Record<string, unknown> };
  };
  report.inputs.InputPayload.Plan = plan;

  return {
    schemaVersion: '0.3',
    description: `Fail over dual-region-analytics ${config.name} from ${primary} to ${dr}. Run in ${dr}. DryRun defaults to true.`,
    assumeRole: '{{AutomationAssumeRole}}',
    parameters: {
      AutomationAssumeRole: {
        type: 'String',
        description: 'Role the automation runs as (deployed with this document).',
      },
      DryRun: {
        type: 'Boolean',
        description: 'Run the checks and print the plan without changing anything.',
        default: true,
      },
      Force: {
        type: 'Boolean',
        description: 'Fail over even when the estimated RPO is above the budget or unknown.',
        default: false,
      },
      Approvers: { type: 'StringList', description: 'IAM users or roles allowed to approve the failover.' },
    },
    mainSteps: steps,
  };
}
