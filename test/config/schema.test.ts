import { ENVIRONMENTS, loadConfig } from '../../config';
import { dev } from '../../config/dev';
import { prod } from '../../config/prod';
import { rejectionOf } from '../support/config';

describe('shipped environment configs', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s passes validation', (name) => {
    const config = loadConfig(name);
    expect(config.name).toBe(name);
    expect(config.regions.primary.region).not.toBe(config.regions.dr.region);
  });

  it('fills defaults the files leave out', () => {
    expect(loadConfig('dev').msk.topicPartitions).toBe(6);
    expect(loadConfig('dev').emr.maximumCapacity).toEqual({
      cpu: '32 vCPU',
      memory: '128 GB',
      disk: '500 GB',
    });
  });

  it('never allows destroying data in prod', () => {
    expect(loadConfig('prod').removal.allowDestroy).toBe(false);
  });
});

describe('config validation names the path, the value and the fix', () => {
  it('rejects an unknown environment and lists the known ones', () => {
    expect(() => loadConfig('qa')).toThrow(
      /Unknown environment "qa".*Known environments: dev, staging, prod/,
    );
  });

  it('rejects unknown keys', () => {
    expect(rejectionOf(dev, (c) => (c.regions.primary.vpcCidrs = '10.0.0.0/16'))).toMatch(
      /regions\.primary: unknown key "vpcCidrs"; remove it or check the spelling/,
    );
  });

  it('rejects missing keys', () => {
    expect(rejectionOf(dev, (c) => delete c.account)).toMatch(/account: is missing; add it/);
  });

  it('rejects an account that is not 12 digits', () => {
    expect(rejectionOf(dev, (c) => (c.account = '12345678901'))).toMatch(
      /account: "12345678901" must be a 12-digit AWS account id/,
    );
  });

  it('rejects a region that is not an AWS region', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.region = 'us-west-9'))).toMatch(
      /regions\.dr\.region: "us-west-9" is not an AWS Region\. Use one of: .*us-west-2/,
    );
  });

  it('rejects a DR region equal to the primary', () => {
    const message = rejectionOf(dev, (c) => {
      c.regions.dr.region = 'us-east-1';
      c.regions.dr.availabilityZones = ['us-east-1a', 'us-east-1b'];
    });
    expect(message).toMatch(
      /regions\.dr\.region: "us-east-1" is also the primary region; the DR region must be a different region/,
    );
  });

  it('rejects an invalid CIDR', () => {
    expect(rejectionOf(dev, (c) => (c.regions.primary.vpcCidr = '10.10.0.0/33'))).toMatch(
      /regions\.primary\.vpcCidr: "10\.10\.0\.0\/33" has a prefix length above 32/,
    );
    expect(rejectionOf(dev, (c) => (c.regions.primary.vpcCidr = '10.10.1.0/16'))).toMatch(
      /not aligned to its prefix; the network address is 10\.10\.0\.0\/16/,
    );
  });

  it('rejects a CIDR too small for the subnets', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.vpcCidr = '10.20.0.0/24'))).toMatch(
      /regions\.dr\.vpcCidr: "10\.20\.0\.0\/24" is \/24; use a prefix from \/16 to \/22/,
    );
  });

  it('rejects CIDRs that overlap between the regions', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.vpcCidr = '10.10.128.0/17'))).toMatch(
      /regions\.dr\.vpcCidr: "10\.10\.128\.0\/17" overlaps the primary VPC 10\.10\.0\.0\/16; pick a disjoint block/,
    );
  });

  it('rejects an Availability Zone of another region', () => {
    expect(
      rejectionOf(dev, (c) => (c.regions.primary.availabilityZones = ['us-east-1a', 'us-west-2b'])),
    ).toMatch(
      /regions\.primary\.availabilityZones\[1\]: "us-west-2b" is not an Availability Zone of us-east-1\. Use names from: us-east-1a/,
    );
  });

  it('rejects fewer than 2 Availability Zones', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.availabilityZones = ['us-west-2a']))).toMatch(
      /regions\.dr\.availabilityZones: .*needs at least 2 Availability Zones/,
    );
  });

  it('rejects the same Availability Zone twice', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.availabilityZones = ['us-west-2a', 'us-west-2a']))).toMatch(
      /lists "us-west-2a" twice/,
    );
  });

  it('rejects an Availability Zone MSK Serverless does not support, naming the ones to use', () => {
    expect(
      rejectionOf(dev, (c) => (c.regions.primary.availabilityZones = ['us-east-1a', 'us-east-1e'])),
    ).toMatch(
      /regions\.primary\.availabilityZones\[1\]: "us-east-1e" is not supported by MSK Serverless .* Use one of: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f/,
    );
  });

  it('rejects destroy-on-removal in a prod-tier environment', () => {
    expect(rejectionOf(prod, (c) => (c.removal.allowDestroy = true))).toMatch(
      /removal\.allowDestroy: is true in a prod-tier environment; prod data is never destroyed, set it to false/,
    );
  });

  it('reports every problem at once, one line each', () => {
    const message = rejectionOf(dev, (c) => {
      c.account = 'abc';
      c.tier = 'production';
    });
    expect(message.split('\n')).toHaveLength(3);
    expect(message).toMatch(/^Invalid configuration in config\/test\.ts:/);
    expect(message).toMatch(/tier: "production" is not allowed; use one of "dev", "staging", "prod"/);
  });
});

