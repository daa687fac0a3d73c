import { CfnDeletionPolicy, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import {
  databaseInstanceIdentifier,
  databaseSourceArn,
  keyAliasArn,
  parameterName,
  regionOf,
} from '../../config/naming';
import { databaseOrigin, isWriter as isWriterRole, otherRole } from '../../config/topology';
import { acknowledge } from '../compliance/acknowledge';
import { platformLogGroup } from '../shared/log-group';
import { dataRemovalPolicy } from '../shared/removal-policy';
import type { RegionPlacement } from './placement';

export const POSTGRES_PORT = 5432;

export interface PostgresProps extends RegionPlacement {
  /** Encrypts storage, Performance Insights and the master secret in this region. */
  readonly databaseKey: kms.IKey;
  /** Encrypts the log groups of the exported logs. */
  readonly logsKey: kms.IKey;
}

/**
 * RDS for PostgreSQL. In the writer's region (the primary in even failover
 * generations): the writer, Multi-AZ per config,
 * IAM auth, RDS-managed master secret (rotated by RDS), `rds.force_ssl` and
 * logical replication (outbox/CDC) on, Performance Insights, enhanced
 * monitoring, log exports, automated backups also replicated to the DR region.
 * In the standby region: a cross-region read replica created from the writer's
 * ARN (derived from config), encrypted with that region's key; promoting it is a
 * runbook step, and the next generation's template promotes it in place.
 */
export class Postgres extends Construct {
  readonly instance: rds.CfnDBInstance;
  readonly securityGroup: ec2.SecurityGroup;

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
            masterUsername: 'dra_admin',
          }
        : {
            // Cross-region replica: the source is named by ARN, derived from config; CloudFormation presigns with SourceRegion.
            sourceDbInstanceIdentifier: databaseSourceArn(config, role),
            sourceRegion: regionOf(config, origin.sourceRole),
          };
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
            // RDS creates the secret, encrypts it with our key and rotates it; the password never enters the template.
            manageMasterUserPassword: true,
            masterUserSecret: { kmsKeyId: databaseKey.keyArn },
            ...backups,
            preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
            ...(rdsConfig.crossRegionReplica
              ? {
                  automaticBackupReplicationRegion: regionOf(config, otherRole(role)),
                  automaticBackupReplicationKmsKeyId: keyAliasArn(config, otherRole(role), 'database'),
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
    if (isWriter) {
      new ssm.StringParameter(this, 'SecretParameter', {
        parameterName: parameterName(config, 'rds/secret-arn'),
        stringValue: this.instance.attrMasterUserSecretSecretArn,
        description: `ARN of the RDS-managed master secret of PostgreSQL ${config.name}`,
      });
    }
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
