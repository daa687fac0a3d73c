import { ArnFormat, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../../config';
import { resourceName } from '../../../config/naming';
import { platformLogGroup } from '../../shared/log-group';

export interface SparkFailureRuleProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  readonly logsKey: kms.IKey;
  /** Receives the SparkJobFailures alarm. */
  readonly topic: sns.ITopic;
}

/** The log group that keeps this region's failed EMR Serverless job runs. */
export function jobFailureLogName(config: EnvironmentConfig): string {
  return `/dra/${config.name}/emr-serverless/failed-job-runs`;
}

/**
 * EMR Serverless reports job run state changes to EventBridge (EMR Serverless
 * user guide, events-ref: source aws.emr-serverless, detail-type "EMR Serverless
 * Job Run State Change"); FAILED runs in this region are kept in a log group (a
 * year, KMS) and counted by the rule's MatchedEvents metric, which the
 * SparkJobFailures alarm watches.
 *
 * The rule, the log group and its policy are named resources created before this
 * construct existed: their logical IDs are kept, so CloudFormation updates them
 * in place instead of creating a second resource under the same name.
 */
export class SparkFailureRule extends Construct {
  readonly rule: events.Rule;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SparkFailureRuleProps) {
    super(scope, id);
    const { config } = props;
    const logName = jobFailureLogName(config);
    const keep = (construct: Construct, logicalId: string) =>
      (construct.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
    const log = platformLogGroup(this, 'SparkJobFailedLog', {
      config,
      logsKey: props.logsKey,
      logGroupName: logName,
    });
    keep(log, 'SparkJobFailedLog310183CA');
    // The log group's resource policy is plain CloudFormation (the events-targets
    // helper would add a custom-resource Lambda to write it).
    const policy = new logs.ResourcePolicy(this, 'SparkJobFailedLogPolicy', {
      resourcePolicyName: `${resourceName(config, 'failed-job-runs')}-events`,
      policyStatements: [
        new iam.PolicyStatement({
          principals: [
            new iam.ServicePrincipal('events.amazonaws.com'),
            new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${log.logGroupArn}`],
        }),
      ],
    });
    (policy.node.findChild('ResourcePolicy') as CfnResource).overrideLogicalId(
      'SparkJobFailedLogPolicyResourcePolicy292CF215',
    );
    this.rule = new events.Rule(this, 'SparkJobFailed', {
      ruleName: resourceName(config, 'spark-job-failed'),
      description: `Failed EMR Serverless job runs of ${config.name} in this region`,
      eventPattern: {
        source: ['aws.emr-serverless'],
        detailType: ['EMR Serverless Job Run State Change'],
        detail: { state: ['FAILED'] },
      },
    });
    keep(this.rule, 'SparkJobFailedEC167786');
    const logArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.rule.addTarget({ bind: () => ({ arn: logArn }) });
    this.rule.node.addDependency(log);

    this.alarm = new cloudwatch.Alarm(this, 'SparkJobFailures', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: this.rule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${config.name} ${props.role}: Spark job runs are failing (EMR Serverless FAILED events; details in ${logName})`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
  }
}
