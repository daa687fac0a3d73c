import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { type KeyPurpose, keyAliasName, parameterName } from '../../config/naming';

/**
 * Where each region publishes its database key's ARN. The other region reads it at deploy time
 * (lib/constructs/cross-region-parameter.ts) where an API asks for the key ARN of the destination
 * region: RDS backup replication, the Redshift snapshot copy. A key ARN ends in a generated id and
 * cannot be derived from config; an alias ARN is not a key ARN.
 */
export const DATABASE_KEY_ARN_PARAMETER = 'kms/database-key-arn';

export interface PlatformKeysProps {
  readonly config: EnvironmentConfig;
}

/**
 * The region's customer-managed KMS keys, one per kind of data, rotation on.
 * Key policies give the account root (IAM-delegated administration) and, for the
 * logs key, the CloudWatch Logs service for this account's log groups only;
 * every other principal gets access through the `grant*` methods of the key.
 */
export class PlatformKeys extends Construct {
  /** Data lake buckets, Glue catalog, Athena results. */
  readonly data: kms.Key;
  /** CloudWatch Logs groups (flow logs, Lambda, EMR). */
  readonly logs: kms.Key;
  /** RDS, Redshift, ElastiCache and their secrets. */
  readonly database: kms.Key;
  /** MSK and SNS topics. */
  readonly streaming: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const { config } = props;
    const make = (keyId: string, purpose: KeyPurpose, description: string) =>
      new kms.Key(this, keyId, {
        alias: keyAliasName(config, purpose),
        description: `dual-region-analytics ${config.name}: ${description}`,
        enableKeyRotation: true,
        // Keys outlive the data they protect: retained unless this environment may destroy data.
        removalPolicy: config.removal.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(config.removal.allowDestroy ? 7 : 30),
      });

    this.data = make('DataKey', 'data', 'data lake, catalog and query results');
    this.logs = make('LogsKey', 'logs', 'CloudWatch Logs');
    this.database = make('DatabaseKey', 'database', 'RDS, Redshift, ElastiCache and their secrets');
    this.streaming = make('StreamingKey', 'streaming', 'MSK and SNS');
    new ssm.StringParameter(this, 'DatabaseKeyArnParameter', {
      parameterName: parameterName(config, DATABASE_KEY_ARN_PARAMETER),
      stringValue: this.database.keyArn,
      description: `ARN of the ${config.name} database key in this region (the other region encrypts copies for this one with it)`,
    });

    // CloudWatch alarms publish to the KMS-encrypted alarm topic; SNS needs the key on their behalf.
    this.streaming.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': this.streaming.stack.account } },
      }),
    );

    for (const key of [this.data, this.logs, this.database, this.streaming]) {
      // Grants let a holder delegate use of the key; only AWS services acting for a resource (RDS, Redshift...) may create them.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyGrantsExceptForAwsResources',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: {
            BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }

    const { region } = this.logs.stack;
    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Stack.of(this).formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
