import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { isWriter } from '../../config/topology';
import { acknowledge } from '../compliance/acknowledge';
import { BucketReplication } from '../constructs/bucket-replication';
import {
  BUCKET_REPLICATION_RULES,
  DataLakeBuckets,
  REPLICATED_PURPOSES,
} from '../constructs/data-lake-buckets';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface StorageStackProps extends RegionStackProps {
  readonly dataKey: kms.IKey;
}

/**
 * The region's buckets. The writer's region (the primary unless failed over)
 * replicates to the standby; the standby replicates back only when
 * `storage.reverseReplication` is on (keeps the old writer current for failback).
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
    // The writer's buckets replicate to the standby's; the standby replicates back only with the switch on.
    const replicates = isWriter(this.config, this.role) || this.config.storage.reverseReplication;
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
          "Standby replica of the writer's bucket; replication back is the storage.reverseReplication switch, and the writer changes with failover.generation.",
        );
      }
    }
  }
}
