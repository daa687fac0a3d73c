import { type AwsLimitRule, allResourcesOfType, type LimitFinding } from './rule';

/**
 * Properties whose API asks for a KMS key ARN (in another region, where no alias of this
 * template can be resolved for it):
 * - RDS `AutomaticBackupReplicationKmsKeyId`, passed to StartDBInstanceAutomatedBackupsReplication
 *   in the destination region: "The KMS key ID is the Amazon Resource Name (ARN) for the KMS
 *   encryption key in the destination Amazon Web Services Region".
 * - Redshift Serverless `SnapshotCopyConfigurations[].DestinationKmsKeyId`: "The KMS key to use
 *   to encrypt your snapshots in the destination Amazon Web Services Region"
 *   (CreateSnapshotCopyConfiguration; the configuration it returns calls it "The ID of the KMS
 *   key"). No page says an alias of the destination region resolves there, so the key ARN is
 *   passed (docs/unverified.md).
 * Secrets Manager `ReplicaRegions[].KmsKeyId` is not listed: its API takes "The ARN, key ID, or
 * alias of the KMS key".
 */
const KEY_ARN_PROPERTIES: readonly {
  readonly type: string;
  readonly values: (properties: Readonly<Record<string, unknown>>) => [string, unknown][];
  readonly page: string;
}[] = [
  {
    type: 'AWS::RDS::DBInstance',
    values: (p) => [['AutomaticBackupReplicationKmsKeyId', p.AutomaticBackupReplicationKmsKeyId]],
    page: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html',
  },
  {
    type: 'AWS::RedshiftServerless::Namespace',
    values: (p) =>
      ((p.SnapshotCopyConfigurations ?? []) as { DestinationKmsKeyId?: unknown }[]).map((c, i) => [
        `SnapshotCopyConfigurations.${i}.DestinationKmsKeyId`,
        c.DestinationKmsKeyId,
      ]),
    page: 'https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateSnapshotCopyConfiguration.html',
  },
];

export const kmsKeyArn: AwsLimitRule = {
  id: 'kms-key-arn',
  summary: 'A key ARN, not an alias, where the API asks for the key ARN of another region',
  page: KEY_ARN_PROPERTIES[0].page,
  check(stacks) {
    const findings: LimitFinding[] = [];
    for (const { type, values, page } of KEY_ARN_PROPERTIES) {
      for (const { stack, logicalId, properties } of allResourcesOfType(stacks, type)) {
        for (const [path, value] of values(properties)) {
          if (value === undefined || !JSON.stringify(value).includes('alias/')) continue;
          findings.push({
            stack,
            logicalId,
            path: `Properties.${path}`,
            value,
            problem: 'This is a KMS alias; the API asks for the key ARN in the destination region.',
            fix: "Pass the other region's key ARN, which its foundation stack publishes in SSM (/dra/{env}/kms/database-key-arn) and this stack reads at deploy time.",
            page,
          });
        }
      }
    }
    return findings;
  },
};
