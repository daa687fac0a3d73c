import type {
  DescribeSecretResponse,
  RotateSecretResponse,
  RotationRulesType,
  StopReplicationToReplicaResponse,
} from '@aws-sdk/client-secrets-manager';
import { AwsError, type FakeWorld } from './world';

/** A secret as the fake keeps it, per region: a replica names the region of its primary. */
export interface FakeSecret {
  readonly Name: string;
  readonly ARN: string;
  /** Set on a replica: the region of the primary it replicates from. */
  PrimaryRegion?: string;
  RotationEnabled?: boolean;
  RotationLambdaARN?: string;
  RotationRules?: RotationRulesType;
}

/**
 * Secrets Manager in the fake world, for the switch's credential step: DescribeSecret,
 * StopReplicationToReplica (called in the replica's region; the replica becomes standalone,
 * the primary's region need not answer: Secrets Manager user guide, "Promote a replica secret
 * to a standalone secret") and RotateSecret (refused on a replica: "A replica secret can't be
 * updated independently from its primary secret"). The answers follow the operations' output
 * models (`satisfies`), and the world checks every call and answer against them.
 */
export function secretsManager(world: FakeWorld) {
  const secrets = new Map<string, Map<string, FakeSecret>>();
  const inRegion = (region: string) => {
    let found = secrets.get(region);
    if (!found) {
      found = new Map();
      secrets.set(region, found);
    }
    return found;
  };
  const find = (region: string, id: unknown): FakeSecret => {
    const all = [...inRegion(region).values()];
    const found = all.find((s) => s.Name === id || s.ARN === id);
    if (!found)
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };
  world.on('secretsmanager', 'DescribeSecret', ({ region, params }) => {
    const s = find(region, params.SecretId);
    return {
      ARN: s.ARN,
      Name: s.Name,
      ...(s.PrimaryRegion ? { PrimaryRegion: s.PrimaryRegion } : {}),
      RotationEnabled: s.RotationEnabled ?? false,
      ...(s.RotationLambdaARN ? { RotationLambdaARN: s.RotationLambdaARN } : {}),
      ...(s.RotationRules ? { RotationRules: s.RotationRules } : {}),
    } satisfies DescribeSecretResponse;
  });
  world.on('secretsmanager', 'StopReplicationToReplica', ({ region, params }) => {
    const s = find(region, params.SecretId);
    if (!s.PrimaryRegion || s.PrimaryRegion === region)
      throw new AwsError('InvalidRequestException', `${s.Name} is not a replica secret in ${region}.`);
    s.PrimaryRegion = undefined;
    return { ARN: s.ARN } satisfies StopReplicationToReplicaResponse;
  });
  world.on('secretsmanager', 'RotateSecret', ({ region, params }) => {
    const s = find(region, params.SecretId);
    if (s.PrimaryRegion && s.PrimaryRegion !== region)
      throw new AwsError('InvalidRequestException', `${s.Name} is a replica secret; it can't be updated.`);
    s.RotationEnabled = true;
    s.RotationLambdaARN = String(params.RotationLambdaARN);
    s.RotationRules = params.RotationRules as RotationRulesType;
    return { ARN: s.ARN, Name: s.Name } satisfies RotateSecretResponse;
  });
  return {
    /** A secret in `region`; `primaryRegion` makes it a replica of that region's. */
    add: (region: string, secret: Omit<FakeSecret, 'ARN'> & { ARN?: string }) => {
      const full: FakeSecret = {
        ...secret,
        ARN: secret.ARN ?? `arn:aws:secretsmanager:${region}:${world.accountId}:secret:${secret.Name}-AbCdEf`,
      };
      inRegion(region).set(full.Name, full);
      return full;
    },
    get: (region: string, name: string) => inRegion(region).get(name),
  };
}
