import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type EnvironmentConfig, PLACEHOLDER_ACCOUNTS } from '../config';

export type PreflightResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

/**
 * Checks, before `cdk deploy`, that the config names a real account and that the
 * caller's credentials belong to it. Synth never calls AWS; this is the one place
 * deploy tooling does, and only STS GetCallerIdentity.
 */
export async function preflight(config: EnvironmentConfig, sts: STSClient): Promise<PreflightResult> {
  if (PLACEHOLDER_ACCOUNTS.includes(config.account)) {
    return {
      ok: false,
      message: `config/${config.name}.ts still holds the placeholder account ${config.account}. Set "account" to the 12-digit id of the AWS account ${config.name} deploys to, then run again.`,
    };
  }
  let identity: { Account?: string; Arn?: string };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `Could not identify your AWS credentials (${reason}). Sign in (e.g. "aws sso login --profile <profile>") or set AWS_PROFILE, then run again.`,
    };
  }
  if (identity.Account !== config.account) {
    return {
      ok: false,
      message: `Your credentials are for account ${identity.Account} (${identity.Arn}), but environment "${config.name}" deploys to account ${config.account}. Switch to a profile for ${config.account}, or fix "account" in config/${config.name}.ts.`,
    };
  }
  return {
    ok: true,
    message: `Preflight passed: ${identity.Arn} may deploy "${config.name}" to ${config.account} (${config.regions.primary.region} primary, ${config.regions.dr.region} DR).`,
  };
}
