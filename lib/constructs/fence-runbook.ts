import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { regionOf } from '../../config/naming';
import { fenceRoleName, fenceRunbookName } from '../runbooks/context';
import { fenceDocument } from '../runbooks/fence';
import { automationDocument, grantSteps } from './failover-runbook';

export interface FenceRunbookProps {
  readonly config: EnvironmentConfig;
  /** The region this runbook fences (where it is deployed). */
  readonly role: RegionRole;
  /** The alarm topic the report goes to. */
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
}

/**
 * The fence runbook `dra-{env}-fence`, in every region: run it in a region
 * that comes back after the other took over. Its role has a fixed name, so the
 * failover runbook in the other region can start it (and pass the role), and
 * the document's AutomationAssumeRole defaults to it.
 */
export class FenceRunbook extends Construct {
  readonly document: ssm.CfnDocument;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FenceRunbookProps) {
    super(scope, id);
    const { config } = props;
    const { account } = Stack.of(this);
    const roleName = fenceRoleName(config, regionOf(config, props.role));
    this.role = new iam.Role(this, 'Role', {
      roleName,
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `Runs the ${config.name} fence runbook`,
    });
    const doc = fenceDocument(
      config,
      props.role,
      props.topic.topicArn,
      Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: roleName }),
    );
    grantSteps(this.role, doc, 'the fence runbook');
    props.topicKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.document = automationDocument(this, fenceRunbookName(config), doc);
  }
}
