import * as fs from 'node:fs';
import { loadConfig } from '../../config';
import { AWS_LIMIT_RULES, type CfnTemplate } from '../../lib/compliance/aws-limits';
import {
  SCRIPT_WAIT_MARGIN_SECONDS,
  scriptStepTimeout,
  scriptStepTimeoutRule,
  scriptWait,
} from '../../lib/compliance/aws-limits/script-step-timeout';
import { STEPS_DIR } from '../../lib/runbooks/archive';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { fenceDocument } from '../../lib/runbooks/fence';
import { type AutomationDocument, deployableContent } from '../../lib/runbooks/step';

const TOPIC = 'arn:aws:sns:us-west-2:111111111111:dra-prod-alarms';

const stackOf = (docs: Record<string, unknown>) => ({
  stackName: 'prod-dr-operations',
  region: 'us-west-2',
  templatePath: '/cdk.out/prod-dr-operations.template.json',
  template: {
    Resources: Object.fromEntries(
      Object.entries(docs).map(([id, content]) => [
        id,
        { Type: 'AWS::SSM::Document', Properties: { Content: content } },
      ]),
    ),
  } as CfnTemplate,
});

/** A document with one step's timeoutSeconds replaced. */
function withTimeout(doc: AutomationDocument, step: string, timeoutSeconds: number | undefined) {
  const content = deployableContent(doc) as { mainSteps: Record<string, unknown>[] };
  return {
    ...content,
    mainSteps: content.mainSteps.map((s) => (s.name === step ? { ...s, timeoutSeconds } : s)),
  };
}

function everyDocument(): [string, AutomationDocument][] {
  return ['dev', 'staging', 'prod'].flatMap((env) => {
    const config = loadConfig(env);
    const next = { ...config, failover: { ...config.failover, generation: config.failover.generation + 1 } };
    return [
      [`${env} failover`, failoverDocument(config, TOPIC)],
      [`${env} failback`, failbackDocument(next, TOPIC)],
      [`${env} fence primary`, fenceDocument(config, 'primary', TOPIC, 'arn:role')],
      [`${env} fence dr`, fenceDocument(config, 'dr', TOPIC, 'arn:role')],
    ] as [string, AutomationDocument][];
  });
}

describe('ssm-script-step-timeout: a step outlasts the wait of its script', () => {
  it('flags the fence StopReplicator as it was (120 s default against a 150 s wait), naming the step, the wait and the fix', () => {
    const fence = fenceDocument(loadConfig('prod'), 'primary', TOPIC, 'arn:role');
    const findings = scriptStepTimeout.check([stackOf({ Fence: withTimeout(fence, 'StopReplicator', 120) })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      logicalId: 'Fence',
      path: 'Properties.Content.mainSteps[StopReplicator].timeoutSeconds',
      value: 120,
      problem: expect.stringMatching(/stop_replicator\.py, which waits up to 150 s/),
      fix: expect.stringMatching(/timeoutSeconds of at least 210/),
    });
    // A step without timeoutSeconds is flagged too: the check does not rely on a default.
    expect(
      scriptStepTimeout.check([stackOf({ Fence: withTimeout(fence, 'StopReplicator', undefined) })]),
    ).toHaveLength(1);
  });

  it('uses the WaitSeconds a step passes over the script’s default', () => {
    const failback = failbackDocument(
      { ...loadConfig('prod'), failover: { ...loadConfig('prod').failover, generation: 1 } },
      TOPIC,
    );
    // FenceWriter passes WaitSeconds 420 to fence_writer.py (default 480): 480 s passes at 480 + 60.
    const at = (t: number) =>
      scriptStepTimeout.check([stackOf({ Back: withTimeout(failback, 'FenceWriter', t) })]);
    expect(at(420 + SCRIPT_WAIT_MARGIN_SECONDS)).toEqual([]);
    expect(at(420 + SCRIPT_WAIT_MARGIN_SECONDS - 1)).toHaveLength(1);
  });

  it('flags a script that waits when its wait cannot be read', () => {
    const rule = scriptStepTimeoutRule((file) =>
      file === 'stop_replicator.py' ? 'deadline = time.time() + wait_from_somewhere()' : undefined,
    );
    const fence = fenceDocument(loadConfig('prod'), 'primary', TOPIC, 'arn:role');
    expect(rule.check([stackOf({ Fence: deployableContent(fence) })])).toEqual([
      expect.objectContaining({ problem: expect.stringMatching(/its wait cannot be read/) }),
    ]);
  });

  it('reads the wait of every step script that has a deadline loop', () => {
    const waits = Object.fromEntries(
      fs
        .readdirSync(STEPS_DIR)
        .filter((f) => f.endsWith('.py'))
        .map((f) => [f, scriptWait(fs.readFileSync(`${STEPS_DIR}/${f}`, 'utf8'))]),
    );
    expect(waits['stop_replicator.py']).toEqual({ defaultSeconds: 150, takesInput: true });
    expect(waits['stop_writers.py']).toEqual({ defaultSeconds: 480, takesInput: true });
    for (const [file, wait] of Object.entries(waits))
      if (wait) expect([file, wait.defaultSeconds]).toEqual([file, expect.any(Number)]);
  });

  it.each(everyDocument())('%s: every waiting step has room for its wait', (_, doc) => {
    expect(scriptStepTimeout.check([stackOf({ Doc: deployableContent(doc) })])).toEqual([]);
  });

  it('is a rule of the AWS-limits plugin every synth runs', () => {
    expect(AWS_LIMIT_RULES).toContain(scriptStepTimeout);
    expect(scriptStepTimeout.page).toContain('automation-action-executeScript');
  });
});
