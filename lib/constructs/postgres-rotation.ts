import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { databaseRotationFunctionName, regionalArn, secretName } from '../../config/naming';
import { acknowledge } from '../compliance/acknowledge';
import { platformFunction } from '../shared/lambda-function';
import type { RegionPlacement } from './placement';
import { PASSWORD_EXCLUDED_CHARACTERS, POSTGRES_PORT, type Postgres } from './postgres';
import { LAMBDA_RDS_CA_BUNDLE } from './postgres-control';

/** Days between rotations of the master secret. */
export const ROTATION_DAYS = 30;

export interface PostgresRotationProps extends RegionPlacement {
  /** This region's instance (writer or replica) and, in the writer's region, this generation's secret. */
  readonly postgres: Postgres;
  /** Encrypts the master secrets of this region (the writer's, and the replicas and promoted copies here). */
  readonly databaseKey: kms.IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
}

/**
 * `dra-{env}-postgres-rotation`, in both regions (lambda/postgres-rotation): single-user
 * rotation of the PostgreSQL master secrets of its region, against its region's instance.
 * In the writer's region it rotates this generation's secret every {@link ROTATION_DAYS} days
 * (a RotationSchedule); in the standby region it waits for the failover runbook, which
 * promotes the replica secret there and moves its rotation to this function (RotateSecret
 * with this function's ARN; docs/failover-and-failback.md, "Credentials"). Its grants cover
 * every generation's secret of the environment in its region (`dra/{env}/postgres/master-g*`),
 * since the promoted copy is not CloudFormation's.
 */
export class PostgresRotation extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly schedule?: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: PostgresRotationProps) {
    super(scope, id);
    const { config, role, vpc, subnets, postgres, logsKey, databaseKey } = props;

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `PostgreSQL rotation ${config.name}: to the database on ${POSTGRES_PORT} and AWS endpoints on 443 only`,
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(
      postgres.securityGroup,
      ec2.Port.tcp(POSTGRES_PORT),
      'PostgreSQL rotation',
    );
    securityGroup.addEgressRule(
      ec2.Peer.ipv4(config.regions[role].vpcCidr),
      ec2.Port.tcp(443),
      'Secrets Manager through the interface endpoint in this VPC',
    );

    this.function = platformFunction(this, 'Function', {
      config,
      functionName: databaseRotationFunctionName(config),
      entry: 'postgres-rotation/handler.ts',
      description: `Rotates the PostgreSQL ${config.name} master secrets of this region against this region's instance (${role})`,
      vpc,
      subnets,
      securityGroup,
      logsKey,
      timeout: Duration.seconds(60),
      reservedConcurrency: 1,
      synchronousReason:
        'Invoked by Secrets Manager rotation, which retries a failed step and reports it on the secret (DescribeSecret, CloudTrail RotationFailed); a dead-letter queue would hold nothing to replay.',
      environment: {
        DB_HOST: postgres.instance.attrEndpointAddress,
        DB_PORT: String(POSTGRES_PORT),
        DB_NAME: 'postgres',
        EXCLUDE_CHARACTERS: PASSWORD_EXCLUDED_CHARACTERS,
        NODE_EXTRA_CA_CERTS: LAMBDA_RDS_CA_BUNDLE,
      },
    });

    // Secrets Manager invokes the function in its account only (resource-based policy: Secrets
    // Manager user guide, "Permissions for rotation"; the confused-deputy condition on the source account).
    this.function.addPermission('SecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: Stack.of(this).account,
    });
    // Every generation's master secret of this environment in this region (the suffix is generated).
    const secrets = regionalArn(
      config,
      role,
      'secretsmanager',
      `secret:${secretName(config, 'postgres/master-g')}*`,
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [secrets],
      }),
    );
    // GetRandomPassword acts on no resource ("Resource types: none" in the service authorization reference).
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [databaseKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    acknowledge(
      this.function.role!.node.findChild('DefaultPolicy'),
      [
        `AwsSolutions::AwsSolutions-IAM5[Resource::${secrets}]`,
        'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      ],
      "Rotates every generation's master secret of this environment in this region, including the copy a failover promotes (not CloudFormation's, its ARN suffix unknown at deploy time); GetRandomPassword has no resource.",
    );

    if (postgres.masterSecret) {
      // The L1: RotationSchedule's L2 grants the function on the secret's key, whose policy lives
      // in the foundation stack, and the foundation cannot refer to this stack. The grants above
      // already cover every generation's secret.
      this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
        secretId: postgres.masterSecret.secretArn,
        rotationLambdaArn: this.function.functionArn,
        rotationRules: { scheduleExpression: `rate(${ROTATION_DAYS} days)` },
        // The first rotation waits a full period: a rotation right away would race the deploy
        // that gives the instance its password.
        rotateImmediatelyOnUpdate: false,
      });
      this.schedule.addResourceDependency(postgres.instance);
      this.schedule.node.addDependency(this.function);
    }
  }
}
