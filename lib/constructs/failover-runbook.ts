import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { documentSizeFinding } from '../compliance/ssm-document-size';
import { stepsArchive, stepsArchiveFile } from '../runbooks/archive';
import type { RunbookKind } from '../runbooks/context';
import { approvalTopicName, switchRoleName } from '../runbooks/context';
import { runbookDocument, runbookName } from '../runbooks/documents';
import { type AutomationDocument, deployableContent, documentPermissions } from '../runbooks/step';

export { deployableContent } from '../runbooks/step';

export interface FailoverRunbookProps {
  readonly config: EnvironmentConfig;
  /** failover (unplanned) or failback (planned, after re-seeding). @default 'failover' */
  readonly kind?: RunbookKind;
  /** The alarm topic: told when an approval waits, when writes resumed and when the runbook ends. */
  readonly topic: sns.ITopic;
  /** The key of the alarm topic (also encrypts the approval topic). */
  readonly topicKey: kms.IKey;
}

/**
 * The SSM document of a runbook, with the steps' Python attached: one zip
 * (lib/runbooks/archive.ts) uploaded as a CDK file asset to the bootstrap bucket
 * of the document's own region and named in the document's `files` section with
 * its SHA-256. Name and DocumentType are the only create-only properties; with
 * UpdateMethod NewVersion a change of Content or Attachments is an UpdateDocument
 * that makes the new version the default (aws-cloudformation-resource-providers-ssm,
 * aws-ssm-document UpdateHandler), so the fixed name never needs a replacement.
 */
export function automationDocument(scope: Construct, name: string, doc: AutomationDocument): ssm.CfnDocument {
  const archive = stepsArchive();
  const asset = new s3assets.Asset(scope, 'Scripts', { path: stepsArchiveFile() });
  const document = new ssm.CfnDocument(scope, 'Document', {
    name,
    documentType: 'Automation',
    documentFormat: 'JSON',
    updateMethod: 'NewVersion',
    content: deployableContent(doc),
    attachments: [{ key: 'S3FileUrl', name: archive.name, values: [asset.s3ObjectUrl] }],
  });
  // SSM refuses content over 64 KB at deploy time (MaxDocumentSizeExceeded); synth refuses it first.
  document.node.addValidation({
    validate: () => {
      const finding = documentSizeFinding(
        `${document.node.path} (${name}) Content`,
        Stack.of(document).resolve(document.content),
      );
      return finding ? [`${finding.path}: ${finding.value}. ${finding.fix} (${finding.page})`] : [];
    },
  });
  return document;
}

/**
 * Gives `role` exactly the statements the document's steps declare (the role is
 * the sum of its steps), and acknowledges the wildcard resources with the
 * reasons the steps give.
 */
export function grantSteps(role: iam.Role, doc: AutomationDocument, what: string): void {
  const wildcards = new Map<string, string>();
  for (const p of documentPermissions(doc)) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...p.actions],
        resources: [...p.resources],
        conditions: p.conditions,
      }),
    );
    for (const resource of p.resources) {
      if (!resource.includes('*')) continue;
      if (!p.why)
        throw new Error(
          `${what}: a step grants ${p.actions.join(', ')} on ${resource} without a reason; add "why" to its permission.`,
        );
      wildcards.set(resource, [wildcards.get(resource), p.why].filter(Boolean).join('; '));
    }
  }
  acknowledgeDefaultPolicy(role, what);
  const policy = role.node.findChild('DefaultPolicy');
  for (const [resource, why] of wildcards) {
    acknowledge(policy, [`AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`], why);
  }
}

/**
 * A failover or failback runbook, deployed in the standby region (the one it
 * makes the writer) as the SSM Automation document `dra-{env}-{kind}`, with the
 * role it runs as (the union of its steps' statements) and the topic its
 * approval step notifies.
 */
export class FailoverRunbook extends Construct {
  readonly document: ssm.CfnDocument;
  readonly role: iam.Role;
  readonly approvalTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: FailoverRunbookProps) {
    super(scope, id);
    const { config } = props;
    const kind = props.kind ?? 'failover';
    const { account } = Stack.of(this);

    // aws:approve notifies only a topic whose name begins with "Automation" (automation-action-approve).
    this.approvalTopic = new sns.Topic(this, 'ApprovalTopic', {
      topicName: approvalTopicName(config, kind),
      displayName: `dual-region-analytics ${config.name} ${kind} approvals`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    for (const email of config.failover.alarmEmails)
      this.approvalTopic.addSubscription(new subscriptions.EmailSubscription(email));

    // A fixed name, so that the document's AutomationAssumeRole defaults to it (switchDocument).
    this.role = new iam.Role(this, 'Role', {
      roleName: switchRoleName(config, kind, Stack.of(this).region),
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `Runs the ${config.name} ${kind} runbook`,
    });
    const doc = runbookDocument(kind, config, props.topic.topicArn);
    grantSteps(this.role, doc, `the ${kind} runbook`);
    props.topicKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.document = automationDocument(this, runbookName(config, kind), doc);
  }
}
