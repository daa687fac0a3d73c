import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledge';
import { BucketReplication } from '../constructs/bucket-replication';
import {
  BUCKET_REPLICATION_RULES,
  DataLakeBuckets,
  REPLICATED_PURPOSES,
} from '../constructs/data-lake-buckets';
import { RegionStack, type RegionStackProps } from '../region-stack';

export interface StorageStackProps extends RegionStackProps {
  readonly dataKey: kms.IKey;
}

/**
 * The region's buckets. The primary replicates to the DR region; the DR region
 * replicates back only when `storage.reverseReplication` is on (failback without rebuild).
 */
export class StorageStack extends RegionStack {
  readonly buckets: DataLakeBuckets;
  readonly replication?: BucketReplication;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, 'storage', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: data lake, artifacts, Athena results, access logs`,
    });
    this.buckets = new DataLakeBuckets(this, 'Buckets', {
      config: this.config,
      role: this.role,
      dataKey: props.dataKey,
    });
    const replicates = this.role === 'primary' || this.config.storage.reverseReplication;
    if (replicates) {
      this.replication = new BucketReplication(this, 'Replication', {
        config: this.config,
        role: this.role,
        buckets: this.buckets,
        sourceKey: props.dataKey,
      });
    } else {
      for (const purpose of REPLICATED_PURPOSES) {
        acknowledge(
          this.buckets.bucketFor(purpose),
          BUCKET_REPLICATION_RULES,
          'DR replica of the primary bucket; replication back to the primary is the storage.reverseReplication switch, used for failback.',
        );
      }
    }
  }
}
