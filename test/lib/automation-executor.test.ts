import { loadConfig } from '../../config';
import {
  type AutomationContent,
  AutomationDocumentError,
  type AutomationStep,
  FakeWorld,
  jsonPath,
  runAutomation,
  stepOf,
  validateDocument,
} from '../support/automation';
import { platformWorld } from '../support/automation/platform';

const HERE = 'us-west-2';
const OTHER = 'us-east-1';
const DB = 'dra-test-postgres';

const doc = (
  mainSteps: AutomationStep[],
  parameters: AutomationContent['parameters'] = {},
): AutomationContent => ({
  schemaVersion: '0.3',
  description: 'test',
  parameters,
  mainSteps,
});

const py = (
  name: string,
  script: string,
  payload: Record<string, unknown> = {},
  outputs: [string, string][] = [],
  extra: Partial<AutomationStep> = {},
): AutomationStep => ({
  name,
  action: 'aws:executeScript',
  inputs: { Runtime: 'python3.11', Handler: 'handler', Script: script, InputPayload: payload },
  outputs: outputs.map(([Name, Type]) => ({ Name, Selector: `$.Payload.${Name}`, Type })),
  ...extra,
});

const api = (
  name: string,
  service: string,
  apiName: string,
  params: Record<string, unknown> = {},
  extra = {},
) =>
  ({
    name,
    action: 'aws:executeAwsApi',
    inputs: { Service: service, Api: apiName, ...params },
    ...extra,
  }) as AutomationStep;

