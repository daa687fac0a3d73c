import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { parameterName, regionalArn, regionOf, resourceName, warehouseName } from '../../config/naming';
import { isWriter, otherRole } from '../../config/topology';
import { RAW_TICKIT_DATABASE, REFINED_TICKIT_DATABASE, SALES_DATABASE } from '../catalog/definitions';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { acknowledgeSdkCalls } from '../compliance/sdk-calls';
import { grantLake, objectWildcards } from '../shared/grants';
import { platformLogGroup } from '../shared/log-group';
import { dataRemovalPolicy } from '../shared/removal-policy';
import { CrossRegionParameter } from './cross-region-parameter';
import { DATABASE_KEY_ARN_PARAMETER } from './keys';
import type { RegionPlacement } from './placement';

export const WAREHOUSE_PORT = 5439;
const LOG_EXPORTS = ['userlog', 'connectionlog', 'useractivitylog'];

export interface WarehouseProps extends RegionPlacement {
  readonly databaseKey: kms.IKey;
  /** Encrypts the log group of the SDK-call custom resources. */
  readonly logsKey: kms.IKey;
  /** The data key, for Spectrum's reads of the lake and catalog. */
  readonly dataKey: kms.IKey;
}

/**
 * Redshift, Serverless by default (namespace + workgroup) or a provisioned RA3
 * cluster. Private, not publicly accessible, enhanced VPC routing, encrypted with
 * the region's database key, admin password managed by Secrets Manager, audit
 * logs to CloudWatch, a Spectrum role reading the lake through the catalog.
 *
 * DR: the primary copies its snapshots to the DR region with the DR database
 * key (its key ARN, read from the DR region's SSM at deploy time) and the configured retention; snapshots are taken on a schedule
 * whose interval is the warehouse RPO. The DR region holds an idle warehouse of
 * the same shape (Serverless costs nothing idle) to restore into: a runbook step.
 */
