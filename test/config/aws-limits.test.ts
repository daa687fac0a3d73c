import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ENVIRONMENTS, loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { AWS_PAGES, EMR_SERVERLESS_7_RELEASES, isAllowedBaseRpu } from '../../config/limits';
import { physicalNames } from '../../config/names';
import { prod } from '../../config/prod';
import { GLOBAL_DATASTORE_PREFIXES, KNOWN_REGIONS, MSK_SERVERLESS_REGIONS } from '../../config/regions';
import { JOB_CATALOG } from '../../lambda/job-submission/job-catalog';
import { rejectionOf } from '../support/config';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('shipped environments pass every AWS limit', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s: both regions have at least three Availability Zones', (env) => {
    const config = loadConfig(env);
    expect(config.regions.primary.availabilityZones.length).toBeGreaterThanOrEqual(3);
    expect(config.regions.dr.availabilityZones.length).toBeGreaterThanOrEqual(3);
  });
});

describe('Redshift Serverless', () => {
  it('refuses a workgroup region with fewer than three Availability Zones, naming a zone to add', () => {
    const message = rejectionOf(dev, (c) => (c.regions.dr.availabilityZones = ['us-west-2a', 'us-west-2b']));
    expect(message).toMatch(
      /regions\.dr\.availabilityZones: \["us-west-2a","us-west-2b"\] has 2 Availability Zones; a Redshift Serverless workgroup needs subnets in at least 3\. Add us-west-2c/,
    );
    expect(message).toContain(AWS_PAGES.redshiftServerlessConsiderations);
  });

  it('never suggests a zone MSK Serverless rejects', () => {
    const message = rejectionOf(
      dev,
      (c) => (c.regions.primary.availabilityZones = ['us-east-1c', 'us-east-1d']),
    );
    expect(message).toMatch(/Add us-east-1a \(/);
    expect(message).not.toMatch(/Add us-east-1e/);
  });

  it('allows two zones with provisioned Redshift', () => {
    const copy: any = structuredClone(dev);
    copy.redshift.mode = 'provisioned';
    copy.regions.dr.availabilityZones = ['us-west-2a', 'us-west-2b'];
    expect(() => validateConfig(copy, 'config/test.ts')).not.toThrow();
  });

  it('allows a base capacity above 512 only where AWS offers 1024', () => {
    expect(isAllowedBaseRpu(1024, 'us-east-1')).toBe(true);
    expect(isAllowedBaseRpu(544, 'us-east-1')).toBe(true);
    expect(isAllowedBaseRpu(520, 'us-east-1')).toBe(false); // steps of 32 above 512
    expect(isAllowedBaseRpu(1024, 'ap-south-1')).toBe(false);
    expect(isAllowedBaseRpu(4, 'ap-south-1')).toBe(true);
    const message = rejectionOf(prod, (c) => {
      c.regions.dr = {
        region: 'ap-south-1',
        vpcCidr: '10.60.0.0/16',
        availabilityZones: ['ap-south-1a', 'ap-south-1b', 'ap-south-1c'],
      };
      c.redshift.baseRpu = 1024;
      c.redshift.maxRpu = 1024;
    });
    expect(message).toMatch(
      /redshift\.baseRpu: 1024 is above 512, which ap-south-1 does not offer .*; use 512 or less/,
    );
    expect(message).toContain(AWS_PAGES.redshiftServerlessCapacity);
  });

  it('keeps copied snapshots of a provisioned cluster 35 days at most', () => {
    const message = rejectionOf(dev, (c) => {
      c.redshift.mode = 'provisioned';
      c.redshift.snapshotCopyRetentionDays = 90;
    });
    expect(message).toMatch(/redshift\.snapshotCopyRetentionDays: 90 is above 35: .* Set it to 35 or less/);
    expect(message).toContain(AWS_PAGES.redshiftEnableSnapshotCopy);
  });
});

describe('RDS', () => {
  it('refuses a maximum storage threshold less than 10% above the allocated storage', () => {
    const message = rejectionOf(dev, (c) => {
      c.rds.allocatedStorageGiB = 100;
      c.rds.maxAllocatedStorageGiB = 105;
    });
    expect(message).toMatch(
      /rds\.maxAllocatedStorageGiB: 105 is less than 10% above allocatedStorageGiB \(100\); .* Set it to at least 110/,
    );
    expect(message).toContain(AWS_PAGES.rdsStorageAutoscaling);
    const ok: any = structuredClone(dev);
    ok.rds.allocatedStorageGiB = 100;
    ok.rds.maxAllocatedStorageGiB = 110;
    expect(() => validateConfig(ok, 'config/test.ts')).not.toThrow();
  });

  it('refuses backup retention outside 1 to 35 days with the reason', () => {
    expect(rejectionOf(dev, (c) => (c.rds.backupRetentionDays = 0))).toMatch(
      /rds\.backupRetentionDays: 0 must be at least 1: 0 turns automated backups off/,
    );
    expect(rejectionOf(dev, (c) => (c.rds.backupRetentionDays = 36))).toMatch(
      new RegExp(
        `rds\\.backupRetentionDays: 36 must be at most 35.*${escapeRegExp(AWS_PAGES.rdsCreateDbInstance)}`,
      ),
    );
  });
});

describe('ElastiCache Global Datastore', () => {
  it.each(['cache.t4g.medium', 'cache.r4.large', 'cache.r7g.medium'])('refuses %s', (nodeType) => {
    const message = rejectionOf(prod, (c) => (c.elasticache.nodeType = nodeType));
    expect(message).toMatch(
      new RegExp(
        `elasticache\\.nodeType: "${escapeRegExp(nodeType)}" cannot join a Global Datastore, .* Use e\\.g\\. cache\\.r7g\\.large`,
      ),
    );
    expect(message).toContain(AWS_PAGES.globalDatastorePrerequisites);
  });

  it('accepts small nodes without a Global Datastore', () => {
    expect(loadConfig('dev').elasticache.nodeType).toBe('cache.t4g.small');
  });
});

describe('EMR Serverless', () => {
  it('refuses a release label AWS does not list', () => {
    const message = rejectionOf(dev, (c) => (c.emr.releaseLabel = 'emr-7.99.0'));
    expect(message).toMatch(
      /emr\.releaseLabel: "emr-7\.99\.0" is not an EMR Serverless release; use one of emr-7\.0\.0, .*emr-7\.9\.0/,
    );
    expect(message).toContain(AWS_PAGES.emrServerlessReleases);
    expect(EMR_SERVERLESS_7_RELEASES).toContain(loadConfig('prod').emr.releaseLabel);
  });

  it('refuses a release older than 7.1.0: the streaming jobs of the catalog run in STREAMING mode', () => {
    expect(JOB_CATALOG.some((job) => job.mode === 'STREAMING')).toBe(true);
    const message = rejectionOf(dev, (c) => (c.emr.releaseLabel = 'emr-7.0.0'));
    expect(message).toMatch(
      /emr\.releaseLabel: "emr-7\.0\.0" cannot run the platform's streaming jobs: mode STREAMING needs emr-7\.1\.0 or later\. Use emr-7\.1\.0 or later and change emr\.jars with it/,
    );
    expect(message).toContain(AWS_PAGES.emrServerlessStreaming);
    expect(() => loadConfig('dev')).not.toThrow();
  });

  it('keeps the STREAMING retry policy within what EMR Serverless allows (1 to 10 failed attempts an hour)', () => {
    expect(loadConfig('dev').emr.streaming).toEqual({
      maxFailedAttemptsPerHour: 5,
      startingOffsets: 'earliest',
    });
    for (const value of [0, 11, 2.5]) {
      expect(rejectionOf(dev, (c) => (c.emr.streaming = { maxFailedAttemptsPerHour: value }))).toMatch(
        /emr\.streaming\.maxFailedAttemptsPerHour/,
      );
    }
    expect(rejectionOf(dev, (c) => (c.emr.streaming = { startingOffsets: 'newest' }))).toMatch(
      /emr\.streaming\.startingOffsets/,
    );
  });
});

describe('tags', () => {
  it('refuses the reserved aws: and rds: prefixes in keys and values', () => {
    expect(rejectionOf(dev, (c) => (c.tags['AWS:team'] = 'data'))).toMatch(
      /tags\.AWS:team: "AWS:team": "data" is refused: the key starts with "aws:", which AWS reserves/,
    );
    expect(rejectionOf(dev, (c) => (c.tags.owner = 'rds:team'))).toMatch(
      new RegExp(
        `tags\\.owner: .*the value starts with "rds:", which AWS reserves \\(${escapeRegExp(AWS_PAGES.rdsTag)}\\)`,
      ),
    );
  });

  it('refuses keys over 128 and values over 256 characters, and characters AWS does not take', () => {
    const key = 'k'.repeat(129);
    expect(rejectionOf(dev, (c) => (c.tags[key] = 'v'))).toMatch(
      /the key must be 1 to 128 characters \(it has 129\)/,
    );
    expect(rejectionOf(dev, (c) => (c.tags.owner = 'v'.repeat(257)))).toMatch(
      /tags\.owner: .*the value must be at most 256 characters \(it has 257\)/,
    );
    expect(rejectionOf(dev, (c) => (c.tags.owner = 'data#team'))).toMatch(
      /tags\.owner: "owner": "data#team" is refused: the value may hold only letters, digits, spaces and _ \. : \/ = \+ - @/,
    );
  });

  it('refuses more tags than a resource can carry next to dra:role, and dra:role itself', () => {
    const message = rejectionOf(dev, (c) => {
      for (let i = 0; i < 50; i++) c.tags[`t${i}`] = 'x';
    });
    expect(message).toMatch(/tags: has 53 tags; AWS allows 50 per resource .* Keep at most 49/);
    expect(rejectionOf(dev, (c) => (c.tags['dra:role'] = 'x'))).toMatch(/the app sets "dra:role" itself/);
  });
});

describe('physical names', () => {
  it('computes every name with config/naming.ts and fits the shipped environments', () => {
    const names = physicalNames(loadConfig('prod'));
    expect(names.map((n) => n.name)).toEqual(
      expect.arrayContaining([
        'dra-prod-athena-results-111111111111-us-east-1',
        'dra-prod-postgres',
        'dra-prod-cache',
        'dra-prod-warehouse',
        'dra-prod-readiness',
        'dra-prod-failover',
      ]),
    );
  });

  it('refuses an environment name that makes a bucket name longer than 63 characters, saying how short it must be', () => {
    const message = rejectionOf(dev, (c) => {
      c.name = 'analytics-platform-qa';
      c.regions.dr = {
        region: 'ap-southeast-2',
        vpcCidr: '10.20.0.0/16',
        availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
      };
    });
    expect(message).toMatch(
      /name: "analytics-platform-qa" makes the S3 bucket name "dra-analytics-platform-qa-athena-results-111111111111-ap-southeast-2" 68 characters; AWS allows 63\. Shorten name to at most 16 characters/,
    );
    expect(message).toContain(AWS_PAGES.s3BucketNaming);
  });

  it('refuses a name AWS would refuse for its characters (double dash in an RDS identifier)', () => {
    const message = rejectionOf(dev, (c) => (c.name = 'qa--east'));
    expect(message).toMatch(
      /name: "qa--east" makes the RDS DB instance identifier "dra-qa--east-postgres", which AWS refuses \(no double or trailing dashes\)\. Change name/,
    );
    expect(message).toContain(AWS_PAGES.rdsNamingConstraints);
  });
});

describe('numbers AWS cannot take', () => {
  it('names NaN and Infinity as such, not as null', () => {
    const message = rejectionOf(dev, (c) => {
      c.rds.allocatedStorageGiB = Number.NaN;
      c.redshift.baseRpu = Number.POSITIVE_INFINITY;
    });
    expect(message).toMatch(/rds\.allocatedStorageGiB: NaN is not a number/);
    expect(message).toMatch(/redshift\.baseRpu: Infinity is not a finite number/);
    expect(message).not.toMatch(/null/);
  });
});

describe('region tables agree with aws-cdk-lib region-info', () => {
  it('every region config/regions.ts names is a commercial-partition region aws-cdk-lib knows', () => {
    const known = new Set(RegionInfo.regions.map((r) => r.name));
    const tables = [...KNOWN_REGIONS, ...MSK_SERVERLESS_REGIONS, ...Object.keys(GLOBAL_DATASTORE_PREFIXES)];
    expect(tables.filter((r) => !known.has(r))).toEqual([]);
    // Both regions of an environment share a partition: the naming scheme's ARNs and S3 replication assume "aws".
    expect([...new Set(tables.map((r) => RegionInfo.get(r).partition))]).toEqual(['aws']);
  });
});
