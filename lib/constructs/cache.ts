import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import {
  cacheReplicationGroupId,
  globalDatastoreId,
  keyAliasName,
  parameterName,
  regionOf,
  secretName,
} from '../../config/naming';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import { otherRole } from '../../config/topology';
import { acknowledge } from '../compliance/acknowledge';
import { MEMBER_PINNED } from '../compliance/aws-limits/elasticache-global-member';
import { platformLogGroup } from '../shared/log-group';
import { dataRemovalPolicy } from '../shared/removal-policy';
import type { RegionPlacement } from './placement';

export const CACHE_PORT = 6379;
/** Current major engine versions; Global Datastore needs the same version in both regions. */
export const ENGINE_VERSIONS = { valkey: '8.0', redis: '7.1' } as const;

/** The ids a Global Datastore member is built from; none of them ever changes. */
export interface GlobalDatastoreMemberIds {
  readonly replicationGroupId: string;
  readonly replicationGroupDescription: string;
  readonly globalReplicationGroupId: string;
  readonly cacheSubnetGroupName: string;
  readonly securityGroupIds: string[];
  readonly kmsKeyId: string;
  readonly authToken: string;
  readonly numCacheClusters: number;
}

/**
 * A Global Datastore member's properties, and nothing else. ElastiCache infers engine, version,
 * node type, parameter group, encryption and automatic failover from the primary and refuses
 * them on a member ("Using global datastores (CLI)"); and a member refuses
 * ModifyReplicationGroup ("is part of a global cluster"), so it carries only what a later
 * deploy never changes through that call. The rule `elasticache-global-member-properties`
 * (lib/compliance/aws-limits/) fails synth on anything more; docs/aws-limits.md says how such
 * settings are changed instead.
 */
export function globalDatastoreMember(ids: GlobalDatastoreMemberIds): elasticache.CfnReplicationGroupProps {
  return {
    replicationGroupId: ids.replicationGroupId,
    replicationGroupDescription: ids.replicationGroupDescription,
    globalReplicationGroupId: ids.globalReplicationGroupId,
    cacheSubnetGroupName: ids.cacheSubnetGroupName,
    securityGroupIds: ids.securityGroupIds,
    kmsKeyId: ids.kmsKeyId,
    authToken: ids.authToken,
    // Changed through Increase/DecreaseReplicaCount, never ModifyReplicationGroup (no such parameter there).
    numCacheClusters: ids.numCacheClusters,
    // Fixed in code, never from config: a member can take no later change of them.
    multiAzEnabled: MEMBER_PINNED.MultiAZEnabled,
    snapshotRetentionLimit: MEMBER_PINNED.SnapshotRetentionLimit,
  };
}

export interface CacheProps extends RegionPlacement {
  /** Encrypts the cache at rest and its AUTH secret. */
  readonly databaseKey: kms.IKey;
  readonly logsKey: kms.IKey;
}

/**
 * ElastiCache (Valkey by default). Node-based: a Multi-AZ replication group with
 * automatic failover, TLS required, encryption at rest with the region's key and
 * an AUTH token from Secrets Manager. With `globalDatastore` the primary region
 * creates the Global Datastore and the DR region joins it as the secondary, whose
 * id is derived from config (the documented per-region prefix), not read across
 * regions. Serverless mode: an ElastiCache Serverless cache per region with RBAC,
 * and no cross-region replication (config validation forbids the combination).
 */
