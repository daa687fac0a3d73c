import type { EnvironmentConfig } from '../../config';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import {
  activeRegionParameterName,
  cacheReplicationGroupId,
  databaseInstanceIdentifier,
  globalDatastoreId,
  parameterName,
  regionOf,
  resourceName,
  warehouseName,
} from '../naming';
import { standbyRole, writerRole } from '../topology';

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

/** The two runbooks: an unplanned failover, and the planned switch back after re-seeding (failback). */
export type RunbookKind = 'failover' | 'failback';

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

const RESEED_GATE = `import json

def gate(events, context):
    report = events["Payload"]
    if isinstance(report, str):
        report = json.loads(report)
    force = str(events["Force"]).lower() == "true"
    dry_run = str(events["DryRun"]).lower() == "true"
    not_ready = [
        f"{c['name']} {c['status']} ({c.get('detail', '')})"
        for c in report.get("checks", [])
        if c.get("status") != "healthy"
    ]
    if not report.get("checks"):
        not_ready.append("no checks in the readiness report")
    rpo = report.get("estimatedRpoSeconds")
    reason = f"estimated RPO {rpo}s; not healthy: {', '.join(not_ready) if not_ready else 'none'}"
    if not_ready and not force and not dry_run:
        raise Exception(
            "Refusing to fail back: the old writer is not fully re-seeded: " + reason
            + ". Finish the re-seed (docs/runbooks/failback.md) or re-run with Force=true."
        )
    return {"Allowed": not not_ready or force, "EstimatedRpo": str(rpo), "Reason": reason}
`;

const QUIESCE = `import boto3

def quiesce(events, context):
    client = boto3.client("emr-serverless", region_name=events["Region"])
    apps = [a for a in client.list_applications()["applications"] if a["name"] == events["Name"] and a["state"] != "TERMINATED"]
    cancelled = []
    for app in apps:
        paginator = client.get_paginator("list_job_runs")
        for page in paginator.paginate(applicationId=app["id"], states=["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING"]):
            for run in page["jobRuns"]:
                if run.get("name") in events["Jobs"]:
                    client.cancel_job_run(applicationId=app["id"], jobRunId=run["id"])
                    cancelled.append(run["name"] + ":" + run["id"])
    return {"Cancelled": ", ".join(cancelled) or "none running"}
`;

const CATCH_UP = `import time
from datetime import datetime, timedelta, timezone
import boto3

def wait(events, context):
    client = boto3.client("cloudwatch")
    deadline = time.time() + int(events["TimeoutSeconds"])
    while True:
        now = datetime.now(timezone.utc)
        data = client.get_metric_data(
            MetricDataQueries=[{
                "Id": "lag",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/RDS", "MetricName": "ReplicaLag",
                               "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": events["Replica"]}]},
                    "Period": 60, "Stat": "Maximum"},
            }],
            StartTime=now - timedelta(minutes=3), EndTime=now, ScanBy="TimestampDescending",
        )
        values = data["MetricDataResults"][0]["Values"]
        if len(values) >= 2 and max(values[:2]) <= float(events["MaxLagSeconds"]):
            return {"LagSeconds": str(values[0])}
        if time.time() > deadline:
            raise Exception("Replica " + events["Replica"] + " did not catch up (last values: " + str(values[:3]) + "); nothing was switched. Check that writes have stopped and retry.")
        time.sleep(30)
`;

