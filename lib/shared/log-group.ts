import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { dataRemovalPolicy } from './removal-policy';

export interface PlatformLogGroupProps {
  /** The validated environment configuration (its removal settings decide what happens on delete). */
  readonly config: EnvironmentConfig;
  /** The region's logs key; every log group of the platform is encrypted with it. */
  readonly logsKey: kms.IKey;
  /**
   * A fixed name, where a service writes to a name it chooses (RDS log exports) or operators look one up.
   * @default - a name CloudFormation generates
   */
  readonly logGroupName?: string;
}

/**
 * The platform's one kind of log group: KMS-encrypted with the region's logs key, kept a year
 * (the Control Tower baseline, and what an incident review reads), retained on stack deletion
 * unless the environment allows destroying data.
 */
export function platformLogGroup(scope: Construct, id: string, props: PlatformLogGroupProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    encryptionKey: props.logsKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: dataRemovalPolicy(props.config, 'retain'),
  });
}