export class Cache extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly replicationGroup?: elasticache.CfnReplicationGroup;
  readonly globalDatastore?: elasticache.CfnGlobalReplicationGroup;
  readonly serverless?: elasticache.CfnServerlessCache;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { config, role, vpc, subnets, clientSecurityGroup, databaseKey } = props;
    const cache = config.elasticache;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Cache ${config.name}: ${CACHE_PORT} from platform workloads only`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(clientSecurityGroup, ec2.Port.tcp(CACHE_PORT), 'platform workloads');
    acknowledge(
      this,
      ['AwsSolutions::AwsSolutions-AEC5'],
      'Default port kept: access is limited by private subnets, a security group admitting platform workloads only, TLS and authentication; a non-default port breaks client defaults without adding control.',
    );

    const subnetIds = vpc.selectSubnets(subnets).subnetIds;
    if (cache.mode === 'serverless') {
      this.serverless = this.serverlessCache(config, subnetIds, databaseKey);
      return;
    }

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      cacheSubnetGroupName: cacheReplicationGroupId(config),
      description: `Cache ${config.name} private subnets`,
      subnetIds,
    });

    // The member that joined the datastore; after a dissolution its template stays as created
    // (GlobalReplicationGroupId is how it was made), so a deploy does not touch the standalone group.
    const home = cache.globalDatastoreHome;
    const secondary = cache.globalDatastore && role !== home;
    const authToken = this.authToken(config, role, databaseKey);
    const replicas = cache.replicasPerNodeGroup;
    // What both the datastore's creator and its member carry: ids and values built from names only.
    const identity = {
      replicationGroupId: cacheReplicationGroupId(config),
      replicationGroupDescription: `dual-region-analytics ${config.name} cache (${role})`,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      kmsKeyId: databaseKey.keyArn,
      authToken,
      numCacheClusters: 1 + replicas,
    };

    this.replicationGroup = new elasticache.CfnReplicationGroup(
      this,
      'ReplicationGroup',
      secondary
        ? globalDatastoreMember({
            ...identity,
            globalReplicationGroupId: globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES),
          })
        : {
            ...identity,
            engine: cache.engine,
            engineVersion: ENGINE_VERSIONS[cache.engine],
            cacheNodeType: cache.nodeType,
            port: CACHE_PORT,
            multiAzEnabled: replicas > 0,
            automaticFailoverEnabled: replicas > 0,
            transitEncryptionEnabled: true,
            transitEncryptionMode: 'required',
            atRestEncryptionEnabled: true,
            snapshotRetentionLimit: cache.snapshotRetentionDays,
            snapshotWindow: '04:00-05:00',
            preferredMaintenanceWindow: 'sun:06:00-sun:07:00',
            autoMinorVersionUpgrade: true,
            logDeliveryConfigurations: [
              {
                destinationType: 'cloudwatch-logs',
                logFormat: 'json',
                logType: 'slow-log',
                destinationDetails: {
                  cloudWatchLogsDetails: {
                    logGroup: platformLogGroup(this, 'SlowLog', { config, logsKey: props.logsKey })
                      .logGroupName,
                  },
                },
              },
            ],
          },
    );
    if (secondary) this.acknowledgeMember(this.replicationGroup);
    this.replicationGroup.addResourceDependency(subnetGroup);
    this.replicationGroup.applyRemovalPolicy(dataRemovalPolicy(config, 'snapshot'));

    if (cache.globalDatastore && role === home) {
      this.globalDatastore = new elasticache.CfnGlobalReplicationGroup(this, 'GlobalDatastore', {
        globalReplicationGroupIdSuffix: cacheReplicationGroupId(config),
        globalReplicationGroupDescription: `dual-region-analytics ${config.name} cache, created in ${regionOf(config, home)}`,
        automaticFailoverEnabled: replicas > 0,
        members: [
          {
            replicationGroupId: this.replicationGroup.ref,
            replicationGroupRegion: regionOf(config, home),
            role: 'PRIMARY',
          },
        ],
      });
    }

    new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: parameterName(config, 'cache/endpoint'),
      stringValue: `${this.replicationGroup.attrPrimaryEndPointAddress}:${CACHE_PORT}`,
      description: `Cache ${config.name} endpoint in this region (TLS; read-only while this region is a Global Datastore secondary)`,
    });
    new ssm.StringParameter(this, 'SecretParameter', {
      parameterName: parameterName(config, 'cache/auth-secret-name'),
      stringValue: secretName(config, 'cache/auth-token'),
      description: `Name of the Secrets Manager secret holding the cache AUTH token in this region`,
    });
  }

  private acknowledgeMember(member: elasticache.CfnReplicationGroup): void {
    acknowledge(
      member,
      ['AwsSolutions::AwsSolutions-AEC3'],
      'Global Datastore member: encryption at rest (with this region key, KmsKeyId) and in transit follow the primary, which has both; ElastiCache infers them and refuses them on a member ("Using global datastores (CLI)"; rule elasticache-global-member-properties).',
    );
  }

  /**
   * The AUTH token as a Secrets Manager dynamic reference (the value never enters the template).
   * With a Global Datastore both members need the same token: the primary's secret is replicated
   * to the DR region under the same name, and the DR stack resolves it there.
   */
  private authToken(config: EnvironmentConfig, role: RegionRole, key: kms.IKey): string {
    const name = secretName(config, 'cache/auth-token');
    const home = config.elasticache.globalDatastoreHome;
    if (config.elasticache.globalDatastore && role !== home) {
      return `{{resolve:secretsmanager:${name}:SecretString:::}}`;
    }
    const secret = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: name,
      description: `AUTH token of the ${config.name} cache`,
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: dataRemovalPolicy(config, 'retain'),
    });
    if (config.elasticache.globalDatastore) {
      (secret.node.defaultChild as secretsmanager.CfnSecret).replicaRegions = [
        { region: regionOf(config, otherRole(home)), kmsKeyId: keyAliasName(config, 'database') },
      ];
    }
    acknowledge(
      secret,
      [
        'AwsSolutions::AwsSolutions-SMG4',
        'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled',
        'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled',
      ],
      'An ElastiCache AUTH token changes through ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE then DELETE), not a Secrets Manager rotation Lambda; rotate it with that two-step procedure (docs/operations.md).',
    );
    return secret.secretValue.unsafeUnwrap();
  }

  private serverlessCache(
    config: EnvironmentConfig,
    subnetIds: string[],
    key: kms.IKey,
  ): elasticache.CfnServerlessCache {
    const name = cacheReplicationGroupId(config);
    // RBAC: the mandatory "default" user is disabled; the application user authenticates with IAM.
    const defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      userId: `${name}-default`,
      userName: 'default',
      engine: config.elasticache.engine,
      accessString: 'off -@all',
      authenticationMode: { Type: 'no-password-required' },
    });
    const appUser = new elasticache.CfnUser(this, 'AppUser', {
      userId: `${name}-app`,
      userName: `${name}-app`,
      engine: config.elasticache.engine,
      accessString: 'on ~* +@all -@dangerous',
      authenticationMode: { Type: 'iam' },
    });
    const group = new elasticache.CfnUserGroup(this, 'UserGroup', {
      userGroupId: name,
      engine: config.elasticache.engine,
      userIds: [defaultUser.userId, appUser.userId],
    });
    group.addResourceDependency(defaultUser);
    group.addResourceDependency(appUser);
    const serverless = new elasticache.CfnServerlessCache(this, 'Serverless', {
      serverlessCacheName: name,
      engine: config.elasticache.engine,
      majorEngineVersion: ENGINE_VERSIONS[config.elasticache.engine].split('.')[0],
      kmsKeyId: key.keyArn,
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds,
      snapshotRetentionLimit: config.elasticache.snapshotRetentionDays,
      userGroupId: group.userGroupId,
    });
    serverless.addResourceDependency(group);
    serverless.applyRemovalPolicy(dataRemovalPolicy(config, 'retain'));
    new ssm.StringParameter(this, 'EndpointParameter', {
      parameterName: parameterName(config, 'cache/endpoint'),
      stringValue: `${serverless.attrEndpointAddress}:${serverless.attrEndpointPort}`,
      description: `Cache ${config.name} endpoint in this region (TLS, IAM auth as ${name}-app)`,
    });
    return serverless;
  }
}
