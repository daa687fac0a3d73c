import { type AwsLimitRule, allResourcesOfType, type LimitFinding, regionOfValue } from './rule';

/**
 * Each cluster of an MSK Replicator is reached through subnets and security groups of its own
 * region: "choose the subnets ... for the source cluster" in the source cluster's VPC (MSK
 * developer guide, "Create a replicator", source cluster settings); the target's come from the
 * target's VPC. The Replicator is created in the target region, so the source's ids are of the
 * other region and must be read there (this app publishes them in SSM), never taken from the
 * template's own VPC.
 */
export const mskReplicatorClusterRegion: AwsLimitRule = {
  id: 'msk-replicator-cluster-region',
  summary:
    "An MSK Replicator reaches each cluster through subnets and security groups of that cluster's region",
  page: 'https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-create.html',
  check(stacks) {
    const findings: LimitFinding[] = [];
    for (const { stack, logicalId, properties } of allResourcesOfType(stacks, 'AWS::MSK::Replicator')) {
      const clusters = (properties.KafkaClusters ?? []) as {
        AmazonMskCluster?: { MskClusterArn?: unknown };
        VpcConfig?: { SubnetIds?: unknown; SecurityGroupIds?: unknown };
      }[];
      clusters.forEach((cluster, index) => {
        const clusterRegion = regionOfValue(stack, cluster.AmazonMskCluster?.MskClusterArn);
        if (!clusterRegion) return;
        for (const key of ['SubnetIds', 'SecurityGroupIds'] as const) {
          const ids = cluster.VpcConfig?.[key];
          const list = Array.isArray(ids) ? ids : ids === undefined ? [] : [ids];
          list.forEach((id, position) => {
            const region = regionOfValue(stack, id);
            if (!region || region === clusterRegion) return;
            findings.push({
              stack,
              logicalId,
              path: `Properties.KafkaClusters.${index}.VpcConfig.${key}${Array.isArray(ids) ? `.${position}` : ''}`,
              value: id,
              problem: `Cluster ${index} is in ${clusterRegion}, but this ${key === 'SubnetIds' ? 'subnet' : 'security group'} comes from ${region}; the Replicator reaches each cluster through its own region's VPC.`,
              fix: `Use the ${key === 'SubnetIds' ? 'subnets' : 'security group'} of ${clusterRegion}: for the source cluster, read the ids its region publishes in SSM at deploy time (lib/constructs/msk-replicator.ts).`,
            });
          });
        }
      });
    }
    return findings;
  },
};
