import { Match } from 'aws-cdk-lib/assertions';
import { dev } from '../../config/dev';
import { RTC_MINUTES } from '../../lib/constructs/bucket-replication';
import { sharedPlatform, templateOf } from '../support/app';

const ACCOUNT = '111111111111';

describe('storage (prod)', () => {
  const platform = sharedPlatform('prod');
  const primary = templateOf(platform.primary.storage);
  const dr = templateOf(platform.dr.storage);
  const buckets = (t: typeof primary) => Object.values(t.findResources('AWS::S3::Bucket')) as any[];

  it('names buckets deterministically from env, purpose, account and region', () => {
    const names = buckets(dr)
      .map((b) => b.Properties.BucketName)
      .sort();
    expect(names).toEqual(
      ['access-logs', 'artifacts', 'athena-results', 'checkpoints', 'curated', 'raw', 'refined'].map(
        (p) => `dra-prod-${p}-${ACCOUNT}-us-west-2`,
      ),
    );
  });

  it('encrypts every data bucket with the region data key, bucket keys on', () => {
    for (const b of buckets(primary).filter((b) => !b.Properties.BucketName.includes('access-logs'))) {
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
        },
      ]);
    }
  });

  it('versions, blocks public access on and logs every bucket', () => {
    for (const b of buckets(primary)) {
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      if (!b.Properties.BucketName.includes('access-logs')) {
        expect(b.Properties.LoggingConfiguration.LogFilePrefix).toMatch(/\/$/);
      }
    }
  });

  it('denies every request that is not TLS', () => {
    const policies = Object.values(primary.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(policies).toHaveLength(7);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('expires noncurrent versions, incomplete uploads and old query results', () => {
    const raw = buckets(primary).find((b) => b.Properties.BucketName.startsWith('dra-prod-raw-'));
    expect(raw.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
      ]),
    );
    // Spark deletes checkpoint files it no longer needs; their old versions go after a day.
    const checkpoints = buckets(primary).find((b) => b.Properties.BucketName.includes('-checkpoints-'));
    expect(checkpoints.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
    );
    const results = buckets(primary).find((b) => b.Properties.BucketName.includes('athena-results'));
    expect(results.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' }),
    );
  });

  it('retains buckets in prod', () => {
    for (const b of Object.values(primary.findResources('AWS::S3::Bucket')) as any[]) {
      expect(b.DeletionPolicy).toBe('Retain');
    }
    primary.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  describe('cross-region replication', () => {
    const replicated = () =>
      buckets(primary).filter((b) => b.Properties.ReplicationConfiguration !== undefined);

    it('replicates the lake layers and artifacts, not results, access logs or streaming checkpoints', () => {
      const names = replicated()
        .map((b) => b.Properties.BucketName.split('-')[2])
        .sort();
      expect(names).toEqual(['artifacts', 'curated', 'raw', 'refined']);
    });

    it('sends each bucket to its DR twin with RTC, metrics, delete markers and the DR data key', () => {
      for (const b of replicated()) {
        const purpose = b.Properties.BucketName.replace(/^dra-prod-/, '').replace(
          /-111111111111-us-east-1$/,
          '',
        );
        const [rule] = b.Properties.ReplicationConfiguration.Rules;
        expect(rule).toMatchObject({
          Status: 'Enabled',
          DeleteMarkerReplication: { Status: 'Enabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: {
            Bucket: `arn:aws:s3:::dra-prod-${purpose}-${ACCOUNT}-us-west-2`,
            EncryptionConfiguration: {
              ReplicaKmsKeyID: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/dra/prod/data`,
            },
            ReplicationTime: { Status: 'Enabled', Time: { Minutes: RTC_MINUTES } },
            Metrics: { Status: 'Enabled', EventThreshold: { Minutes: RTC_MINUTES } },
          },
        });
      }
    });

    it('gives the replication role only named buckets and the DR data key by alias', () => {
      const [policy] = Object.values(primary.findResources('AWS::IAM::Policy')) as any[];
      const statements = policy.Properties.PolicyDocument.Statement;
      for (const s of statements) {
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
      }
      const write = statements.find((s: any) => s.Sid === 'WriteReplicas');
      expect([...write.Resource].sort()).toEqual(
        ['artifacts', 'curated', 'raw', 'refined'].map(
          (p) => `arn:aws:s3:::dra-prod-${p}-${ACCOUNT}-us-west-2/*`,
        ),
      );
      const encrypt = statements.find((s: any) => s.Sid === 'EncryptReplicasWithTargetDataKey');
      expect(encrypt.Condition).toEqual({
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/dra/prod/data' },
        StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
      });
    });

    it('does not replicate back from DR unless config turns reverse replication on', () => {
      expect(buckets(dr).filter((b) => b.Properties.ReplicationConfiguration)).toHaveLength(0);
    });

    it('deploys the DR storage stack before the primary one', () => {
      expect(platform.primary.storage.dependencies).toContain(platform.dr.storage);
      expect(platform.dr.storage.dependencies).not.toContain(platform.primary.storage);
    });
  });
});

describe('storage (dev, reverse replication on)', () => {
  const config = { ...structuredClone(dev), storage: { ...dev.storage, reverseReplication: true } };
  const platform = sharedPlatform(config);
  const dr = templateOf(platform.dr.storage);

  it('replicates DR buckets back to the primary with the primary data key', () => {
    dr.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `dra-dev-raw-${ACCOUNT}-us-west-2`,
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Destination: Match.objectLike({
              Bucket: `arn:aws:s3:::dra-dev-raw-${ACCOUNT}-us-east-1`,
              EncryptionConfiguration: {
                ReplicaKmsKeyID: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/dra/dev/data`,
              },
            }),
          }),
        ],
      },
    });
  });

  it('empties and deletes buckets where config allows destroy', () => {
    for (const b of Object.values(dr.findResources('AWS::S3::Bucket')) as any[]) {
      expect(b.DeletionPolicy).toBe('Delete');
    }
    dr.resourceCountIs('Custom::S3AutoDeleteObjects', 7);
  });
});
