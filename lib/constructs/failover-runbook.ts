import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import {
  activeRegionParameterName,
  cacheReplicationGroupId,
  databaseInstanceArn,
  globalDatastoreId,
  parameterName,
  regionOf,
  resourceName,
  warehouseName,
} from '../naming';
import {
  type AutomationDocument,
  type RunbookKind,
  runbookDocument,
  runbookName,
} from '../runbooks/failover';
import { standbyRole, writerRole } from '../topology';

export interface FailoverRunbookProps {
  readonly config: EnvironmentConfig;
  /** failover (unplanned) or failback (planned, after re-seeding); default failover. */
  readonly kind?: RunbookKind;
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
}

/** The document as SSM takes it: the docs-only fields (expected durations) removed. */
export function deployableContent(doc: AutomationDocument): Record<string, unknown> {
  return { ...doc, mainSteps: doc.mainSteps.map(({ expectedMinutes: _omit, ...step }) => step) };
}

/**
 * A failover or failback runbook, deployed in the standby region (the one it
 * makes the writer) as an SSM Automation document `dra-{env}-{kind}`, with the
 * role it runs as: only the actions its steps take, on the named resources
 * where the API allows it.
 */
export class FailoverRunbook extends Construct {
  readonly document: ssm.CfnDocument;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FailoverRunbookProps) {
    super(scope, id);
    const { config } = props;
    const kind = props.kind ?? 'failover';
    const { account } = Stack.of(this);
    const here = regionOf(config, standbyRole(config));
    const writer = regionOf(config, writerRole(config));

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `Runs the ${config.name} ${kind} runbook`,
    });
    const allow = (actions: string[], resources: string[]) =>
      this.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
    allow(
      ['lambda:InvokeFunction'],
      ['readiness', 'submit-job'].map(
        (f) => `arn:aws:lambda:${here}:${account}:function:${resourceName(config, f)}`,
      ),
    );
    allow(
      ['rds:PromoteReadReplica', 'rds:ModifyDBInstance', 'rds:DescribeDBInstances'],
      [databaseInstanceArn(config, standbyRole(config))],
    );
    if (config.elasticache.globalDatastore) {
      const datastore = `arn:aws:elasticache::${account}:globalreplicationgroup:${globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES)}`;
      allow(['elasticache:FailoverGlobalReplicationGroup'], [datastore]);
      if (kind === 'failover') {
        // The fallback when the writer's side cannot take part: take this region's member out of the datastore.
        allow(
          ['elasticache:DisassociateGlobalReplicationGroup'],
          [
            datastore,
            `arn:aws:elasticache:${here}:${account}:replicationgroup:${cacheReplicationGroupId(config)}`,
          ],
        );
      }
    }
    allow(
      ['ssm:PutParameter'],
      [here, writer].map((r) => `arn:aws:ssm:${r}:${account}:parameter${activeRegionParameterName(config)}`),
    );
    allow(['sns:Publish'], [props.topic.topicArn]);
    const provisioned = config.redshift.mode === 'provisioned';
    if (provisioned) {
      // Restore a provisioned cluster next to the idle one and publish its endpoint.
      const name = warehouseName(config);
      allow(
        ['redshift:DescribeClusters', 'redshift:RestoreFromClusterSnapshot'],
        [
          `arn:aws:redshift:${here}:${account}:cluster:${name}`,
          `arn:aws:redshift:${here}:${account}:cluster:${name}-*`,
          `arn:aws:redshift:${here}:${account}:snapshot:${name}/*`,
        ],
      );
      allow(
        ['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:TagResource'],
        [`arn:aws:secretsmanager:${here}:${account}:secret:redshift!*`],
      );
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [`arn:aws:iam::${account}:role/*`],
          conditions: { StringEquals: { 'iam:PassedToService': 'redshift.amazonaws.com' } },
        }),
      );
      allow(
        ['ssm:PutParameter'],
        [`arn:aws:ssm:${here}:${account}:parameter${parameterName(config, 'redshift/endpoint')}`],
      );
    }
    props.topicKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    // List and restore calls whose resources are ids generated by AWS.
    const listed = [
      ...(provisioned
        ? ['redshift:DescribeClusterSnapshots']
        : ['redshift-serverless:ListSnapshots', 'redshift-serverless:RestoreFromSnapshot']),
      'emr-serverless:ListApplications',
      'emr-serverless:StartApplication',
    ];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: listed,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': here } },
      }),
    );
    const stopping = [
      'emr-serverless:ListApplications',
      'emr-serverless:ListJobRuns',
      'emr-serverless:CancelJobRun',
    ];
    if (kind === 'failback') {
      // Stop the streaming jobs in the current writer's region and watch the replica lag here.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: stopping,
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': writer } },
        }),
      );
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': here } },
        }),
      );
    }
    acknowledgeDefaultPolicy(this.role, `the ${kind} runbook`);
    if (provisioned) {
      const name = warehouseName(config);
      acknowledge(
        this.role.node.findChild('DefaultPolicy'),
        [
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:redshift:${here}:${account}:cluster:${name}-*]`,
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:redshift:${here}:${account}:snapshot:${name}/*]`,
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:${here}:${account}:secret:redshift!*]`,
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:iam::${account}:role/*]`,
        ],
        "The restored cluster gets a new timestamped name under the warehouse name, copied snapshot names are generated by Redshift, its managed admin secret is named by Redshift (redshift!...), and the roles passed are the idle cluster's (PassRole only to redshift.amazonaws.com).",
      );
    }
    acknowledge(
      this.role.node.findChild('DefaultPolicy'),
      ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
      kind === 'failback'
        ? `Warehouse snapshots, EMR Serverless applications and job runs are found by listing (ids generated by AWS) and GetMetricData has no resource-level permissions; ${listed.join(', ')} are limited to ${here}, ${stopping.join(', ')} to ${writer}, by aws:RequestedRegion.`
        : `Warehouse snapshots and EMR Serverless applications are found by listing (ids generated by AWS); ${listed.join(', ')} are limited to ${here} by aws:RequestedRegion.`,
    );

    this.document = new ssm.CfnDocument(this, 'Document', {
      name: runbookName(config, kind),
      documentType: 'Automation',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: deployableContent(runbookDocument(kind, config, props.topic.topicArn)),
    });
  }
}
