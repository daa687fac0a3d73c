/**
 * The shape of an AWS-limit rule: a documented limitation of an AWS service that the
 * synthesized templates must respect, checked at synth time over every template of the
 * app (both regions, across stacks) so that a deploy AWS would refuse fails at synth
 * instead, with the path, the value, the fix and the AWS page. The same family as the
 * config rules (config/limits.ts), one level later: those check config values, these
 * check what the constructs made of them.
 *
 * A rule is a pure function of the templates, so a test can feed it a fragment of a
 * template (the shape that fails, the shape that passes) without building the app.
 */

/** A CloudFormation template as JSON (only what the rules read is typed). */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly [key: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One synthesized stack: its template and where it deploys. */
export interface StackTemplate {
  /** The CloudFormation stack name (e.g. `prod-dr-cache`). */
  readonly stackName: string;
  /** Where the template was written; findings point there. */
  readonly templatePath: string;
  /** The stack's region; undefined when the stack is environment-agnostic. */
  readonly region?: string;
  readonly template: CfnTemplate;
}

/** One place a template breaks a documented limit. */
export interface LimitFinding {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  /** The property path in the resource, e.g. `Properties.VpcConfig.SubnetIds`. */
  readonly path: string;
  /** The offending value as the template has it (rendered compactly in the message). */
  readonly value: unknown;
  /** What is wrong, in one or two sentences, without the fix. */
  readonly problem: string;
  /** How to fix it in this app. */
  readonly fix: string;
  /**
   * The AWS page of this finding, where a rule covers several APIs.
   * @default - the rule's page
   */
  readonly page?: string;
}

/** A documented limit, checked over all templates of the app at once. */
export interface AwsLimitRule {
  /** Stable id, e.g. `rds-replica-source-managed-password`; acknowledgements and docs/aws-limits.md use it. */
  readonly id: string;
  /** One line: the limit. */
  readonly summary: string;
  /** The AWS page (or issue thread, where AWS has no page) the limit comes from. */
  readonly page: string;
  check(stacks: readonly StackTemplate[]): LimitFinding[];
}

/** Every resource of a type in one stack, with its logical id. */
export function resourcesOfType(
  stack: StackTemplate,
  type: string,
): { logicalId: string; resource: CfnResource; properties: Readonly<Record<string, unknown>> }[] {
  return Object.entries(stack.template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource, properties: resource.Properties ?? {} }));
}

/** Every resource of a type in every stack. */
export function allResourcesOfType(stacks: readonly StackTemplate[], type: string) {
  return stacks.flatMap((stack) => resourcesOfType(stack, type).map((r) => ({ stack, ...r })));
}

/** A value as a template writes it, short enough for a message. */
export function renderValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  if (text === undefined) return 'undefined';
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** The message a finding prints: where, the value, what is wrong, the fix and the page. */
export function describeFinding(rule: AwsLimitRule, finding: LimitFinding): string {
  return [
    `${finding.stack.stackName}/${finding.logicalId} ${finding.path} = ${renderValue(finding.value)}: ${finding.problem}`,
    `Fix: ${finding.fix}`,
    `AWS: ${finding.page ?? rule.page}`,
  ].join(' ');
}

/** The region an ARN names (`arn:partition:service:region:account:...`), if the string is a literal ARN. */
export function regionOfArn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

/**
 * The region a template value comes from, where the template says so:
 * - a literal ARN: the region in it;
 * - `Fn::GetStackOutput` (CDK's reference to another stack's output): its `Region`;
 * - `Ref`/`Fn::GetAtt` of an SDK-call custom resource (`Custom::AWS`, CDK's
 *   AwsCustomResource): the region of the call it makes, else the stack's;
 * - `Ref`/`Fn::GetAtt` of any other resource of the template, `Fn::ImportValue`
 *   (exports are regional) and SSM dynamic references: the stack's region;
 * - `Fn::Select`/`Fn::Split`/`Fn::Join`: the region of what they take apart or join
 *   (the first region found).
 * Undefined when nothing in the value names a region (a literal id such as `subnet-...`).
 */
export function regionOfValue(stack: StackTemplate, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value.startsWith('{{resolve:ssm') || value.startsWith('{{resolve:secretsmanager'))
      return stack.region;
    return regionOfArn(value);
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const region = regionOfValue(stack, item);
      if (region) return region;
    }
    return undefined;
  }
  if (typeof value !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  if ('Fn::GetStackOutput' in object) {
    const region = (object['Fn::GetStackOutput'] as { Region?: unknown }).Region;
    return typeof region === 'string' ? region : stack.region;
  }
  if ('Ref' in object || 'Fn::GetAtt' in object) {
    const target = 'Ref' in object ? object.Ref : (object['Fn::GetAtt'] as unknown[])[0];
    const resource = typeof target === 'string' ? stack.template.Resources?.[target] : undefined;
    if (resource?.Type === 'Custom::AWS') return sdkCallRegion(resource) ?? stack.region;
    return stack.region;
  }
  if ('Fn::ImportValue' in object) return stack.region;
  for (const fn of ['Fn::Select', 'Fn::Split', 'Fn::Join']) {
    if (fn in object) return regionOfValue(stack, object[fn]);
  }
  return undefined;
}

/** The region an AwsCustomResource calls (`"region"` in its Create/Update call), if it names one. */
function sdkCallRegion(resource: CfnResource): string | undefined {
  for (const key of ['Update', 'Create']) {
    const call = JSON.stringify(resource.Properties?.[key] ?? '');
    const match = /\\?"region\\?":\\?"([a-z0-9-]+)\\?"/.exec(call);
    if (match) return match[1];
  }
  return undefined;
}