const RESTORE_CLUSTER = `from datetime import datetime, timezone
import boto3

def restore(events, context):
    client = boto3.client("redshift")
    name, source = events["Cluster"], events["SourceRegion"]
    snapshots = []
    for page in client.get_paginator("describe_cluster_snapshots").paginate(ClusterIdentifier=name):
        snapshots += [
            s for s in page["Snapshots"]
            if s.get("Status") == "available" and s.get("SourceRegion") == source
        ]
    if not snapshots:
        raise Exception("No available snapshot of " + name + " copied from " + source + " in this region; restore by hand.")
    newest = max(snapshots, key=lambda s: s["SnapshotCreateTime"])
    # The idle cluster of the same shape supplies the network, parameters and roles.
    idle = client.describe_clusters(ClusterIdentifier=name)["Clusters"][0]
    target = name + "-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
    client.restore_from_cluster_snapshot(
        ClusterIdentifier=target,
        SnapshotIdentifier=newest["SnapshotIdentifier"],
        ClusterSubnetGroupName=idle["ClusterSubnetGroupName"],
        VpcSecurityGroupIds=[g["VpcSecurityGroupId"] for g in idle["VpcSecurityGroups"]],
        ClusterParameterGroupName=idle["ClusterParameterGroups"][0]["ParameterGroupName"],
        IamRoles=[r["IamRoleArn"] for r in idle.get("IamRoles", [])],
        NodeType=idle["NodeType"],
        NumberOfNodes=idle["NumberOfNodes"],
        PubliclyAccessible=False,
        EnhancedVpcRouting=True,
        ManageMasterPassword=True,
    )
    return {
        "ClusterId": target,
        "SnapshotName": newest["SnapshotIdentifier"],
        "SnapshotTime": newest["SnapshotCreateTime"].isoformat(),
    }
`;

const PUBLISH_CLUSTER = `import boto3

def publish(events, context):
    cluster = boto3.client("redshift").describe_clusters(ClusterIdentifier=events["ClusterId"])["Clusters"][0]
    endpoint = cluster["Endpoint"]["Address"] + ":" + str(cluster["Endpoint"]["Port"])
    boto3.client("ssm").put_parameter(Name=events["Parameter"], Value=endpoint, Type="String", Overwrite=True)
    return {"Endpoint": endpoint}
`;

const FAILOVER_CACHE = `import boto3
from botocore.exceptions import ClientError

def failover(events, context):
    client = boto3.client("elasticache")
    try:
        client.failover_global_replication_group(
            GlobalReplicationGroupId=events["GlobalReplicationGroupId"],
            PrimaryRegion=events["PrimaryRegion"],
            PrimaryReplicationGroupId=events["PrimaryReplicationGroupId"],
        )
        return {"Mode": "failover"}
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code != "InvalidGlobalReplicationGroupState":
            raise
        print("Failover refused (" + code + "): " + str(error) + "; disassociating this region's member instead.")
        client.disassociate_global_replication_group(
            GlobalReplicationGroupId=events["GlobalReplicationGroupId"],
            ReplicationGroupId=events["PrimaryReplicationGroupId"],
            ReplicationGroupRegion=events["PrimaryRegion"],
        )
        return {"Mode": "disassociated"}
`;

/** The SSM document name of a runbook. */
export function runbookName(config: EnvironmentConfig, kind: RunbookKind): string {
  return resourceName(config, kind);
}

/**
 * Whether the failback runbook exists in this generation: only while the DR
 * region is the writer (odd generations); it is deployed in the primary region.
 */
export function hasFailback(config: EnvironmentConfig): boolean {
  return writerRole(config) === 'dr';
}

/**
 * A runbook that makes the standby region (where it is deployed and run) the
 * writer and the active region. Steps are ordered as the DR rules require.
 *
 * - failover (unplanned, the writer's region is impaired): readiness gate that
 *   refuses an unknown or over-budget estimated RPO unless forced.
 * - failback (planned, after the old writer was re-seeded as this standby):
 *   gate that refuses unless every readiness check is healthy (the re-seed is
 *   complete), then stops the streaming jobs in the current writer's region and
 *   waits for the database replica to catch up, so nothing is lost.
 *
 * Both then approve, promote the RDS replica, fail over the Global Datastore,
 * restore the warehouse, flip the active-region records, start Spark, resubmit
 * the streaming jobs and notify. DryRun defaults to true and changes nothing.
 */
