import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { validateConfig } from '../../config';
import { prod } from '../../config/prod';
import { elasticacheGlobalMember } from '../../lib/compliance/aws-limits/elasticache-global-member';
import { Cache } from '../../lib/constructs/cache';

/**
 * The Global Datastore member refuses ModifyReplicationGroup, so no config change may change its
 * template: it is built from ids and values pinned in code only. Built here as the DR region's
 * Cache construct alone, under settings an operator might change.
 */
interface Change {
  readonly elasticache?: Partial<typeof prod.elasticache>;
  readonly failover?: Partial<typeof prod.failover>;
}
function member(change: Change = {}) {
  const input = structuredClone(prod);
  const config = validateConfig(
    {
      ...input,
      elasticache: { ...input.elasticache, ...change.elasticache },
      failover: { ...input.failover, ...change.failover },
    },
    'test',
  );
  // Properties only: CloudFormation's validator (seconds per synth) and creation stack traces
  // are left to the platform tests.
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true },
  });
  const stack = new Stack(app, 'DrCache', {
    env: { account: config.account, region: config.regions.dr.region },
  });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f67890',
    availabilityZones: ['us-west-2a', 'us-west-2b'],
    isolatedSubnetIds: ['subnet-0a1b2c3d4e5f67891', 'subnet-0a1b2c3d4e5f67892'],
  });
  const cache = new Cache(stack, 'Cache', {
    config,
    role: 'dr',
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    clientSecurityGroup: new ec2.SecurityGroup(stack, 'Clients', { vpc }),
    databaseKey: new kms.Key(stack, 'DatabaseKey'),
    logsKey: new kms.Key(stack, 'LogsKey'),
  });
  const template = Template.fromStack(stack).toJSON();
  const id = stack.getLogicalId(cache.replicationGroup!);
  return template.Resources[id].Properties;
}

describe('the Global Datastore member (prod, DR region)', () => {
  const base = member();

  it('passes the member rule', () => {
    const stacks = [
      {
        stackName: 'prod-dr-cache',
        templatePath: '-',
        region: 'us-west-2',
        template: { Resources: { M: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: base } } },
      },
    ];
    expect(elasticacheGlobalMember.check(stacks)).toEqual([]);
  });

  it.each([
    ['node type', { elasticache: { nodeType: 'cache.r7g.xlarge' } }],
    ['engine', { elasticache: { engine: 'redis' as const } }],
    ['snapshot retention', { elasticache: { snapshotRetentionDays: 30 } }],
    ['failover generation', { failover: { generation: 3 } }],
  ])('does not change when the %s changes', (_what, change) => {
    expect(member(change)).toEqual(base);
  });

  it('changes only its node count with the replica count (Increase/DecreaseReplicaCount, not ModifyReplicationGroup)', () => {
    const changed = member({ elasticache: { replicasPerNodeGroup: 1 } });
    const differing = Object.keys({ ...base, ...changed }).filter(
      (k) => JSON.stringify(base[k]) !== JSON.stringify(changed[k]),
    );
    expect(differing).toEqual(['NumCacheClusters']);
  });
});