describe('data store combinations that cannot work', () => {
  it('rejects ElastiCache Serverless with a Global Datastore', () => {
    expect(
      rejectionOf(dev, (c) => {
        c.elasticache.mode = 'serverless';
        c.elasticache.globalDatastore = true;
      }),
    ).toMatch(
      /elasticache\.globalDatastore: is true but mode is "serverless"; Global Datastore needs node-based clusters/,
    );
  });

  it('rejects Multi-AZ off in prod', () => {
    expect(rejectionOf(prod, (c) => (c.rds.multiAz = false))).toMatch(
      /rds\.multiAz: is false in a prod-tier environment/,
    );
  });

  it('rejects prod without a DR database replica or a Global Datastore', () => {
    expect(rejectionOf(prod, (c) => (c.rds.crossRegionReplica = false))).toMatch(
      /rds\.crossRegionReplica: is false in a prod-tier/,
    );
    expect(rejectionOf(prod, (c) => (c.elasticache.globalDatastore = false))).toMatch(
      /the DR cache would start empty/,
    );
  });

  it('rejects a Redshift Serverless base capacity outside the allowed steps', () => {
    expect(rejectionOf(dev, (c) => (c.redshift.baseRpu = 12))).toMatch(
      /redshift\.baseRpu: 12 is not allowed; use 4, 8 to 512 in steps of 8/,
    );
    expect(rejectionOf(dev, (c) => (c.redshift.baseRpu = 2048))).toMatch(
      /redshift\.baseRpu: 2048 is not allowed/,
    );
    const smallMax = rejectionOf(dev, (c) => {
      c.redshift.baseRpu = 16;
      c.redshift.maxRpu = 8;
    });
    expect(smallMax).toMatch(/redshift\.maxRpu: 8 must be .* at least baseRpu \(16\)/);
  });

  it('rejects a Global Datastore in a region without a known id prefix', () => {
    const message = rejectionOf(prod, (c) => {
      c.regions.dr.region = 'eu-north-1';
      c.regions.dr.availabilityZones = ['eu-north-1a', 'eu-north-1b'];
    });
    expect(message).toMatch(
      /elasticache\.globalDatastore: is true but eu-north-1 \(dr\) has no documented Global Datastore ID prefix/,
    );
  });

  it('rejects a region without MSK Serverless', () => {
    const message = rejectionOf(dev, (c) => {
      c.regions.dr.region = 'us-west-1';
      c.regions.dr.availabilityZones = ['us-west-1a', 'us-west-1c'];
    });
    expect(message).toMatch(/regions\.dr\.region: "us-west-1" does not offer MSK Serverless/);
  });
});

describe('failover settings', () => {
  it('refuses automatic failover, which is not implemented', () => {
    expect(rejectionOf(prod, (c) => (c.failover.automaticFailover = true))).toMatch(
      /failover\.automaticFailover: is true, but the readiness check does not start the failover runbook by itself/,
    );
  });

  it('fills lag budgets and the per-check timeout with defaults', () => {
    const config = loadConfig('prod');
    expect(config.failover.budgets).toEqual({
      rdsReplicaLagSeconds: 60,
      cacheReplicationLagSeconds: 5,
      mskReplicationLatencySeconds: 60,
      s3ReplicationLatencySeconds: 900,
    });
    expect(config.failover.checkTimeoutMs).toBe(5000);
  });
});
