import { CfnCustomResource } from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import {
  activeRegionParameterName,
  fencedForParameterName,
  regionalArn,
  regionOf,
  resourceName,
} from '../../config/naming';
import { otherRole, writerRole } from '../../config/topology';
import { platformFunction } from '../shared/lambda-function';

export interface DeployGuardProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The region's logs key, which encrypts the guard function's log group. */
  readonly logsKey: kms.IKey;
  /**
   * What must wait for the check: each gets a DependsOn on the guard, so CloudFormation
   * changes none of it before the check answers SUCCESS.
   */
  readonly guards: readonly IConstruct[];
}

/**
 * The preflight's active-region and generation check, run by CloudFormation inside the
 * stack (lambda/deploy-guard/handler.ts): whichever way a stack is deployed (`npm run
 * deploy`, `cdk deploy 'prod-dr/*'`, one stack), what it guards changes only after both
 * regions' active-region records agree and name the writer `failover.generation` makes. A
 * refusal answers FAILED and CloudFormation rolls the stack back, the reason (naming the
 * fence command or the generation to set) in the stack's events.
 *
 * It runs when the stack is created and when its properties change, which is when the
 * generation changes: the deploy that re-seeds a database and rewrites the active-region
 * record (a custom resource runs on update only "if you changed the custom resource",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html).
 * A deploy that keeps the generation re-seeds nothing and is not checked again.
 *
 * The function runs outside the VPC: it reads the other region's record, and the isolated
 * VPC reaches only its own region's endpoints.
 */
export class DeployGuard extends Construct {
  readonly resource: CfnCustomResource;

  constructor(scope: Construct, id: string, props: DeployGuardProps) {
    super(scope, id);
    const { config } = props;
    const writer = writerRole(config);
    const name = activeRegionParameterName(config);
    const fencedFor = fencedForParameterName(config);
    const fn = platformFunction(this, 'Function', {
      config,
      entry: 'deploy-guard/handler.ts',
      description: `Refuses a deploy of ${config.name} while the active-region records disagree or name another writer`,
      logsKey: props.logsKey,
      // CloudFormation calls it once per stack operation that changes the guard.
      reservedConcurrency: 1,
      outsideVpcReason:
        "Reads the active-region record of both regions at deploy time; this region's isolated VPC has no route to another region's endpoints.",
      synchronousReason:
        'Invoked by CloudFormation during a deploy, which waits for its answer: a failure is the stack event and rollback.',
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: (['primary', 'dr'] as const).flatMap((role) => [
          regionalArn(config, role, 'ssm', `parameter${name}`),
          regionalArn(config, role, 'ssm', `parameter${fencedFor}`),
        ]),
      }),
    );
    this.resource = new CfnCustomResource(this, 'Check', { serviceToken: fn.functionArn });
    // Properties are the resource's API (handler.ts, GuardProperties); CloudFormation passes
    // every scalar as a string.
    this.resource.addPropertyOverride('Environment', config.name);
    this.resource.addPropertyOverride('Generation', String(config.failover.generation));
    this.resource.addPropertyOverride('WriterRegion', regionOf(config, writer));
    this.resource.addPropertyOverride('OtherRegion', regionOf(config, otherRole(writer)));
    this.resource.addPropertyOverride('ParameterName', name);
    this.resource.addPropertyOverride('FenceDocument', resourceName(config, 'fence'));
    this.resource.addPropertyOverride('FencedForName', fencedFor);
    // The function's policy must exist before CloudFormation invokes it.
    this.resource.node.addDependency(fn);
    for (const guarded of props.guards) guarded.node.addDependency(this.resource);
  }
}
