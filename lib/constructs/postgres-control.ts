import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { resourceName } from '../../config/naming';
import { isWriter as isWriterRole } from '../../config/topology';
import { platformFunction } from '../shared/lambda-function';
import type { RegionPlacement } from './placement';
import { POSTGRES_PORT, type Postgres } from './postgres';

/** The login role the function uses with IAM database authentication (created by the writer's function). */
export const CONTROL_USER = 'dra_control';

/**
 * Lambda's Node.js runtimes ship the Amazon root CAs (RDS included) in this file but, from
 * Node.js 20 on, load it only when NODE_EXTRA_CA_CERTS names it; without it the TLS
 * verification of the RDS certificate fails. Source: the AWS Compute blog post announcing
 * the Node.js 20 runtime, as summarized in
 * https://dev.classmethod.jp/articles/node-extra-ca-certs-influence-cold-start/ (the AWS page
 * itself is unverified: not found in the docs corpus).
 */
export const LAMBDA_RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface PostgresControlProps extends RegionPlacement {
  /** This region's PostgreSQL instance (writer or replica) and its security group. */
  readonly postgres: Postgres;
  /** Encrypts the master secret (writer region). */
  readonly databaseKey: kms.IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
}

/**
 * `dra-{env}-postgres-control`: a function in the VPC of each region that connects to its
 * own region's PostgreSQL instance over TLS and runs contract B (`status`, `fence`,
 * `catchUp`, `unfence`; lambda/postgres-control). The failback and fence runbooks invoke
 * it to fence the writer and prove the replica's catch-up by WAL position. In the
 * writer's region an EventBridge rule also invokes it every minute with
 * `{"action":"heartbeat"}`.
 *
 * Authentication: in the writer's region, this generation's master secret (same region,
 * through the Secrets Manager endpoint); with it the function keeps the `dra_control`
 * login role (rds_iam, rds_superuser) in place, and the catalog replicates it. In the
 * standby region, IAM database authentication as `dra_control`, although the master secret
 * is replicated there too: the replica is read-only, so the master user could do nothing
 * more there; a token signed locally does not depend on Secrets Manager at all on the
 * failover's critical path; and a rotation changes the password on the replica (WAL replay)
 * and in the replica secret (Secrets Manager replication) at different moments, a window the
 * token does not have. After an out-of-band promotion the same IAM login works on the new
 * writer until the next deploy hands it that generation's secret.
 */
export class PostgresControl extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PostgresControlProps) {
    super(scope, id);
    const { config, role, vpc, subnets, postgres, logsKey, databaseKey } = props;
    const { instance } = postgres;
    const writer = isWriterRole(config, role);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `PostgreSQL control ${config.name}: to the database on ${POSTGRES_PORT} and AWS endpoints on 443 only`,
      allowAllOutbound: false,
    });
    // Adds this group's egress and the database group's ingress, both on 5432.
    this.securityGroup.connections.allowTo(
      postgres.securityGroup,
      ec2.Port.tcp(POSTGRES_PORT),
      'PostgreSQL control function',
    );
    this.securityGroup.addEgressRule(
      ec2.Peer.ipv4(config.regions[role].vpcCidr),
      ec2.Port.tcp(443),
      'AWS APIs (Secrets Manager) through the interface endpoints in this VPC',
    );

    this.function = platformFunction(this, 'Function', {
      config,
      functionName: resourceName(config, 'postgres-control'),
      entry: 'postgres-control/handler.ts',
      description: `Fences, unfences and checks catch-up of PostgreSQL ${config.name} in this region (${role})`,
      vpc,
      subnets,
      securityGroup: this.securityGroup,
      logsKey,
      timeout: Duration.seconds(60),
      // The heartbeat rule and the canary (each once a minute, in the writer's region; the
      // canary's lastBeat in the standby's) plus the runbooks' invocations.
      reservedConcurrency: 4,
      synchronousReason:
        'Invoked synchronously by the failback and fence runbooks (aws:invokeLambdaFunction), which read the result; every action is idempotent and is retried by the caller. The heartbeat (asynchronous, from EventBridge every minute) is neither retried nor kept: the next one is a minute away.',
      environment: {
        DB_HOST: instance.attrEndpointAddress,
        DB_PORT: String(POSTGRES_PORT),
        DB_NAME: 'postgres',
        CONTROL_USER,
        NODE_EXTRA_CA_CERTS: LAMBDA_RDS_CA_BUNDLE,
        ...(postgres.masterSecret ? { MASTER_SECRET_ARN: postgres.masterSecret.secretArn } : {}),
      },
    });

    // IAM database authentication: rds-db:connect on the instance's resource id and the database user.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [
          Stack.of(this).formatArn({
            service: 'rds-db',
            resource: 'dbuser',
            resourceName: `${instance.attrDbiResourceId}/${CONTROL_USER}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    if (writer) {
      // The heartbeat: on RDS for PostgreSQL, ReplicaLag is the time since the last replayed
      // transaction and grows while the writer commits nothing (RDS user guide,
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html),
      // so a quiet night would make the readiness `rds` check degraded and the failover gate
      // refuse. One upserted row a minute keeps replay moving; the function skips it on a
      // replica or a fenced writer. Schedule: EventBridge rate expression
      // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
      new events.Rule(this, 'Heartbeat', {
        schedule: events.Schedule.rate(Duration.minutes(1)),
        description: `PostgreSQL ${config.name} heartbeat: one row a minute on the writer, so ReplicaLag stays meaningful`,
        targets: [
          new targets.LambdaFunction(this.function, {
            event: events.RuleTargetInput.fromObject({ action: 'heartbeat' }),
            retryAttempts: 0,
          }),
        ],
      });
      // Not retried, not kept (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html).
      this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    }
    if (postgres.masterSecret) {
      // This generation's master secret, encrypted with the database key (lib/constructs/postgres.ts).
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [postgres.masterSecret.secretArn],
        }),
      );
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [databaseKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
  }
}