export class Warehouse extends Construct {
  readonly spectrumRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;
  readonly namespace?: rss.CfnNamespace;
  readonly workgroup?: rss.CfnWorkgroup;
  readonly cluster?: redshift.CfnCluster;
  private readonly props: WarehouseProps;
  private sdkCallLogs?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    this.props = props;
    const { config, role, vpc, subnets, clientSecurityGroup, databaseKey } = props;
    const name = warehouseName(config);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Redshift ${config.name}: ${WAREHOUSE_PORT} from platform workloads only`,
      allowAllOutbound: true, // enhanced VPC routing: Spectrum and COPY reach S3/Glue through the VPC endpoints
    });
    this.securityGroup.addIngressRule(
      clientSecurityGroup,
      ec2.Port.tcp(WAREHOUSE_PORT),
      'platform workloads',
    );

    this.spectrumRole = new iam.Role(this, 'SpectrumRole', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ),
      description: `Redshift Spectrum ${config.name}: reads the refined and curated lake layers and their catalog`,
    });
    const lakeGrant = {
      config,
      role,
      dataKey: props.dataKey,
      buckets: { refined: 'read', curated: 'read' } as const,
      databases: {
        [REFINED_TICKIT_DATABASE]: 'read',
        [RAW_TICKIT_DATABASE]: 'read',
        [SALES_DATABASE]: 'read',
      } as const,
    };
    grantLake(this.spectrumRole, lakeGrant);
    acknowledgeDefaultPolicy(this.spectrumRole, 'Redshift Spectrum (lake reads)');
    acknowledge(
      this.spectrumRole.node.findChild('DefaultPolicy'),
      objectWildcards(lakeGrant).map((arn) => `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}]`),
      'Spectrum reads every object of the refined and curated layers; object keys are data, unknown at deploy time.',
    );

    const subnetIds = vpc.selectSubnets(subnets).subnetIds;
    if (config.redshift.mode === 'serverless') {
      const { namespace, workgroup } = this.serverless(config, role, name, subnetIds, databaseKey);
      this.namespace = namespace;
      this.workgroup = workgroup;
    } else {
      this.cluster = this.provisioned(config, role, name, subnetIds, databaseKey);
    }
    acknowledgeSdkCalls(this);
  }

  private serverless(
    config: EnvironmentConfig,
    role: RegionRole,
    name: string,
    subnetIds: string[],
    key: kms.IKey,
  ): { namespace: rss.CfnNamespace; workgroup: rss.CfnWorkgroup } {
    const rs = config.redshift;
    const namespace = new rss.CfnNamespace(this, 'Namespace', {
      namespaceName: name,
      dbName: 'analytics',
      adminUsername: 'dra_admin',
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: key.keyArn,
      kmsKeyId: key.keyArn,
      iamRoles: [this.spectrumRole.roleArn],
      defaultIamRoleArn: this.spectrumRole.roleArn,
      logExports: LOG_EXPORTS,
      ...(config.removal.allowDestroy
        ? {}
        : { finalSnapshotName: `${name}-final`, finalSnapshotRetentionPeriod: -1 }),
      ...(isWriter(config, role)
        ? {
            snapshotCopyConfigurations: [
              {
                destinationRegion: regionOf(config, otherRole(role)),
                // The standby's key ARN (an alias is not a key): published by its foundation stack.
                destinationKmsKeyId: new CrossRegionParameter(this, 'StandbyDatabaseKeyArn', {
                  config,
                  from: otherRole(role),
                  path: DATABASE_KEY_ARN_PARAMETER,
                  logGroup: this.sdkCallLogGroup(),
                }).value,
                snapshotRetentionPeriod: rs.snapshotCopyRetentionDays,
              },
            ],
          }
        : {}),
    });
    namespace.applyRemovalPolicy(dataRemovalPolicy(config, 'retain'));

    const workgroup = new rss.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: name,
      namespaceName: name,
      baseCapacity: rs.baseRpu,
      maxCapacity: rs.maxRpu,
      enhancedVpcRouting: true,
      publiclyAccessible: false,
      subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: WAREHOUSE_PORT,
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    workgroup.addResourceDependency(namespace);
    workgroup.applyRemovalPolicy(dataRemovalPolicy(config, 'retain'));

    const api = this.sdkCallSettings();
    // No CloudFormation resource exists for Serverless usage limits: one SDK call, undone on delete.
    new cr.AwsCustomResource(this, 'UsageLimit', {
      ...api,
      onCreate: {
        service: 'redshift-serverless',
        action: 'createUsageLimit',
        parameters: {
          resourceArn: workgroup.attrWorkgroupWorkgroupArn,
          usageType: 'serverless-compute',
          amount: rs.dailyRpuHoursLimit,
          period: 'daily',
          breachAction: 'deactivate',
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onUpdate: {
        service: 'redshift-serverless',
        action: 'updateUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference(), amount: rs.dailyRpuHoursLimit },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onDelete: {
        service: 'redshift-serverless',
        action: 'deleteUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference() },
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift-serverless:CreateUsageLimit', 'redshift-serverless:GetUsageLimit'],
          resources: [workgroup.attrWorkgroupWorkgroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['redshift-serverless:UpdateUsageLimit', 'redshift-serverless:DeleteUsageLimit'],
          resources: [this.arn(config, role, 'usagelimit/*')],
        }),
      ]),
    });

    acknowledge(
      this.node.findChild('UsageLimit').node.findChild('CustomResourcePolicy'),
      [`AwsSolutions::AwsSolutions-IAM5[Resource::${this.arn(config, role, 'usagelimit/*')}]`],
      'The usage limit id is assigned by CreateUsageLimit at deploy time; update and delete are limited to usage limits of this account and region.',
    );

    if (isWriter(config, role)) {
      // The snapshot schedule sets the warehouse RPO: every snapshot is copied to the standby region.
      const schedulerRole = new iam.Role(this, 'SnapshotSchedulerRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.redshift.amazonaws.com'),
        description: `Takes the scheduled snapshots of the ${name} namespace`,
      });
      schedulerRole.addToPolicy(
        new iam.PolicyStatement({
          actions: ['redshift-serverless:CreateSnapshot'],
          resources: [namespace.attrNamespaceNamespaceArn],
        }),
      );
      acknowledgeDefaultPolicy(schedulerRole, 'the Redshift snapshot scheduler');
      const actionName = resourceName(config, 'warehouse-snapshots');
      const action = {
        scheduledActionName: actionName,
        namespaceName: name,
        roleArn: schedulerRole.roleArn,
        enabled: true,
        schedule: { cron: `0 */${rs.snapshotIntervalHours} * * ? *` },
        targetAction: {
          createSnapshot: {
            namespaceName: name,
            snapshotNamePrefix: `${name}-scheduled`,
            retentionPeriod: rs.snapshotCopyRetentionDays,
          },
        },
      };
      const schedule = new cr.AwsCustomResource(this, 'SnapshotSchedule', {
        ...api,
        onCreate: {
          service: 'redshift-serverless',
          action: 'createScheduledAction',
          parameters: action,
          physicalResourceId: cr.PhysicalResourceId.of(actionName),
        },
        onUpdate: {
          service: 'redshift-serverless',
          action: 'updateScheduledAction',
          parameters: { ...action, namespaceName: undefined },
          physicalResourceId: cr.PhysicalResourceId.of(actionName),
        },
        onDelete: {
          service: 'redshift-serverless',
          action: 'deleteScheduledAction',
          parameters: { scheduledActionName: actionName },
        },
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({
            actions: [
              'redshift-serverless:CreateScheduledAction',
              'redshift-serverless:UpdateScheduledAction',
              'redshift-serverless:DeleteScheduledAction',
            ],
            resources: [
              namespace.attrNamespaceNamespaceArn,
              this.arn(config, role, `scheduledaction/${actionName}`),
            ],
          }),
          new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [schedulerRole.roleArn] }),
        ]),
      });
      schedule.node.addDependency(workgroup);
    }

    new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: parameterName(config, 'redshift/endpoint'),
      stringValue: `${workgroup.attrWorkgroupEndpointAddress}:${WAREHOUSE_PORT}`,
      description: `Redshift Serverless ${config.name} endpoint in this region`,
    });
    // CloudFormation exposes no admin-secret ARN for a namespace; GetNamespace returns it (adminPasswordSecretArn).
    new ssm.StringParameter(this, 'NamespaceParameter', {
      parameterName: parameterName(config, 'redshift/namespace'),
      stringValue: name,
      description: `Redshift Serverless ${config.name} namespace; its admin secret ARN is in GetNamespace.adminPasswordSecretArn`,
    });
    return { namespace, workgroup };
  }

  private provisioned(
    config: EnvironmentConfig,
    role: RegionRole,
    name: string,
    subnetIds: string[],
    key: kms.IKey,
  ): redshift.CfnCluster {
    const rs = config.redshift;
    const subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'SubnetGroup', {
      description: `Redshift ${config.name} private subnets`,
      subnetIds,
    });
    const parameters = new redshift.CfnClusterParameterGroup(this, 'Parameters', {
      description: `Redshift ${config.name}: TLS only, user activity logging`,
      parameterGroupFamily: 'redshift-1.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: 'true' },
        { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    // The grant that lets Redshift use the standby key for copied snapshots lives in the standby region, named from config.
    const copyGrantName = resourceName(config, 'warehouse-copy-grant');
    if (!isWriter(config, role)) {
      new redshift.CfnSnapshotCopyGrant(this, 'SnapshotCopyGrant', {
        snapshotCopyGrantName: copyGrantName,
        kmsKeyId: key.keyArn,
      });
    }
    const schedule = new redshift.CfnSnapshotSchedule(this, 'SnapshotSchedule', {
      scheduleIdentifier: resourceName(config, 'warehouse-snapshots'),
      scheduleDescription: `Every ${rs.snapshotIntervalHours} h: the warehouse RPO`,
      scheduleDefinitions: [`rate(${rs.snapshotIntervalHours} hours)`],
    });
    const cluster = new redshift.CfnCluster(this, 'Cluster', {
      clusterIdentifier: name,
      clusterType: rs.numberOfNodes > 1 ? 'multi-node' : 'single-node',
      nodeType: rs.nodeType,
      numberOfNodes: rs.numberOfNodes > 1 ? rs.numberOfNodes : undefined,
      dbName: 'analytics',
      masterUsername: 'dra_admin',
      manageMasterPassword: true,
      masterPasswordSecretKmsKeyId: key.keyArn,
      encrypted: true,
      kmsKeyId: key.keyArn,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      clusterSubnetGroupName: subnetGroup.ref,
      clusterParameterGroupName: parameters.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      port: WAREHOUSE_PORT,
      iamRoles: [this.spectrumRole.roleArn],
      automatedSnapshotRetentionPeriod: Math.max(1, rs.snapshotCopyRetentionDays),
      allowVersionUpgrade: true,
      preferredMaintenanceWindow: 'sun:07:00-sun:07:30',
      loggingProperties: { logDestinationType: 'cloudwatch', logExports: LOG_EXPORTS },
      ...(isWriter(config, role)
        ? {
            destinationRegion: regionOf(config, otherRole(role)),
            snapshotCopyRetentionPeriod: rs.snapshotCopyRetentionDays,
            snapshotCopyGrantName: copyGrantName,
          }
        : {}),
    });
    cluster.applyRemovalPolicy(dataRemovalPolicy(config, 'snapshot'));
    acknowledge(
      cluster,
      ['AwsSolutions::AwsSolutions-RS4'],
      'Default port kept: access is limited by private subnets, a security group admitting platform workloads only, and require_ssl; a non-default port breaks client defaults without adding control.',
    );

    // Associating a schedule with a cluster has no CloudFormation property.
    const association = new cr.AwsCustomResource(this, 'SnapshotScheduleAssociation', {
      ...this.sdkCallSettings(),
      onCreate: {
        service: 'redshift',
        action: 'modifyClusterSnapshotSchedule',
        parameters: { ClusterIdentifier: name, ScheduleIdentifier: schedule.scheduleIdentifier },
        physicalResourceId: cr.PhysicalResourceId.of(`${name}-schedule`),
      },
      onDelete: {
        service: 'redshift',
        action: 'modifyClusterSnapshotSchedule',
        parameters: { ClusterIdentifier: name, DisassociateSchedule: true },
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift:ModifyClusterSnapshotSchedule'],
          resources: [
            this.redshiftArn(config, role, `cluster:${name}`),
            this.redshiftArn(config, role, `snapshotschedule:${schedule.scheduleIdentifier}`),
          ],
        }),
      ]),
    });
    association.node.addDependency(cluster, schedule);

    new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: parameterName(config, 'redshift/endpoint'),
      stringValue: `${cluster.attrEndpointAddress}:${cluster.attrEndpointPort}`,
      description: `Redshift ${config.name} cluster endpoint in this region`,
    });
    new ssm.StringParameter(this, 'SecretParameter', {
      parameterName: parameterName(config, 'redshift/secret-arn'),
      stringValue: cluster.attrMasterPasswordSecretArn,
      description: `ARN of the Secrets Manager secret holding the Redshift ${config.name} admin password`,
    });
    return cluster;
  }

  /**
   * Common settings of the SDK-call custom resources: inside the VPC (AWS APIs via the endpoints),
   * the SDK bundled with the runtime (no download at deploy time), an encrypted log group.
   */
  private sdkCallSettings(): Pick<
    cr.AwsCustomResourceProps,
    'installLatestAwsSdk' | 'vpc' | 'vpcSubnets' | 'logGroup'
  > {
    const { config, role } = this.props;
    // A stack's SDK calls share one provider function. The Serverless writer also reads the
    // standby's key ARN from the other region, which the isolated VPC cannot reach, so there the
    // provider runs outside the VPC (lib/constructs/cross-region-parameter.ts).
    const readsOtherRegion = config.redshift.mode === 'serverless' && isWriter(config, role);
    return {
      installLatestAwsSdk: false,
      ...(readsOtherRegion ? {} : { vpc: this.props.vpc, vpcSubnets: this.props.subnets }),
      logGroup: this.sdkCallLogGroup(),
    };
  }

  private sdkCallLogGroup(): logs.LogGroup {
    this.sdkCallLogs ??= platformLogGroup(this, 'SdkCallLogs', {
      config: this.props.config,
      logsKey: this.props.logsKey,
    });
    return this.sdkCallLogs;
  }

  private arn(config: EnvironmentConfig, role: RegionRole, resource: string): string {
    return regionalArn(config, role, 'redshift-serverless', resource);
  }

  private redshiftArn(config: EnvironmentConfig, role: RegionRole, resource: string): string {
    return regionalArn(config, role, 'redshift', resource);
  }
}
