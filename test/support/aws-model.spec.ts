import type { DescribeReplicatorCommandOutput } from '@aws-sdk/client-kafka';
import { assertFollowsModel, ModelViolation, operationName, sdkError, violationsOf } from './aws-model';

/**
 * The checker every fake AWS answer and every call of the runbooks' Python
 * goes through (test/support/automation/world.ts): it reads the installed SDK
 * clients' Smithy schemas, so these expectations hold for the SDK versions in
 * package-lock.json.
 */
const ARN = 'arn:aws:kafka:us-west-2:111111111111:replicator/dra-prod-msk-replicator/abc';
const SOURCE = 'arn:aws:kafka:us-east-1:111111111111:cluster/dra-prod-msk/x';

/** DescribeReplicator as client-kafka declares it (its example output, trimmed). */
const describeReplicator = {
  ReplicatorArn: ARN,
  ReplicatorName: 'dra-prod-msk-replicator',
  ReplicatorState: 'RUNNING',
  CreationTime: new Date('2026-01-01T00:00:00Z'),
  KafkaClusters: [
    {
      AmazonMskCluster: { MskClusterArn: SOURCE },
      KafkaClusterAlias: 'source',
      VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
    },
  ],
  ReplicationInfoList: [
    {
      SourceKafkaClusterAlias: 'source',
      TargetKafkaClusterAlias: 'target',
      TargetCompressionType: 'NONE',
      TopicReplication: {
        TopicsToReplicate: ['.*'],
        TopicNameConfiguration: { Type: 'IDENTICAL' },
      },
    },
  ],
  Tags: { team: 'data' },
} satisfies Omit<DescribeReplicatorCommandOutput, '$metadata'>;

const message = (run: () => void): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelViolation);
    return (error as Error).message;
  }
  throw new Error('expected a ModelViolation');
};