function replicaWorld(): FakeWorld {
  const world = new FakeWorld();
  world.rds.add(HERE, {
    DBInstanceIdentifier: DB,
    ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${OTHER}:111111111111:db:${DB}`,
  });
  return world;
}

describe('automation executor: actions', () => {
  it('runs a document through every action against the world, on the simulated clock', async () => {
    const world = replicaWorld();
    world.lambda.register(HERE, 'readiness', (event) => ({ rpo: { estimatedSeconds: 12 }, echo: event }));
    world.redshiftServerless.addNamespace(HERE, { namespaceName: 'wh' });
    const steps: AutomationStep[] = [
      {
        name: 'Check',
        action: 'aws:invokeLambdaFunction',
        inputs: {
          FunctionName: 'readiness',
          Payload: '{"from":"{{ global:REGION }}","id":"{{automation:EXECUTION_ID}}"}',
        },
        outputs: [
          { Name: 'Rpo', Selector: '$.Payload.rpo.estimatedSeconds', Type: 'Integer' },
          { Name: 'Payload', Selector: '$.Payload', Type: 'String' },
        ],
      },
      py(
        'Gate',
        `import json
def handler(events, context):
    report = json.loads(events["Report"])
    return {"Allowed": report["rpo"]["estimatedSeconds"] <= events["Budget"], "Region": events["Region"], "Account": events["Account"]}
`,
        {
          Report: '{{ Check.Payload }}',
          Budget: '{{ Budget }}',
          Region: '{{global:REGION}}',
          Account: '{{ global:ACCOUNT_ID }}',
        },
        [
          ['Allowed', 'Boolean'],
          ['Region', 'String'],
          ['Account', 'String'],
        ],
      ),
      {
        name: 'Decide',
        action: 'aws:branch',
        inputs: {
          Choices: [
            {
              And: [
                { Variable: '{{ Gate.Allowed }}', BooleanEquals: true },
                { Variable: '{{ Check.Rpo }}', NumericLesser: 60 },
              ],
              NextStep: 'Approve',
            },
          ],
          Default: 'Refuse',
        },
      },
      py('Refuse', 'def handler(e, c):\n    raise Exception("refused")\n', {}, [], { isEnd: true }),
      {
        name: 'Approve',
        action: 'aws:approve',
        timeoutSeconds: 3600,
        inputs: {
          Approvers: '{{ Approvers }}',
          NotificationArn: 'arn:aws:sns:us-west-2:111111111111:alarms',
          Message: 'ok?',
        },
      },
      api('Promote', 'rds', 'PromoteReadReplica', { DBInstanceIdentifier: DB }),
      { name: 'Pause', action: 'aws:sleep', inputs: { Duration: 'PT1M' } },
      {
        name: 'WaitForWriter',
        action: 'aws:waitForAwsResourceProperty',
        timeoutSeconds: 1800,
        inputs: {
          Service: 'rds',
          Api: 'DescribeDBInstances',
          DBInstanceIdentifier: DB,
          PropertySelector: '$.DBInstances[0].DBInstanceStatus',
          DesiredValues: ['available'],
        },
      },
      {
        name: 'UntilNoSource',
        action: 'aws:loop',
        inputs: {
          MaxIterations: 50,
          Steps: [
            api(
              'Describe',
              'rds',
              'DescribeDBInstances',
              { DBInstanceIdentifier: DB },
              {
                outputs: [
                  {
                    Name: 'Source',
                    Selector: '$.DBInstances[0].ReadReplicaSourceDBInstanceIdentifier',
                    Type: 'String',
                  },
                  { Name: 'Status', Selector: '$.DBInstances[0].DBInstanceStatus', Type: 'String' },
                ],
              },
            ),
            { name: 'Breathe', action: 'aws:sleep', inputs: { Duration: 'PT30S' } },
          ],
          LoopCondition: { Not: { Variable: '{{ Describe.Status }}', StringEquals: 'available' } },
        },
      },
      api('Notify', 'sns', 'Publish', {
        TopicArn: 'arn:aws:sns:us-west-2:111111111111:alarms',
        Message: 'done {{ automation:EXECUTION_ID }} at {{ global:DATE_TIME }} rpo {{ Check.Rpo }}',
      }),
    ];
    const result = await runAutomation(
      {
        ...doc(steps, { Budget: { type: 'Integer', default: 900 }, Approvers: { type: 'StringList' } }),
        outputs: ['Gate.Allowed'],
      },
      { region: HERE, world, parameters: { Approvers: ['oncall'] }, executionId: 'exec-1' },
    );

    expect(result.status).toBe('Success');
    expect(stepOf(result, 'Check').outputs.Rpo).toBe(12);
    expect(JSON.parse(String(stepOf(result, 'Check').outputs.Payload)).echo).toEqual({
      from: HERE,
      id: 'exec-1',
    });
    expect(stepOf(result, 'Gate').outputs).toMatchObject({
      Allowed: true,
      Region: HERE,
      Account: '111111111111',
    });
    expect(stepOf(result, 'Refuse').status).toBe('Skipped');
    expect(result.outputs).toEqual({ 'Gate.Allowed': true });
    // The approval notified its topic; the promotion (300 s) showed as 'modifying' after the one-minute pause.
    expect(world.published.map((p) => p.Message)).toEqual([
      'ok?',
      expect.stringMatching(/^done exec-1 at 2026-01-01_00\.\d\d\.\d\d rpo 12$/),
    ]);
    expect(stepOf(result, 'WaitForWriter').seconds).toBe(240);
    const loops = result.steps.filter((s) => s.name === 'UntilNoSource');
    expect(loops).toHaveLength(1);
    expect(stepOf(result, 'Describe').outputs).toEqual({ Status: 'available' });
    expect(world.rds.get(HERE, DB)?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(result.elapsedSeconds).toBeGreaterThanOrEqual(300);
    expect(result.calls.map((c) => `${c.region} ${c.service} ${c.operation}`)).toContain(
      `${HERE} rds PromoteReadReplica`,
    );
  });

  it('keeps a variable typed when it is the whole value and writes it as text inside a string', async () => {
    const world = new FakeWorld();
    const result = await runAutomation(
      doc(
        [
          py(
            'Echo',
            'def handler(e, c):\n    return e\n',
            { List: '{{ Names }}', Flag: '{{Flag}}', Text: 'n={{ Names }} f={{ Flag }}' },
            [
              ['List', 'StringList'],
              ['Flag', 'Boolean'],
              ['Text', 'String'],
            ],
          ),
        ],
        { Names: { type: 'StringList', default: ['a', 'b'] }, Flag: { type: 'Boolean', default: false } },
      ),
      { region: HERE, world, parameters: { Flag: 'true' } },
    );
    expect(stepOf(result, 'Echo').outputs).toMatchObject({
      List: ['a', 'b'],
      Flag: true,
      Text: 'n=["a","b"] f=true',
    });
  });
  it("leaves a script's own {{ }} (Python f-string braces) alone", async () => {
    const result = await runAutomation(
      doc([
        py('Braces', 'def handler(e, c):\n    x = 1\n    return {"T": f"{{x}}={x}"}\n', {}, [
          ['T', 'String'],
        ]),
      ]),
      { region: HERE, world: new FakeWorld() },
    );
    expect(stepOf(result, 'Braces').outputs.T).toBe('{x}=1');
  });
});

describe('automation executor: failures, retries and timeouts', () => {
  it('retries a failed step up to maxAttempts', async () => {
    const world = replicaWorld();
    world.failNext('rds', 'DescribeDBInstances', { code: 'Throttling', message: 'Rate exceeded' });
    const result = await runAutomation(
      doc([api('Read', 'rds', 'DescribeDBInstances', {}, { maxAttempts: 2 })]),
      {
        region: HERE,
        world,
      },
    );
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'Read').attempts).toBe(2);
  });

  it('aborts by default, naming the failed step and skipping the rest', async () => {
    const world = replicaWorld();
    world.failAlways('rds', 'DescribeDBInstances', { code: 'Throttling', message: 'Rate exceeded' });
    const result = await runAutomation(
      doc([
        api('Read', 'rds', 'DescribeDBInstances', {}, { maxAttempts: 3 }),
        api('After', 'sns', 'Publish', { TopicArn: 't', Message: 'm' }),
      ]),
      { region: HERE, world },
    );
    expect(result.status).toBe('Failed');
    expect(result.failedStep).toBe('Read');
    expect(stepOf(result, 'Read')).toMatchObject({
      status: 'Failed',
      attempts: 3,
      error: 'An error occurred (Throttling) when calling the DescribeDBInstances operation: Rate exceeded',
    });
    expect(stepOf(result, 'After').status).toBe('Skipped');
    expect(world.published).toEqual([]);
  });

  it('follows onFailure: Continue leaves the execution a success, step:X goes there but the execution fails', async () => {
    const world = replicaWorld();
    const failing = (extra: Partial<AutomationStep>) =>
      api('Promote', 'rds', 'PromoteReadReplica', { DBInstanceIdentifier: 'missing' }, extra);
    const notify = api('Notify', 'sns', 'Publish', { TopicArn: 't', Message: 'm' });
    const cont = await runAutomation(doc([failing({ onFailure: 'Continue' }), notify]), {
      region: HERE,
      world,
    });
    expect(cont.status).toBe('Success');
    expect(stepOf(cont, 'Promote').error).toMatch(/DBInstanceNotFound/);

    const jump = await runAutomation(
      doc([failing({ onFailure: 'step:Notify' }), api('Skipped', 'rds', 'DescribeDBInstances'), notify]),
      { region: HERE, world },
    );
    expect(jump.status).toBe('Failed');
    expect(jump.failedStep).toBe('Promote');
    expect(stepOf(jump, 'Skipped').status).toBe('Skipped');
    expect(stepOf(jump, 'Notify').status).toBe('Success');

    const notCritical = await runAutomation(
      doc([failing({ onFailure: 'step:Notify', isCritical: false }), notify]),
      {
        region: HERE,
        world,
      },
    );
    expect(notCritical.status).toBe('Success');
  });

  it('times out a wait after timeoutSeconds of simulated time', async () => {
    const world = replicaWorld();
    const result = await runAutomation(
      doc([
        {
          name: 'Wait',
          action: 'aws:waitForAwsResourceProperty',
          timeoutSeconds: 900,
          inputs: {
            Service: 'rds',
            Api: 'DescribeDBInstances',
            DBInstanceIdentifier: DB,
            PropertySelector: '$.DBInstances[0].DBInstanceStatus',
            DesiredValues: ['stopped'],
          },
        },
      ]),
      { region: HERE, world },
    );
    expect(result.status).toBe('TimedOut');
    expect(stepOf(result, 'Wait').status).toBe('TimedOut');
    expect(result.elapsedSeconds).toBe(900);
  });

  it('times out a Python step that polls past its timeoutSeconds, without sleeping for real', async () => {
    const world = new FakeWorld();
    const started = Date.now();
    const result = await runAutomation(
      doc([
        py('Poll', 'import time\ndef handler(e, c):\n    while True:\n        time.sleep(30)\n', {}, [], {
          timeoutSeconds: 600,
        }),
      ]),
      { region: HERE, world },
    );
    expect(stepOf(result, 'Poll').status).toBe('TimedOut');
    expect(result.elapsedSeconds).toBe(600);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a document whose aws:executeScript timeoutSeconds exceeds 600, before running anything', async () => {
    const world = new FakeWorld();
    const content = doc([py('Long', 'def handler(e, c):\n    return {}\n', {}, [], { timeoutSeconds: 960 })]);
    expect(() => validateDocument(content)).toThrow(
      /step Long: timeoutSeconds 960 exceeds the 600 s maximum of aws:executeScript/,
    );
    await expect(runAutomation(content, { region: HERE, world })).rejects.toThrow(AutomationDocumentError);
    expect(world.log).toEqual([]);
  });

  it('refuses unknown step targets, undefined variables, unsupported actions and missing parameters', async () => {
    expect(() =>
      validateDocument(
        doc([
          { name: 'A', action: 'aws:runCommand', inputs: {} },
          api(
            'B',
            'sns',
            'Publish',
            { Message: '{{ Nope.Out }} {{ Missing }}' },
            { onFailure: 'step:Nowhere' },
          ),
        ]),
      ),
    ).toThrow(/aws:runCommand is not supported[\s\S]*Nowhere[\s\S]*Nope\.Out[\s\S]*Missing/);
    await expect(
      runAutomation(
        doc([api('B', 'sns', 'Publish', { TopicArn: 't', Message: '{{ P }}' })], { P: { type: 'String' } }),
        {
          region: HERE,
          world: new FakeWorld(),
        },
      ),
    ).rejects.toThrow('Parameter P (String) is required: it has no default');
  });

  it('reports an approval that is rejected as Failed and one that never comes as TimedOut', async () => {
    const approve: AutomationStep = {
      name: 'Approve',
      action: 'aws:approve',
      timeoutSeconds: 1800,
      inputs: { Approvers: ['x'] },
    };
    const rejected = await runAutomation(doc([approve]), {
      region: HERE,
      world: new FakeWorld(),
      approve: () => 'Rejected',
    });
    expect(rejected.status).toBe('Failed');
    const world = new FakeWorld();
    const late = await runAutomation(doc([approve]), {
      region: HERE,
      world,
      approve: () => ({ decision: 'Approved', afterSeconds: 3600 }),
    });
    expect(late.status).toBe('TimedOut');
    expect(late.elapsedSeconds).toBe(1800);
  });

  it('runs the onCancel step of the step that was running when the execution is cancelled', async () => {
    const notify = api('Notify', 'sns', 'Publish', { TopicArn: 't', Message: 'cancelled' });
    const world = new FakeWorld();
    const result = await runAutomation(
      doc([
        {
          name: 'Wait',
          action: 'aws:sleep',
          inputs: { Duration: 'PT1H' },
          onCancel: 'step:Notify',
          nextStep: 'Done',
        },
        api('Done', 'sns', 'Publish', { TopicArn: 't', Message: 'done' }, { isEnd: true }),
        notify,
      ]),
      { region: HERE, world, cancelAtStep: 'Wait' },
    );
    expect(result.status).toBe('Cancelled');
    expect(world.published.map((p) => p.Message)).toEqual(['cancelled']);
  });
});

describe('automation executor: Python steps against the stand-in boto3', () => {
  it('pages through a paginator and raises ClientError with the code for a service error', async () => {
    const world = new FakeWorld({ pageSize: 2 });
    for (let i = 1; i <= 5; i++) {
      world.redshiftServerless.addSnapshot(HERE, {
        snapshotName: `s${i}`,
        namespaceName: 'wh',
        snapshotCreateTime: new Date(Date.UTC(2025, 11, i)),
      });
    }
    const script = `import boto3
from botocore.exceptions import ClientError

def handler(events, context):
    client = boto3.client("redshift-serverless")
    names = []
    for page in client.get_paginator("list_snapshots").paginate(namespaceName="wh"):
        names += [s["snapshotName"] for s in page["snapshots"]]
    newest = max((s for page in client.get_paginator("list_snapshots").paginate() for s in page["snapshots"]), key=lambda s: s["snapshotCreateTime"])
    try:
        boto3.client("rds").describe_db_instances(DBInstanceIdentifier="nope")
        code = "none"
    except ClientError as error:
        code = error.response["Error"]["Code"]
    try:
        boto3.client("rds").describe_db_instances(DBInstanceIdentifier="nope")
    except boto3.client("rds").exceptions.DBInstanceNotFoundFault:
        code += "+modeled"
    return {"Names": names, "Newest": newest["snapshotCreateTime"].isoformat(), "Code": code}
`;
    const result = await runAutomation(
      doc([
        py('List', script, {}, [
          ['Names', 'StringList'],
          ['Newest', 'String'],
          ['Code', 'String'],
        ]),
      ]),
      {
        region: HERE,
        world,
      },
    );
    expect(stepOf(result, 'List').error).toBeUndefined();
    expect(stepOf(result, 'List').outputs).toMatchObject({
      Names: ['s1', 's2', 's3', 's4', 's5'],
      Newest: '2025-12-05T00:00:00+00:00',
      Code: 'DBInstanceNotFound+modeled',
    });
    expect(result.calls.filter((c) => c.operation === 'list_snapshots')).toHaveLength(6);
    expect(result.calls[1].params).toEqual({ namespaceName: 'wh', nextToken: 'page-2' });
  });

  it('invokes Lambda, cancels QUEUED runs, removes a bucket rule and reads the simulated clock from Python', async () => {
    const world = new FakeWorld();
    world.lambda.register(HERE, 'control', (event) => ({ ok: true, got: event }));
    const app = world.emrServerless.addApplication(HERE, { name: 'spark', state: 'STARTED' });
    world.emrServerless.addJobRun(HERE, { applicationId: app, name: 'a', state: 'QUEUED' });
    world.emrServerless.addJobRun(HERE, { applicationId: app, name: 'b', state: 'SUCCESS' });
    world.s3.addBucket(HERE, 'raw', {
      Role: 'arn:aws:iam::111111111111:role/replication',
      Rules: [{ ID: 'to-standby', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::standby' } }],
    });
    world.advance(90);
    const script = `import json, time
from datetime import datetime, timezone
import boto3

def handler(events, context):
    answer = json.loads(boto3.client("lambda").invoke(FunctionName="control", Payload=json.dumps({"action": "status"}))["Payload"].read())
    emr = boto3.client("emr-serverless")
    app = [a for a in emr.list_applications()["applications"] if a["name"] == "spark"][0]
    runs = emr.list_job_runs(applicationId=app["id"], states=["QUEUED", "RUNNING"])["jobRuns"]
    for run in runs:
        emr.cancel_job_run(applicationId=app["id"], jobRunId=run["id"])
    s3 = boto3.client("s3")
    s3.delete_bucket_replication(Bucket="raw")
    try:
        s3.get_bucket_replication(Bucket="raw")
        left = "rule"
    except s3.exceptions.ReplicationConfigurationNotFoundError:
        left = "none"
    started = time.time()
    time.sleep(45)
    return {"Got": answer["got"]["action"], "Cancelled": len(runs), "Left": left,
            "Now": datetime.now(timezone.utc).isoformat(), "Slept": time.time() - started}
`;
    const result = await runAutomation(doc([py('Fence', script)]), { region: HERE, world });
    expect(stepOf(result, 'Fence').outputs.Payload).toEqual({
      Got: 'status',
      Cancelled: 1,
      Left: 'none',
      Now: '2026-01-01T00:02:15+00:00',
      Slept: 45,
    });
    // The cancellation (30 s) completed during the step's 45 s sleep.
    expect(world.emrServerless.jobRuns(HERE).map((r) => r.state)).toEqual(['CANCELLED', 'SUCCESS']);
  });

  it('tags and restores a namespace with a managed password, and starts an automation in another region', async () => {
    const world = new FakeWorld({ restoreSeconds: 1800 });
    world.redshiftServerless.addNamespace(HERE, { namespaceName: 'wh' });
    world.redshiftServerless.addSnapshot(HERE, {
      snapshotName: 'copy-1',
      namespaceName: 'wh',
      snapshotCreateTime: new Date('2025-12-31T23:00:00Z'),
    });
    const script = `import boto3

def handler(events, context):
    rs = boto3.client("redshift-serverless")
    arn = rs.get_namespace(namespaceName="wh")["namespace"]["namespaceArn"]
    key = boto3.client("kms").describe_key(KeyId="alias/dra/test/data")["KeyMetadata"]["Arn"]
    rs.tag_resource(resourceArn=arn, tags=[{"key": "dra:switch", "value": "s-1"}])
    rs.restore_from_snapshot(namespaceName="wh", workgroupName="wh", snapshotName="copy-1",
                             manageAdminPassword=True, adminPasswordSecretKmsKeyId=key)
    tags = {t["key"]: t["value"] for t in rs.list_tags_for_resource(resourceArn=arn)["tags"]}
    started = boto3.client("ssm", region_name="${OTHER}").start_automation_execution(DocumentName="dra-test-fence")
    return {"Switch": tags["dra:switch"], "Key": key, "Started": started["AutomationExecutionId"] != ""}
`;
    const result = await runAutomation(doc([py('Restore', script)]), { region: HERE, world });
    expect(stepOf(result, 'Restore').outputs.Payload).toMatchObject({ Switch: 's-1', Started: true });
    const namespace = world.redshiftServerless.namespace(HERE, 'wh')!;
    expect(namespace.status).toBe('MODIFYING');
    expect(world.redshiftServerless.restore(HERE, 'wh')).toMatchObject({
      snapshotName: 'copy-1',
      params: {
        manageAdminPassword: true,
        adminPasswordSecretKmsKeyId: expect.stringMatching(/^arn:aws:kms:us-west-2:/),
      },
    });
    world.advance(1800);
    expect(namespace.status).toBe('AVAILABLE');
    expect(world.automationsStarted).toEqual([
      expect.objectContaining({ region: OTHER, DocumentName: 'dra-test-fence' }),
    ]);
  });

  it('fails a step whose script raises, with the exception and what it printed', async () => {
    const result = await runAutomation(
      doc([
        py('Boom', 'def handler(e, c):\n    print("checking")\n    raise ValueError("no snapshot of wh")\n'),
      ]),
      { region: HERE, world: new FakeWorld() },
    );
    expect(stepOf(result, 'Boom')).toMatchObject({
      status: 'Failed',
      error: 'ValueError: no snapshot of wh',
      log: 'checking\n',
    });
  });

  it('fails a step whose script calls sys.exit, and runs the next step in a fresh interpreter state', async () => {
    const result = await runAutomation(
      doc([
        py('Exit', 'import sys\ndef handler(e, c):\n    sys.exit(3)\n', {}, [], { onFailure: 'Continue' }),
        py('Next', 'def handler(e, c):\n    return {"Ok": True}\n', {}, [['Ok', 'Boolean']]),
      ]),
      { region: HERE, world: new FakeWorld() },
    );
    expect(stepOf(result, 'Exit').error).toBe('SystemExit: 3');
    expect(stepOf(result, 'Next').outputs.Ok).toBe(true);
  });

  it('names an operation the fake world does not know', async () => {
    const result = await runAutomation(
      doc([py('Gap', 'import boto3\ndef handler(e, c):\n    boto3.client("rds").describe_db_clusters()\n')]),
      { region: HERE, world: new FakeWorld() },
    );
    expect(stepOf(result, 'Gap').error).toMatch(
      /The fake AWS world has no rds describe_db_clusters \(region us-west-2\)/,
    );
  });

  it('sees a refusing region as EndpointConnectionError and a hanging one as ConnectTimeoutError after its timeouts', async () => {
    const world = new FakeWorld();
    world.ssm.put(OTHER, '/dra/active', OTHER);
    const script = `import boto3
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, ConnectTimeoutError

def handler(events, context):
    quick = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1})
    try:
        boto3.client("ssm", region_name="${OTHER}", config=quick).get_parameter(Name="/dra/active")
        return {"Outcome": "answered"}
    except EndpointConnectionError as error:
        return {"Outcome": "refused: " + str(error)}
    except ConnectTimeoutError as error:
        return {"Outcome": "hung: " + str(error)}
`;
    const content = doc([py('Read', script, {}, [['Outcome', 'String']])]);
    world.outage(OTHER, 'refuse');
    const refused = await runAutomation(content, { region: HERE, world });
    expect(stepOf(refused, 'Read').outputs.Outcome).toBe(
      'refused: Could not connect to the endpoint URL: "https://ssm.us-east-1.amazonaws.com/"',
    );
    world.outage(OTHER, 'hang');
    const hung = await runAutomation(content, { region: HERE, world });
    expect(stepOf(hung, 'Read').outputs.Outcome).toMatch(/^hung: Connect timeout/);
    expect(hung.elapsedSeconds).toBe(10);
    world.outage(OTHER, undefined);
    const back = await runAutomation(content, { region: HERE, world });
    expect(stepOf(back, 'Read').outputs.Outcome).toBe('answered');
  });

  it('times out a Python step whose call hangs longer than the step may run', async () => {
    const world = new FakeWorld();
    world.outage(OTHER, 'hang');
    const result = await runAutomation(
      doc([
        py(
          'Read',
          `import boto3\ndef handler(e, c):\n    boto3.client("ssm", region_name="${OTHER}").get_parameter(Name="/x")\n`,
          {},
          [],
          {
            timeoutSeconds: 120,
          },
        ),
      ]),
      { region: HERE, world },
    );
    expect(result.status).toBe('TimedOut');
    expect(result.elapsedSeconds).toBe(120);
  });

  it('fails an SSM-side call to a refusing region, and times it out against a hanging one', async () => {
    const world = replicaWorld();
    world.outage(HERE, 'refuse');
    const refused = await runAutomation(doc([api('Read', 'rds', 'DescribeDBInstances')]), {
      region: HERE,
      world,
    });
    expect(stepOf(refused, 'Read').error).toBe(
      'Could not connect to the endpoint URL: "https://rds.us-west-2.amazonaws.com/"',
    );
    world.outage(HERE, 'hang');
    const hung = await runAutomation(
      doc([api('Read', 'rds', 'DescribeDBInstances', {}, { timeoutSeconds: 60 })]),
      { region: HERE, world },
    );
    expect(stepOf(hung, 'Read').status).toBe('TimedOut');
  });

  it('runs a Python step in well under 100 ms once the interpreter is up', async () => {
    const world = replicaWorld();
    await runAutomation(doc([py('Warm', 'def handler(e, c):\n    return {}\n')]), { region: HERE, world });
    const steps = Array.from({ length: 10 }, (_, i) =>
      py(
        `Step${i}`,
        'import boto3\ndef handler(e, c):\n    return {"S": boto3.client("rds").describe_db_instances()["DBInstances"][0]["DBInstanceStatus"]}\n',
        {},
        [['S', 'String']],
      ),
    );
    const started = process.hrtime.bigint();
    const result = await runAutomation(doc(steps), { region: HERE, world });
    const perStep = Number(process.hrtime.bigint() - started) / 1e6 / steps.length;
    expect(result.status).toBe('Success');
    expect(perStep).toBeLessThan(100);
  });
});

describe('fake world semantics', () => {
  it('promotes a replica in stages and refuses a second promotion', async () => {
    const world = replicaWorld();
    await world.call(HERE, 'rds', 'PromoteReadReplica', { DBInstanceIdentifier: DB });
    const status = async () =>
      jsonPath(
        await world.call(HERE, 'rds', 'DescribeDBInstances', { DBInstanceIdentifier: DB }),
        '$.DBInstances[0]',
      );
    expect(await status()).toMatchObject({
      DBInstanceStatus: 'available',
      ReadReplicaSourceDBInstanceIdentifier: expect.any(String),
    });
    await expect(
      world.call(HERE, 'rds', 'ModifyDBInstance', { DBInstanceIdentifier: DB, MultiAZ: true }),
    ).rejects.toMatchObject({
      code: 'InvalidDBInstanceState',
    });
    world.advance(60);
    expect(await status()).toMatchObject({ DBInstanceStatus: 'modifying' });
    world.advance(world.settings.promotionSeconds);
    const done = (await status()) as Record<string, unknown>;
    expect(done.DBInstanceStatus).toBe('available');
    expect(done.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    await expect(
      world.call(HERE, 'rds', 'PromoteReadReplica', { DBInstanceIdentifier: DB }),
    ).rejects.toMatchObject({
      code: 'InvalidDBInstanceState',
      message: `DB Instance ${DB} is not a read replica.`,
    });
  });

  it('fails a Global Datastore over only while every member region answers, and lets the secondary leave', async () => {
    const world = new FakeWorld();
    world.elasticache.addGlobal({
      GlobalReplicationGroupId: 'g',
      Members: [
        { ReplicationGroupId: 'rg', ReplicationGroupRegion: OTHER, Role: 'PRIMARY' },
        { ReplicationGroupId: 'rg', ReplicationGroupRegion: HERE, Role: 'SECONDARY' },
      ],
    });
    const failover = { GlobalReplicationGroupId: 'g', PrimaryRegion: HERE, PrimaryReplicationGroupId: 'rg' };
    world.outage(OTHER, 'hang');
    await expect(
      world.call(HERE, 'elasticache', 'FailoverGlobalReplicationGroup', failover),
    ).rejects.toMatchObject({
      code: 'InvalidGlobalReplicationGroupState',
    });
    await world.call(HERE, 'elasticache', 'DisassociateGlobalReplicationGroup', {
      GlobalReplicationGroupId: 'g',
      ReplicationGroupId: 'rg',
      ReplicationGroupRegion: HERE,
    });
    expect(world.elasticache.replicationGroup(HERE, 'rg')?.Status).toBe('modifying');
    world.advance(world.settings.cacheDisassociateSeconds);
    expect(world.elasticache.replicationGroup(HERE, 'rg')).toEqual({
      ReplicationGroupId: 'rg',
      Status: 'available',
    });
  });

  it('throttles a function whose reserved concurrency is 0, as fencing job submission does', async () => {
    const world = new FakeWorld();
    world.lambda.register(HERE, 'submit-job', () => ({ ok: true }));
    await world.call(HERE, 'lambda', 'PutFunctionConcurrency', {
      FunctionName: 'submit-job',
      ReservedConcurrentExecutions: 0,
    });
    await expect(world.call(HERE, 'lambda', 'Invoke', { FunctionName: 'submit-job' })).rejects.toMatchObject({
      code: 'TooManyRequestsException',
    });
    await world.call(HERE, 'lambda', 'DeleteFunctionConcurrency', { FunctionName: 'submit-job' });
    await expect(world.call(HERE, 'lambda', 'Invoke', { FunctionName: 'submit-job' })).resolves.toMatchObject(
      {
        StatusCode: 200,
      },
    );
  });

  it('injects a one-off failure once, and outages per region', async () => {
    const world = new FakeWorld();
    world.ssm.put(HERE, '/p', 'v');
    world.failNext('ssm', 'get_parameter', { code: 'InternalServerError', message: 'try again' });
    await expect(world.call(HERE, 'ssm', 'GetParameter', { Name: '/p' })).rejects.toMatchObject({
      code: 'InternalServerError',
    });
    await expect(world.call(HERE, 'ssm', 'GetParameter', { Name: '/p' })).resolves.toMatchObject({
      Parameter: { Value: 'v' },
    });
    world.outage(OTHER, 'refuse');
    await expect(world.call(OTHER, 'ssm', 'GetParameter', { Name: '/p' })).rejects.toMatchObject({
      mode: 'refuse',
    });
    expect(world.log.map((c) => c.outcome)).toEqual(['error', 'ok', 'refused']);
  });
});

describe('platform world', () => {
  const prod = loadConfig('prod');

  it('holds the environment as deployed: replica in the standby, active region and functions in both regions', async () => {
    const { world, writer, standby } = platformWorld(prod);
    const readiness = await world.call(standby, 'lambda', 'Invoke', { FunctionName: 'dra-prod-readiness' });
    expect(JSON.parse(String((readiness as { Payload: string }).Payload))).toMatchObject({
      overall: 'healthy',
      writerRegion: { region: writer, reachable: true },
      rpo: { complete: true },
    });
    const replica = await world.call(standby, 'rds', 'DescribeDBInstances', {});
    expect(jsonPath(replica, '$.DBInstances[0].ReadReplicaSourceDBInstanceIdentifier')).toContain(
      `:${writer}:`,
    );
    expect(world.ssm.value(standby, '/dra/prod/active-region')).toBe(writer);
  });

  it('answers the PostgreSQL control function: a fenced writer, and a replica behind while replay is paused', async () => {
    const { world, writer, standby, postgres } = platformWorld(prod);
    const control = async (region: string, event: unknown) =>
      JSON.parse(
        String(
          (
            (await world.call(region, 'lambda', 'Invoke', {
              FunctionName: 'dra-prod-postgres-control',
              Payload: JSON.stringify(event),
            })) as { Payload: string }
          ).Payload,
        ),
      );
    postgres[standby].replayPaused = true;
    const fenced = await control(writer, { action: 'fence' });
    expect(fenced).toMatchObject({ ok: true, fenced: true });
    const behind = await control(standby, {
      action: 'catchUp',
      targetLsn: fenced.lsn,
      markerId: fenced.markerId,
    });
    expect(behind).toMatchObject({ ok: true, caughtUp: false, markerSeen: false, bytesBehind: 0x60 });
    postgres[standby].replayPaused = false;
    const caughtUp = await control(standby, {
      action: 'catchUp',
      targetLsn: fenced.lsn,
      markerId: fenced.markerId,
    });
    expect(caughtUp).toMatchObject({ caughtUp: true, markerSeen: true, replayLsn: fenced.lsn });
  });
});
