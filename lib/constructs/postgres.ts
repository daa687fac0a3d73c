import { CfnDeletionPolicy, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import {
  databaseInstanceIdentifier,
  databaseSecretName,
  databaseSourceArn,
  keyAliasName,
  parameterName,
  regionOf,
} from '../../config/naming';
import {
  databaseOrigin,
  isWriter as isWriterRole,
  otherRole,
  writerRole as writerRoleOf,
} from '../../config/topology';
import { acknowledge } from '../compliance/acknowledge';
import { platformLogGroup } from '../shared/log-group';
import { dataRemovalPolicy } from '../shared/removal-policy';
import { CrossRegionParameter } from './cross-region-parameter';
import { DATABASE_KEY_ARN_PARAMETER } from './keys';
import type { RegionPlacement } from './placement';

export const POSTGRES_PORT = 5432;

/** The master user every instance of the environment has (the original writer's, replicated). */
export const MASTER_USERNAME = 'dra_admin';

/**
 * Characters left out of generated master passwords: RDS allows "any printable ASCII character
 * except /, ', \", @, or a space" (CreateDBInstance, MasterUserPassword); the rest keep the
 * password safe in connection strings and shells (the set CDK's DatabaseSecret uses).
 */
export const PASSWORD_EXCLUDED_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

/** Where each region publishes the ARN of the master secret readable there. */
export const SECRET_ARN_PARAMETER = 'rds/secret-arn';

export interface PostgresProps extends RegionPlacement {
  /** Encrypts storage, Performance Insights and the master secret in this region. */
  readonly databaseKey: kms.IKey;
  /** Encrypts the log groups of the exported logs. */
  readonly logsKey: kms.IKey;
}

/**
 * RDS for PostgreSQL. In the writer's region (the primary in even failover
 * generations): the writer, Multi-AZ per config, IAM auth, the master password from this
 * generation's Secrets Manager secret (replicated to the standby region, rotated in the
 * writer's: docs/failover-and-failback.md, "Credentials"), `rds.force_ssl` and
 * logical replication (outbox/CDC) on, Performance Insights, enhanced
 * monitoring, log exports, automated backups also replicated to the DR region.
 * In the standby region: a cross-region read replica created from the writer's
 * ARN (derived from config), encrypted with that region's key; promoting it is a
 * runbook step, and the next generation's template promotes it in place.
 */
export class Postgres extends Construct {
  readonly instance: rds.CfnDBInstance;
  readonly securityGroup: ec2.SecurityGroup;
  /** This generation's master secret, in the writer's region only (replicated to the standby). */
  readonly masterSecret?: secretsmanager.Secret;
  private sdkCallLogs?: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const { config, role, vpc, subnets, clientSecurityGroup, databaseKey } = props;
    const rdsConfig = config.rds;
    const major = rdsConfig.engineVersion.split('.')[0];
    const isWriter = isWriterRole(config, role);
    const identifier = databaseInstanceIdentifier(config, role);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `PostgreSQL ${config.name}: ${POSTGRES_PORT} from platform workloads only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(clientSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'platform workloads');

    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc,
      vpcSubnets: subnets,
      description: `PostgreSQL ${config.name} private subnets`,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({
        version: rds.PostgresEngineVersion.of(rdsConfig.engineVersion, major),
      }),
      description: `PostgreSQL ${config.name}: TLS only, logical replication for the outbox/CDC pattern`,
      parameters: {
        'rds.force_ssl': '1',
        'rds.logical_replication': '1',
        shared_preload_libraries: 'pg_stat_statements',
        log_min_duration_statement: '1000',
      },
    });

    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
      ],
    });
    acknowledge(
      monitoringRole,
      [
        'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      ],
      'The AWS-managed enhanced-monitoring policy is the documented, minimal policy for this service role.',
    );

    const removal = dataRemovalPolicy(config, 'snapshot');
    const common: Partial<rds.CfnDBInstanceProps> = {
      dbInstanceIdentifier: identifier,
      dbInstanceClass: rdsConfig.instanceClass,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      dbParameterGroupName: parameterGroup.bindToInstance({}).parameterGroupName,
      vpcSecurityGroups: [this.securityGroup.securityGroupId],
      publiclyAccessible: false,
      port: String(POSTGRES_PORT),
      multiAz: rdsConfig.multiAz,
      enableIamDatabaseAuthentication: true,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: databaseKey.keyArn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.roleArn,
      enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      storageType: 'gp3',
      kmsKeyId: databaseKey.keyArn,
    };

    // Properties CloudFormation only accepts at creation stay as they were when this instance was
    // created (topology.ts, databaseOrigin): the original writer keeps its engine and master user,
    // a replica keeps SourceDBInstanceIdentifier and SourceRegion even after the runbook promoted it.
    // Removing SourceDBInstanceIdentifier would make the update call PromoteReadReplica a second time
    // (UpdateHandler, ResourceModelHelper.isDBInstanceReadReplicaPromotion in
    // aws-cloudformation-resource-providers-rds) and fail with InvalidDBInstanceState; removing
    // SourceRegion (create-only) would ask for a replacement a custom-named instance cannot have.
    const origin = databaseOrigin(config, role);
    const creation: Partial<rds.CfnDBInstanceProps> =
      origin.kind === 'original'
        ? {
            engine: 'postgres',
            engineVersion: rdsConfig.engineVersion,
            allocatedStorage: String(rdsConfig.allocatedStorageGiB),
            storageEncrypted: true,
            masterUsername: MASTER_USERNAME,
          }
        : {
            // Cross-region replica: the source is named by ARN, derived from config; CloudFormation presigns with SourceRegion.
            sourceDbInstanceIdentifier: databaseSourceArn(config, role),
            sourceRegion: regionOf(config, origin.sourceRole),
          };
    if (isWriter) this.masterSecret = this.createMasterSecret(config, databaseKey);
    const backups = {
      backupRetentionPeriod: rdsConfig.backupRetentionDays,
      preferredBackupWindow: '03:00-04:00',
    };
    this.instance = new rds.CfnDBInstance(this, 'Instance', {
      ...common,
      ...creation,
      ...(isWriter
        ? {
            // Settings of the writer. On a promoted replica the next deploy applies them with
            // ModifyDBInstance (the update handler's diff of the two templates).
            maxAllocatedStorage: rdsConfig.maxAllocatedStorageGiB,
            deletionProtection: !config.removal.allowDestroy,
            // The password by dynamic reference: it never enters the template. Not an RDS-managed
            // secret (ManageMasterUserPassword): RDS refuses a read replica of an instance whose
            // password it manages (rule rds-replica-source-managed-password). On a promoted replica
            // the next generation's deploy sets it with ModifyDBInstance (the update handler sends
            // the changed MasterUserPassword), giving the new writer that generation's secret.
            masterUserPassword: this.masterSecret?.secretValueFromJson('password').unsafeUnwrap(),
            ...backups,
            preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
            ...(rdsConfig.crossRegionReplica
              ? {
                  automaticBackupReplicationRegion: regionOf(config, otherRole(role)),
                  // The standby's key ARN, as StartDBInstanceAutomatedBackupsReplication asks (rule kms-key-arn).
                  automaticBackupReplicationKmsKeyId: new CrossRegionParameter(
                    this,
                    'StandbyDatabaseKeyArn',
                    {
                      config,
                      from: otherRole(role),
                      path: DATABASE_KEY_ARN_PARAMETER,
                      logGroup: this.sdkCallLogGroup(props),
                    },
                  ).value,
                  automaticBackupReplicationRetentionPeriod: rdsConfig.backupRetentionDays,
                }
              : {}),
          }
        : {
            // Replicas of a Multi-AZ writer are single-AZ until promoted; the runbook converts them.
            multiAz: false,
            // A replica holds nothing the writer lacks. With deletion protection, a re-seed whose
            // creation fails half-way could not be rolled back (the new instance cannot be deleted)
            // and the next deploy would meet DBInstanceAlreadyExists; the deploy that makes it the
            // writer turns protection on in place (ModifyDBInstance).
            deletionProtection: false,
            // Automated backups on the replica too (RDS for PostgreSQL read replicas support them:
            // "Backups" row of the engine comparison in USER_ReadRepl.html): AWS recommends "at least
            // one backup prior to promotion", and "a read replica cannot be promoted ... when it is in
            // the backing-up status. ... configure the automated backup window so that daily backups do
            // not interfere with read replica promotion" (API_PromoteReadReplica). Its own window, twelve
            // hours from the writer's, so both are never backing up at once; the runbook waits out a
            // backup it meets. The deploy that makes it the writer sets the writer's window in place.
            ...backups,
            preferredBackupWindow: '15:00-16:00',
          }),
    });
    // Snapshot on removal outside environments that may destroy data. A replacement only ever happens
    // to an old writer being re-seeded as the new standby (a new identifier, naming.ts): CloudFormation
    // leaves that instance running, with whatever writes never reached the new writer, and
    // `npm run retire-old-writer` snapshots and deletes it once they are recovered.
    this.instance.applyRemovalPolicy(removal);
    this.instance.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    this.acknowledgeChoices(config, isWriter);

    // Pre-create the export log groups so they are KMS-encrypted and retained a year; RDS writes into them.
    for (const log of common.enableCloudwatchLogsExports as string[]) {
      const group = platformLogGroup(this, `Log-${log}`, {
        config: config,
        logsKey: props.logsKey,
        logGroupName: `/aws/rds/instance/${identifier}/${log}`,
      });
      this.instance.node.addDependency(group);
    }

    new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: parameterName(config, 'rds/endpoint'),
      stringValue: `${this.instance.attrEndpointAddress}:${POSTGRES_PORT}`,
      description: `PostgreSQL ${config.name} endpoint in this region (${isWriter ? 'writer' : 'read replica'})`,
    });
    new ssm.StringParameter(this, 'SecretParameter', {
      parameterName: parameterName(config, SECRET_ARN_PARAMETER),
      stringValue: this.masterSecret
        ? this.masterSecret.secretArn
        : this.replicaSecretArn(config, role, this.sdkCallLogGroup(props)),
      description: `ARN of the PostgreSQL ${config.name} master secret ${databaseSecretName(config)} readable in this region (${isWriter ? 'the primary secret' : 'its replica'})`,
    });
  }

  /**
   * This generation's master secret: `{"username","password"}`, encrypted with this region's
   * database key, replicated to the standby region under the same name with its database key
   * (by alias, which ReplicaRegions accepts: "The ARN, key ID, or alias of the KMS key"). A
   * secret is never replaced under its name: each generation has its own
   * (`databaseSecretName`), and the one a generation change removes from this template stays
   * (the old writer the re-seed keeps running still has that password; `npm run
   * retire-old-writer` deletes it with the old writer).
   */
  private createMasterSecret(config: EnvironmentConfig, key: kms.IKey): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'MasterSecret', {
      secretName: databaseSecretName(config),
      description: `PostgreSQL ${config.name} master credential of failover generation ${config.failover.generation}`,
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: MASTER_USERNAME }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      },
    });
    (secret.node.defaultChild as secretsmanager.CfnSecret).replicaRegions = [
      {
        region: regionOf(config, otherRole(writerRoleOf(config))),
        kmsKeyId: keyAliasName(config, 'database'),
      },
    ];
    secret.applyRemovalPolicy(dataRemovalPolicy(config, 'retain'));
    return secret;
  }

  /**
   * The ARN of the standby's replica of the writer's secret: the writer's ARN with this region
   * in it ("The replica ARN is the same as the original primary secret ARN expect the Region is
   * changed to the replica Region": StopReplicationToReplica, Secrets Manager API reference).
   * The writer's ARN ends in a generated suffix, so it is read from the writer's region.
   */
  private replicaSecretArn(config: EnvironmentConfig, role: RegionRole, logGroup: logs.ILogGroup): string {
    const writerArn = new CrossRegionParameter(this, 'WriterSecretArn', {
      config,
      from: otherRole(role),
      path: SECRET_ARN_PARAMETER,
      logGroup,
    }).value;
    const parts = Fn.split(':', writerArn, 7);
    return Fn.join(':', [parts[0], parts[1], parts[2], Stack.of(this).region, parts[4], parts[5], parts[6]]);
  }

  /** The log group of this stack's SDK-call provider (the cross-region reads). */
  private sdkCallLogGroup(props: PostgresProps): logs.ILogGroup {
    this.sdkCallLogs ??= platformLogGroup(this, 'SdkCallLogs', {
      config: props.config,
      logsKey: props.logsKey,
    });
    return this.sdkCallLogs;
  }

  private acknowledgeChoices(config: EnvironmentConfig, isWriter: boolean): void {
    acknowledge(
      this.instance,
      ['AwsSolutions::AwsSolutions-RDS11'],
      'Default port kept: access is limited by private subnets, a security group admitting platform workloads only, TLS and IAM auth; a non-default port breaks client defaults without adding control.',
    );
    acknowledge(
      this.instance,
      ['HIPAA.Security::HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan'],
      'Protected by RDS automated backups (retention from config) replicated to the DR region, plus the cross-region replica; an AWS Backup plan would duplicate them.',
    );
    if (isWriter && config.failover.generation > 0) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS2',
          'HIPAA.Security::HIPAA.Security-RDSStorageEncrypted',
          'NIST.800.53.R5::NIST.800.53.R5-RDSStorageEncrypted',
        ],
        "A promoted replica: created encrypted with this region's database key (KmsKeyId); adding StorageEncrypted now would make CloudFormation replace the writer.",
      );
      acknowledge(
        this.instance,
        ['CloudFormation-Validate::F3020'],
        "A promoted replica keeps SourceDBInstanceIdentifier (removing it would promote it again) and gains this generation's MasterUserPassword: the RDS resource provider applies that on update with ModifyDBInstance (Translator.modifyDbInstanceRequest sends the changed MasterUserPassword; no validation refuses the pair), the lint's exclusion applies to creating a replica, which this template never does again.",
      );
    }
    if (!isWriter) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS2',
          'HIPAA.Security::HIPAA.Security-RDSStorageEncrypted',
          'NIST.800.53.R5::NIST.800.53.R5-RDSStorageEncrypted',
        ],
        'Encrypted with the DR database key through KmsKeyId; CloudFormation rejects StorageEncrypted together with SourceDBInstanceIdentifier (cfn-lint F3020), and an encrypted source forces an encrypted replica.',
      );
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS3',
          'HIPAA.Security::HIPAA.Security-RDSMultiAZSupport',
          'NIST.800.53.R5::NIST.800.53.R5-RDSMultiAZSupport',
        ],
        'Cross-region read replica: single-AZ while it is a replica; the failover runbook converts it to Multi-AZ after promotion.',
      );
    } else if (!config.rds.multiAz) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS3',
          'HIPAA.Security::HIPAA.Security-RDSMultiAZSupport',
          'NIST.800.53.R5::NIST.800.53.R5-RDSMultiAZSupport',
        ],
        `rds.multiAz is false in the ${config.tier}-tier config; validation requires Multi-AZ in prod.`,
      );
    }
    if (config.removal.allowDestroy) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS10',
          'HIPAA.Security::HIPAA.Security-RDSInstanceDeletionProtectionEnabled',
          'NIST.800.53.R5::NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
        ],
        'removal.allowDestroy is true in this environment (never allowed in prod), so the database may be deleted with its stack.',
      );
    } else if (!isWriter) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions::AwsSolutions-RDS10',
          'HIPAA.Security::HIPAA.Security-RDSInstanceDeletionProtectionEnabled',
          'NIST.800.53.R5::NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
        ],
        'Cross-region read replica: it holds nothing the writer lacks, and deletion protection would block rolling back a failed re-seed. The deploy that makes it the writer turns protection on.',
      );
    }
  }
}