export function runbookDocument(
  kind: RunbookKind,
  config: EnvironmentConfig,
  topicArn: string,
): AutomationDocument {
  const here = regionOf(config, standbyRole(config));
  const writer = regionOf(config, writerRole(config));
  const db = databaseInstanceIdentifier(config, standbyRole(config));
  const failback = kind === 'failback';
  const verb = failback ? 'Fail back' : 'Fail over';
  const approve = failback ? 'ApproveFailback' : 'ApproveFailover';
  const gate = failback ? 'GateOnReseed' : 'GateOnRpo';
  const steps: RunbookStep[] = [];
  const add = (step: RunbookStep) => steps.push(step);

  add({
    name: 'CheckReadiness',
    action: 'aws:invokeLambdaFunction',
    description: `Runs the readiness checks now (${resourceName(config, 'readiness')} in ${here}). Verify: the step output Payload is a readiness report.`,
    expectedMinutes: 1,
    inputs: { FunctionName: resourceName(config, 'readiness'), InvocationType: 'RequestResponse' },
    outputs: [{ Name: 'Payload', Selector: '$.Payload', Type: 'String' }],
  });
  const gateInputs = { Payload: '{{CheckReadiness.Payload}}', Force: '{{Force}}', DryRun: '{{DryRun}}' };
  const gateOutputs: [string, string][] = [
    ['Allowed', 'Boolean'],
    ['EstimatedRpo', 'String'],
    ['Reason', 'String'],
  ];
  if (failback) {
    add({
      name: gate,
      action: 'aws:executeScript',
      description: `Refuses to continue unless every readiness check is healthy: the replica ${db} in ${here} exists and keeps up, the buckets replicate from ${writer} to ${here} without failures, the Global Datastore member here is a healthy secondary, warehouse snapshots are copied here, and catalog and Spark match. Force=true overrides. Verify: the Reason output lists nothing as not healthy.`,
      expectedMinutes: 1,
      ...script('gate', RESEED_GATE, gateInputs, gateOutputs),
    });
  } else {
    add({
      name: gate,
      action: 'aws:executeScript',
      description: `Refuses to continue when the estimated RPO is unknown or above ${config.failover.rpoBudgetSeconds}s, unless Force=true. Verify: the Reason output states the RPO and the readiness recommendation.`,
      expectedMinutes: 1,
      ...script(
        'gate',
        GATE,
        { ...gateInputs, RpoBudget: String(config.failover.rpoBudgetSeconds) },
        gateOutputs,
      ),
    });
  }
  add({
    name: 'BranchOnDryRun',
    action: 'aws:branch',
    description: 'With DryRun=true (the default) goes to ReportDryRun and changes nothing.',
    expectedMinutes: 0,
    inputs: {
      Choices: [{ NextStep: 'ReportDryRun', Variable: '{{DryRun}}', BooleanEquals: true }],
      Default: approve,
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
    name: approve,
    action: 'aws:approve',
    description: failback
      ? 'Waits for one of the Approvers (the data platform owner, in a change window agreed with the consumers) to approve. Verify: the approval is recorded on the execution.'
      : 'Waits for one of the Approvers (the incident commander or the data platform on-call) to approve. Verify: the approval is recorded on the execution.',
    expectedMinutes: 5,
    inputs: {
      Approvers: '{{Approvers}}',
      MinRequiredApprovals: 1,
      Message: `${verb} ${config.name} from ${writer} to ${here}? Readiness: {{${gate}.Reason}}`,
    },
  });
  if (failback) {
    add({
      name: 'StopStreamingJobs',
      action: 'aws:executeScript',
      description: `Cancels the running ${FAILOVER_STREAMING_JOBS.join(' and ')} job runs in ${writer}, so nothing new is written there while the data stores switch. Verify: the Cancelled output names them, and the job runs in ${writer} show CANCELLED.`,
      expectedMinutes: 2,
      ...script(
        'quiesce',
        QUIESCE,
        { Region: writer, Name: resourceName(config, 'spark'), Jobs: [...FAILOVER_STREAMING_JOBS] },
        [['Cancelled', 'String']],
      ),
    });
    if (config.rds.crossRegionReplica) {
      add({
        name: 'WaitForReplicaCatchUp',
        action: 'aws:executeScript',
        description: `Waits (up to 15 minutes) until ReplicaLag of ${db} in ${here} is 0 for two consecutive minutes, so the promotion loses nothing. Verify: the LagSeconds output is 0.`,
        expectedMinutes: 5,
        timeoutSeconds: 960,
        ...script('wait', CATCH_UP, { Replica: db, MaxLagSeconds: '0', TimeoutSeconds: '900' }, [
          ['LagSeconds', 'String'],
        ]),
      });
    }
  }
  if (config.rds.crossRegionReplica) {
    add({
      name: 'PromoteDatabase',
      action: 'aws:executeAwsApi',
      description: `Promotes the read replica ${db} in ${here} to a standalone writer. Verify: DescribeDBInstances shows no ReadReplicaSourceDBInstanceIdentifier.`,
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
        description: `Converts the promoted ${db} to Multi-AZ, as the writer was. Verify: MultiAZ true after the modification completes (runs in the background).`,
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
    const cacheInputs = {
      GlobalReplicationGroupId: globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES),
      PrimaryRegion: here,
      PrimaryReplicationGroupId: cacheReplicationGroupId(config),
    };
    if (failback) {
      add({
        name: 'FailoverCache',
        action: 'aws:executeAwsApi',
        description: `Makes the ${here} member the primary of the Global Datastore. Verify: DescribeGlobalReplicationGroups shows ${cacheReplicationGroupId(config)} in ${here} as PRIMARY.`,
        expectedMinutes: 5,
        inputs: { Service: 'elasticache', Api: 'FailoverGlobalReplicationGroup', ...cacheInputs },
      });
    } else {
      add({
        name: 'FailoverCache',
        action: 'aws:executeScript',
        description: `Makes the ${here} member the primary of the Global Datastore; if ElastiCache refuses because the ${writer} side is unreachable, disassociates the ${here} member instead so it takes writes on its own. Verify: the Mode output (failover or disassociated) and ${cacheReplicationGroupId(config)} in ${here} accepting writes; after "disassociated" the Global Datastore must be re-formed before failback (docs/runbooks/failback.md).`,
        expectedMinutes: 5,
        ...script('failover', FAILOVER_CACHE, cacheInputs, [['Mode', 'String']]),
      });
    }
  }
  if (config.redshift.mode === 'serverless') {
    add({
      name: 'RestoreWarehouse',
      action: 'aws:executeScript',
      description: `Restores the idle ${here} warehouse from the newest snapshot copied from ${writer}. Verify: the SnapshotName output, and the namespace status AVAILABLE after the restore.`,
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
  } else {
    add({
      name: 'RestoreWarehouse',
      action: 'aws:executeScript',
      description: `Restores the newest snapshot of ${warehouseName(config)} copied from ${writer} into a new cluster ${warehouseName(config)}-{timestamp} in ${here}, with the idle cluster's network, parameter group and roles, and an admin password managed in Secrets Manager here. Verify: the ClusterId and SnapshotName outputs.`,
      expectedMinutes: 5,
      timeoutSeconds: 600,
      ...script('restore', RESTORE_CLUSTER, { Cluster: warehouseName(config), SourceRegion: writer }, [
        ['ClusterId', 'String'],
        ['SnapshotName', 'String'],
        ['SnapshotTime', 'String'],
      ]),
    });
    add({
      name: 'WaitForWarehouse',
      action: 'aws:waitForAwsResourceProperty',
      description: 'Waits until the restored cluster is available. Verify: ClusterStatus available.',
      expectedMinutes: 30,
      timeoutSeconds: 7200,
      inputs: {
        Service: 'redshift',
        Api: 'DescribeClusters',
        ClusterIdentifier: '{{RestoreWarehouse.ClusterId}}',
        PropertySelector: '$.Clusters[0].ClusterStatus',
        DesiredValues: ['available'],
      },
    });
    add({
      name: 'PublishWarehouseEndpoint',
      action: 'aws:executeScript',
      description: `Points ${parameterName(config, 'redshift/endpoint')} in ${here} at the restored cluster, so clients that read it connect there. Verify: the Endpoint output, and the parameter reads it.`,
      expectedMinutes: 1,
      ...script(
        'publish',
        PUBLISH_CLUSTER,
        {
          ClusterId: '{{RestoreWarehouse.ClusterId}}',
          Parameter: parameterName(config, 'redshift/endpoint'),
        },
        [['Endpoint', 'String']],
      ),
    });
  }
  add({
    name: 'ActivateThisRegion',
    action: 'aws:executeScript',
    description: `Sets ${activeRegionParameterName(config)} to ${here} here and, if reachable, in ${writer}. Clients and jobs read this record and then the endpoints published in that region, so this points them at the ${here} MSK cluster and data stores. Verify: the parameter reads ${here} in ${here}.`,
    expectedMinutes: 1,
    ...script(
      'activate',
      ACTIVATE,
      { Parameter: activeRegionParameterName(config), ThisRegion: here, OtherRegion: writer },
      [['OtherRegionUpdated', 'Boolean']],
    ),
  });
  add({
    name: 'StartSpark',
    action: 'aws:executeScript',
    description: `Starts the ${resourceName(config, 'spark')} EMR Serverless application in ${here}. Verify: application state STARTED.`,
    expectedMinutes: 3,
    ...script('start', START_SPARK, { Name: resourceName(config, 'spark') }, [['ApplicationId', 'String']]),
  });
  for (const job of FAILOVER_STREAMING_JOBS) {
    add({
      name: `Resubmit${job.slice(0, 2)}`,
      action: 'aws:invokeLambdaFunction',
      description: `Resubmits ${job} through the job submission function in ${here} (idempotent per execution). Verify: the Payload has ok true and a jobRunId.`,
      expectedMinutes: 1,
      inputs: {
        FunctionName: resourceName(config, 'submit-job'),
        InvocationType: 'RequestResponse',
        Payload: JSON.stringify({
          job,
          force: true,
          idempotencyKey: `${kind}-{{automation:EXECUTION_ID}}-${job.slice(0, 2)}`,
        }),
      },
    });
  }
  add({
    name: 'Notify',
    action: 'aws:executeAwsApi',
    description: `Tells the alarm topic subscribers that ${here} is now the active region and what to do next. Verify: the message arrives.`,
    expectedMinutes: 0,
    isEnd: true,
    inputs: {
      Service: 'sns',
      Api: 'Publish',
      TopicArn: topicArn,
      Subject: `dual-region-analytics ${config.name}: ${failback ? 'failed back' : 'failed over'} to ${here}`,
      Message: `Execution {{automation:EXECUTION_ID}} made ${here} the active region of ${config.name}. Readiness before: {{${gate}.Reason}}. Next: set failover.generation to ${config.failover.generation + 1} in config/${config.name}.ts and deploy (docs/runbooks/${kind}.md, "After").`,
    },
  });

  // The dry run prints the real steps (everything after the dry-run exit).
  const plan = steps
    .slice(steps.findIndex((s) => s.name === approve))
    .map((s) => ({ name: s.name, description: s.description }));
  const report = steps.find((s) => s.name === 'ReportDryRun') as RunbookStep & {
    inputs: { InputPayload: Record<string, unknown> };
  };
  report.inputs.InputPayload.Plan = plan;

  return {
    schemaVersion: '0.3',
    description: `${verb} dual-region-analytics ${config.name} from ${writer} to ${here}. Run in ${here}. DryRun defaults to true.`,
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
        description: failback
          ? 'Fail back even when a readiness check is not healthy (the re-seed may be incomplete).'
          : 'Fail over even when the estimated RPO is above the budget or unknown.',
        default: false,
      },
      Approvers: { type: 'StringList', description: `IAM users or roles allowed to approve the ${kind}.` },
    },
    mainSteps: steps,
  };
}

/** The failover runbook (unplanned), deployed in the standby region. */
export function failoverDocument(config: EnvironmentConfig, topicArn: string): AutomationDocument {
  return runbookDocument('failover', config, topicArn);
}

/** The failback runbook (planned, after re-seeding), deployed in the primary region while the DR region writes. */
export function failbackDocument(config: EnvironmentConfig, topicArn: string): AutomationDocument {
  return runbookDocument('failback', config, topicArn);
}
