import type { Construct } from 'constructs';
import { ActiveRegionRecord } from '../constructs/active-region-record';
import { DeployGuard } from '../constructs/deploy-guard';
import { PlatformKeys } from '../constructs/keys';
import { Network } from '../constructs/network';
import { RegionStack, type RegionStackProps } from './region-stack';

/** Keys, network and the active-region record of one region. */
export class FoundationStack extends RegionStack {
  readonly keys: PlatformKeys;
  readonly network: Network;
  readonly activeRegion: ActiveRegionRecord;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id, 'foundation', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: KMS keys, VPC, active-region record`,
    });
    this.keys = new PlatformKeys(this, 'Keys', { config: this.config });
    this.network = new Network(this, 'Network', {
      config: this.config,
      role: this.role,
      logsKey: this.keys.logs,
    });
    this.activeRegion = new ActiveRegionRecord(this, 'ActiveRegion', { config: this.config });
    // A generation change rewrites this region's record: checked first, while the record still
    // says what the runbooks left (an old writer never fenced reads itself).
    new DeployGuard(this, 'DeployGuard', {
      config: this.config,
      logsKey: this.keys.logs,
      guards: [this.activeRegion],
    });
  }
}
