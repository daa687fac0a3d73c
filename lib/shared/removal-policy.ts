import { RemovalPolicy } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../../config';

/** Removal policy for stores of data: destroy only where config allows it. */
export function dataRemovalPolicy(config: EnvironmentConfig, kind: 'retain' | 'snapshot'): RemovalPolicy {
  if (config.removal.allowDestroy) return RemovalPolicy.DESTROY;
  return kind === 'snapshot' ? RemovalPolicy.SNAPSHOT : RemovalPolicy.RETAIN;
}