describe('the AWS model checker', () => {
  it('rejects SourceKafkaClusterArn in a DescribeReplicator answer, naming the operation, the path and the fix', () => {
    const invented = {
      ...describeReplicator,
      ReplicationInfoList: [{ ...describeReplicator.ReplicationInfoList[0], SourceKafkaClusterArn: SOURCE }],
    };
    const text = message(() => assertFollowsModel('kafka', 'DescribeReplicator', 'response', invented));
    expect(text).toMatch(
      /^kafka DescribeReplicator response does not follow the AWS model \(@aws-sdk\/client-kafka \d/,
    );
    expect(text).toContain(
      'ReplicationInfoList[0].SourceKafkaClusterArn: ReplicationInfoDescription has no member SourceKafkaClusterArn (its members: ConsumerGroupReplication, SourceKafkaClusterAlias,',
    );
    expect(text).toMatch(
      /Fix the fake that answered \(test\/support\/automation\/world\.ts.*DescribeReplicatorCommandOutput/,
    );
  });

  it('accepts an answer that follows the model', () => {
    expect(violationsOf('kafka', 'DescribeReplicator', 'response', describeReplicator)).toEqual([]);
    expect(violationsOf('kafka', 'describe_replicator', 'request', { ReplicatorArn: ARN })).toEqual([]);
  });

  it('rejects a member the model lacks in a call', () => {
    expect(
      violationsOf('rds', 'promote_read_replica', 'request', {
        DBInstanceIdentifier: 'db',
        SkipBackup: true,
      }),
    ).toEqual([
      {
        path: 'SkipBackup',
        problem: expect.stringMatching(
          /^PromoteReadReplicaMessage has no member SkipBackup \(its members: DBInstanceIdentifier, BackupRetentionPeriod/,
        ),
      },
    ]);
  });

  it('rejects a missing required member, in a call and in an answer, at any depth', () => {
    expect(violationsOf('kafka', 'DeleteReplicator', 'request', {})).toEqual([
      { path: 'ReplicatorArn', problem: 'is missing: DeleteReplicatorRequest requires it' },
    ]);
    expect(
      violationsOf('kafka', 'DescribeReplicator', 'response', {
        ...describeReplicator,
        KafkaClusters: [{ AmazonMskCluster: {} }],
      }),
    ).toEqual([
      {
        path: 'KafkaClusters[0].AmazonMskCluster.MskClusterArn',
        problem: 'is missing: AmazonMskCluster requires it',
      },
    ]);
  });

  it('rejects a wrong type: a string for a number, a list for a structure, a text timestamp in an answer', () => {
    expect(violationsOf('rds', 'DescribeDBInstances', 'request', { MaxRecords: '20' })).toEqual([
      { path: 'MaxRecords', problem: 'is string "20", the model has a number' },
    ]);
    expect(violationsOf('kafka', 'DescribeReplicator', 'response', { StateInfo: [{ Code: 'x' }] })).toEqual([
      { path: 'StateInfo', problem: 'is a list, the model has the structure ReplicationStateInfo' },
    ]);
    expect(
      violationsOf('kafka', 'DescribeReplicator', 'response', { CreationTime: '2026-01-01T00:00:00Z' }),
    ).toEqual([
      {
        path: 'CreationTime',
        problem: expect.stringMatching(
          /^is string "2026-01-01T00:00:00Z", the model has a timestamp \(a Date/,
        ),
      },
    ]);
    // A call may pass a timestamp as boto3 takes it: a datetime, an ISO 8601 string or epoch seconds.
    expect(
      violationsOf('cloudwatch', 'GetMetricData', 'request', {
        MetricDataQueries: [],
        StartTime: '2026-01-01T00:00:00Z',
        EndTime: 1767225600,
      }),
    ).toEqual([]);
  });

  it('rejects a value that is not one of the enum, in a scalar, a list and a map key', () => {
    expect(violationsOf('kafka', 'DescribeReplicator', 'response', { ReplicatorState: 'ACTIVE' })).toEqual([
      {
        path: 'ReplicatorState',
        problem:
          'is "ACTIVE", not a value of the enum ReplicatorState ("CREATING", "DELETING", "FAILED", "RUNNING", "UPDATING")',
      },
    ]);
    expect(
      violationsOf('emr-serverless', 'list_job_runs', 'request', {
        applicationId: 'app',
        states: ['RUNNING', 'ACTIVE'],
      }),
    ).toEqual([
      {
        path: 'states[1]',
        problem: expect.stringMatching(/^is "ACTIVE", not a value of the enum JobRunState/),
      },
    ]);
  });

  it('rejects null (boto3 refuses None; AWS leaves a member out)', () => {
    expect(violationsOf('ssm', 'get_parameter', 'request', { Name: 'x', WithDecryption: null })).toEqual([
      { path: 'WithDecryption', problem: expect.stringMatching(/^is None\/null/) },
    ]);
  });

  it('rejects an operation the service does not have, and a service no SDK package models', () => {
    expect(violationsOf('kafka', 'DescribeReplicatorV2', 'request', {})).toEqual([
      {
        path: '(operation)',
        problem: expect.stringMatching(/client-kafka .* has no operation DescribeReplicatorV2/),
      },
    ]);
    expect(() => violationsOf('quantum', 'Entangle', 'request', {})).toThrow(
      /No AWS SDK model is mapped for the service 'quantum'.*devDependency/,
    );
  });

  it("names boto3's snake_case methods by the SDK's operation names", () => {
    expect(operationName('rds', 'describe_db_instances')).toBe('DescribeDBInstances');
    expect(operationName('redshift-serverless', 'restore_from_snapshot')).toBe('RestoreFromSnapshot');
    expect(operationName('s3', 'get_bucket_replication')).toBe('GetBucketReplication');
  });

  it('raises a service error as the SDK does: the modelled exception, or the base one named after the code', () => {
    const notFound = sdkError('rds', 'DBInstanceNotFound', 'DBInstance db not found.', 404);
    expect(notFound).toMatchObject({
      name: 'DBInstanceNotFoundFault',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
    });
    expect(sdkError('kafka', 'ServiceUnavailableException', 'down', 503)).toMatchObject({
      name: 'ServiceUnavailableException',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    expect(sdkError('ssm', 'ThrottlingException', 'Rate exceeded', 400)).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
