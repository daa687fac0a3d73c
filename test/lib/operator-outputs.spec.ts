import { Stack } from 'aws-cdk-lib';
import { atGeneration, sharedPlatform, templateOf } from '../support/app';

/** The outputs of a stack's template, by logical ID. */
function outputsOf(stack: Stack): Record<string, { Value: unknown; Description?: string; Export?: unknown }> {
  return templateOf(stack).toJSON().Outputs ?? {};
}

describe('operator outputs of the operations stacks (prod)', () => {
  const gen0 = sharedPlatform('prod');
  const gen1 = sharedPlatform(atGeneration(1));

  it('the standby names the failover runbook and the role to pass it, and how to start it', () => {
    const dr = outputsOf(gen0.dr.operations);
    expect(dr.FailoverRunbookName.Value).toBe('dra-prod-failover');
    expect(dr.FailoverRunbookName.Description).toMatch(
      /aws ssm start-automation-execution --region us-west-2 --document-name dra-prod-failover/,
    );
    expect(dr.FailoverRunbookRoleArn.Value).toEqual({
      'Fn::GetAtt': [
        gen0.dr.operations.getLogicalId(gen0.dr.operations.failover!.role.node.defaultChild as never),
        'Arn',
      ],
    });
    expect(dr.FenceRunbookName.Value).toBe('dra-prod-fence');
    expect(dr.ReadinessFunctionName).toBeDefined();
    expect(dr.DashboardUrl).toBeUndefined();
  });

  it('the primary holds the dashboard URL and its fence runbook, and no failover runbook while it writes', () => {
    const primary = outputsOf(gen0.primary.operations);
    expect(primary.DashboardUrl.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=',
          { Ref: expect.any(String) },
        ],
      ],
    });
    expect(primary.FenceRunbookRoleArn).toBeDefined();
    expect(primary.FailoverRunbookName).toBeUndefined();
  });

  it('follows the generation: after a failover the primary holds failover and failback', () => {
    const primary = outputsOf(gen1.primary.operations);
    expect(primary.FailoverRunbookName.Value).toBe('dra-prod-failover');
    expect(primary.FailbackRunbookName.Value).toBe('dra-prod-failback');
    expect(primary.FailbackRunbookRoleArn.Description).toMatch(/AutomationAssumeRole=<this>/);
    expect(outputsOf(gen1.dr.operations).FailoverRunbookName).toBeUndefined();
  });

  it('exports nothing, in any stack: an export would pin a stack to its readers', () => {
    for (const platform of [gen0, gen1]) {
      const stacks = platform.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
      expect(stacks).toHaveLength(18);
      for (const stack of stacks) {
        for (const [id, output] of Object.entries(outputsOf(stack))) {
          expect([stack.stackName, id, output.Export]).toEqual([stack.stackName, id, undefined]);
        }
      }
    }
  });
});
