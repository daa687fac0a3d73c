/**
 * Runs a synthesized SSM Automation document (the `Content` CloudFormation
 * receives) step by step against a FakeWorld, for tests (contract C of
 * /work/shared: issue 11 item 9). aws:executeScript steps run for real in
 * python3 against a stand-in boto3 (./python) that forwards every call to the
 * world; waits, sleeps and timeouts use the world's simulated clock.
 *
 * Supported: aws:executeScript, aws:executeAwsApi, aws:invokeLambdaFunction,
 * aws:waitForAwsResourceProperty, aws:branch, aws:sleep, aws:approve, aws:loop.
 * A document using anything else, or breaking an SSM limit the executor knows,
 * is refused before any step runs (AutomationDocumentError).
 */
import type { AutomationExecution } from '@aws-sdk/client-ssm';
import { stepsArchive } from '../../../lib/runbooks/archive';
import { attachmentFile, attachmentLoader, sha256 } from './attachments';
import { jsonPath } from './json-path';
import { sharedPythonWorker } from './python-worker';
import { AwsError, ConnectionFailure, type FakeWorld, UnknownOperation } from './world';

export interface AutomationStep {
  name: string;
  action: string;
  inputs?: Record<string, unknown>;
  outputs?: { Name: string; Selector: string; Type: string }[];
  maxAttempts?: number;
  timeoutSeconds?: number | string;
  onFailure?: string;
  onCancel?: string;
  isCritical?: boolean;
  isEnd?: boolean;
  nextStep?: string;
  [extra: string]: unknown;
}

export interface AutomationContent {
  schemaVersion: string;
  description?: string;
  assumeRole?: string;
  parameters?: Record<
    string,
    {
      type: string;
      description?: string;
      default?: unknown;
      allowedPattern?: string;
      allowedValues?: unknown[];
    }
  >;
  mainSteps: readonly AutomationStep[];
  outputs?: string[];
  [extra: string]: unknown;
}

export type ApprovalDecision = 'Approved' | 'Rejected' | 'TimedOut';

export interface ApprovalRequest {
  readonly approvers: unknown;
  readonly message?: string;
  readonly notificationArn?: string;
  readonly minRequiredApprovals: number;
}

export interface RunOptions {
  /** Region the execution runs in ({{ global:REGION }}, default region of every call). */
  region: string;
  parameters?: Record<string, unknown>;
  world: FakeWorld;
  /** Decides each aws:approve step; default Approved at once. `afterSeconds` of simulated time may pass first. */
  approve?: (
    stepName: string,
    request: ApprovalRequest,
  ) => ApprovalDecision | { decision: ApprovalDecision; afterSeconds?: number };
  /** Default: a fresh id per execution. */
  executionId?: string;
  /** Polling interval of aws:waitForAwsResourceProperty (simulated seconds); default 10. */
  pollSeconds?: number;
  /** Simulated seconds an SSM-side call to a hung region takes when the step has no timeoutSeconds; default 300. */
  hangSeconds?: number;
  /** Cancels the execution when this step starts (StopAutomationExecution): its onCancel step, if any, runs next. */
  cancelAtStep?: string;
  /**
   * The document's attachments by name (CreateDocument `Attachments`): a script step with
   * `Attachment` runs its `Handler` (`<file>.<function>`) from the named zip. Each must match
   * the SHA-256 the document's `files` section gives. Default: the one attachment of this
   * app's runbooks, stepsArchive() of lib/runbooks/archive.ts.
   */
  attachments?: Readonly<Record<string, Uint8Array>>;
}

export type StepStatus = 'Success' | 'Failed' | 'Skipped' | 'TimedOut' | 'Cancelled';

export interface StepResult {
  readonly name: string;
  readonly action: string;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly outputs: Record<string, unknown>;
  readonly error?: string;
  /** What an aws:executeScript step printed. */
  readonly log?: string;
  /** Simulated seconds the step took (all attempts). */
  readonly seconds: number;
}

export interface ExecutionResult {
  readonly status: 'Success' | 'Failed' | 'Cancelled' | 'TimedOut';
  readonly executionId: string;
  /** Steps in the order they ran (a step in a loop once per iteration), then the steps never reached, as Skipped. */
  readonly steps: StepResult[];
  readonly failedStep?: string;
  readonly calls: { region: string; service: string; operation: string; params: Record<string, unknown> }[];
  readonly elapsedSeconds: number;
  /** The document's `outputs` (Step.Output). */
  readonly outputs: Record<string, unknown>;
}

/** The last run of a step in a result (throws naming the step when it never ran). */
export function stepOf(result: ExecutionResult, name: string): StepResult {
  const found = [...result.steps].reverse().find((s) => s.name === name);
  if (!found)
    throw new Error(
      `No step ${name} in the execution (steps: ${result.steps.map((s) => s.name).join(', ')})`,
    );
  return found;
}

export class AutomationDocumentError extends Error {}

// Limits, from the action pages of the SSM user guide:
// aws:executeScript runs at most 600 s
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html);
// aws:invokeLambdaFunction at most 300 s
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-lamb.html);
// aws:loop at most 100 iterations
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html);
// aws:approve waits 7 days by default
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html);
// aws:waitForAwsResourceProperty times out after 3600 s by default
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-waitForAwsResourceProperty.html).
// A timed-out step fails the execution as TimedOut unless isCritical is false
//   (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-handling-timeouts.html).
const MAX_TIMEOUT: Record<string, number> = { 'aws:executeScript': 600, 'aws:invokeLambdaFunction': 300 };
const DEFAULT_TIMEOUT: Record<string, number> = {
  'aws:executeScript': 600,
  'aws:invokeLambdaFunction': 300,
  'aws:approve': 604800,
  'aws:waitForAwsResourceProperty': 3600,
};
const MAX_LOOP = 100;
const ACTIONS = new Set([
  'aws:executeScript',
  'aws:executeAwsApi',
  'aws:invokeLambdaFunction',
  'aws:waitForAwsResourceProperty',
  'aws:branch',
  'aws:sleep',
  'aws:approve',
  'aws:loop',
]);
/** Outputs an action has without declaring them (automation-action-* pages). */
const PREDEFINED: Record<string, string[]> = {
  'aws:executeScript': ['Payload'],
  'aws:invokeLambdaFunction': ['Payload', 'StatusCode', 'FunctionError', 'LogResult'],
  'aws:approve': ['ApprovalStatus', 'ApproverDecisions'],
  'aws:loop': ['CurrentIteration', 'CurrentIteratorValue'],
};
const GLOBALS = new Set([
  'global:REGION',
  'global:ACCOUNT_ID',
  'global:DATE_TIME',
  'global:DATE',
  'global:AWS_PARTITION',
  'global:AWS_URL_SUFFIX',
  'automation:EXECUTION_ID',
]);

const VARIABLE = /\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}$/;

function allSteps(steps: readonly AutomationStep[]): AutomationStep[] {
  return steps.flatMap((s) =>
    s.action === 'aws:loop' ? [s, ...allSteps((s.inputs?.Steps as AutomationStep[]) ?? [])] : [s],
  );
}

function references(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') for (const m of value.matchAll(VARIABLE)) found.push(m[1]);
  else if (Array.isArray(value)) for (const v of value) references(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) references(v, found);
  return found;
}

/** Refuses what SSM would refuse at CreateDocument or StartAutomationExecution, and what this executor cannot run. */
export function validateDocument(content: AutomationContent): void {
  const problems: string[] = [];
  if (content.schemaVersion !== '0.3') {
    problems.push(
      `schemaVersion is ${JSON.stringify(content.schemaVersion)}; Automation documents use "0.3"`,
    );
  }
  if (!Array.isArray(content.mainSteps) || content.mainSteps.length === 0)
    problems.push('mainSteps is empty');
  const steps = allSteps(content.mainSteps ?? []);
  const byName = new Map<string, AutomationStep>();
  for (const s of steps) {
    if (byName.has(s.name)) problems.push(`step name ${s.name} is used twice; step names must be unique`);
    byName.set(s.name, s);
  }
  const target = (s: AutomationStep, field: string, name: unknown) => {
    if (typeof name !== 'string' || !byName.has(name)) {
      problems.push(
        `step ${s.name}: ${field} names ${JSON.stringify(name)}, which is not a step of the document`,
      );
    }
  };
  const params = content.parameters ?? {};
  for (const s of steps) {
    if (!ACTIONS.has(s.action)) {
      problems.push(
        `step ${s.name}: action ${s.action} is not supported by the test executor (supported: ${[...ACTIONS].join(', ')})`,
      );
    }
    if (s.timeoutSeconds !== undefined) {
      const t = Number(s.timeoutSeconds);
      if (!(t > 0))
        problems.push(`step ${s.name}: timeoutSeconds ${String(s.timeoutSeconds)} is not a positive number`);
      const max = MAX_TIMEOUT[s.action];
      if (max !== undefined && t > max) {
        problems.push(
          `step ${s.name}: timeoutSeconds ${t} exceeds the ${max} s maximum of ${s.action}; use ${max} or less, and split longer waits into a loop of shorter steps`,
        );
      }
    }
    if (s.maxAttempts !== undefined && !(Number.isInteger(s.maxAttempts) && s.maxAttempts >= 1)) {
      problems.push(`step ${s.name}: maxAttempts ${String(s.maxAttempts)} must be an integer of at least 1`);
    }
    for (const [field, value] of [
      ['onFailure', s.onFailure],
      ['onCancel', s.onCancel],
    ] as const) {
      if (value === undefined || value === 'Abort' || (field === 'onFailure' && value === 'Continue'))
        continue;
      if (typeof value === 'string' && value.startsWith('step:')) target(s, field, value.slice(5));
      else
        problems.push(
          `step ${s.name}: ${field} ${JSON.stringify(value)} must be Abort, Continue or step:<name>`,
        );
    }
    if (s.nextStep !== undefined) target(s, 'nextStep', s.nextStep);
    const inputs = s.inputs ?? {};
    if (s.action === 'aws:branch') {
      for (const c of (inputs.Choices as Record<string, unknown>[]) ?? [])
        target(s, 'Choices NextStep', c.NextStep);
      if (inputs.Default !== undefined) target(s, 'Default', inputs.Default);
      if (!Array.isArray(inputs.Choices) || inputs.Choices.length === 0)
        problems.push(`step ${s.name}: no Choices`);
    }
    if (s.action === 'aws:executeScript') {
      if (!/^python3\.\d+$/.test(String(inputs.Runtime))) {
        problems.push(
          `step ${s.name}: Runtime ${String(inputs.Runtime)} is not a python3.x runtime the executor runs`,
        );
      }
      const attachment = inputs.Attachment;
      if ((typeof inputs.Script === 'string') === (typeof attachment === 'string')) {
        problems.push(`step ${s.name}: give exactly one of Script and Attachment`);
      }
      if (typeof inputs.Handler !== 'string') problems.push(`step ${s.name}: Handler is missing`);
      if (typeof attachment === 'string') {
        // An attachment is named in the top-level `files` with its checksum (document schema 0.3).
        const files = (content.files ?? {}) as Record<string, { checksums?: { sha256?: string } }>;
        if (!files[attachment]?.checksums?.sha256) {
          problems.push(
            `step ${s.name}: Attachment ${attachment} is not in the document's files section (with checksums.sha256)`,
          );
        }
        if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(String(inputs.Handler))) {
          problems.push(
            `step ${s.name}: Handler ${String(inputs.Handler)} must be <file>.<function> for a script attachment`,
          );
        }
      }
    }
    if (s.action === 'aws:loop') {
      const max = inputs.MaxIterations === undefined ? MAX_LOOP : Number(inputs.MaxIterations);
      if (!(Number.isInteger(max) && max >= 1 && max <= MAX_LOOP)) {
        problems.push(
          `step ${s.name}: MaxIterations ${String(inputs.MaxIterations)} must be 1 to ${MAX_LOOP}`,
        );
      }
      if ((inputs.LoopCondition === undefined) === (inputs.Iterators === undefined)) {
        problems.push(`step ${s.name}: give exactly one of LoopCondition and Iterators`);
      }
    }
    for (const o of s.outputs ?? []) {
      if (!/^\$/.test(o.Selector ?? ''))
        problems.push(`step ${s.name}: output ${o.Name} Selector must start with $`);
      if (!['String', 'Integer', 'Boolean', 'StringList', 'StringMap', 'MapList'].includes(o.Type)) {
        problems.push(`step ${s.name}: output ${o.Name} has unknown Type ${o.Type}`);
      }
    }
    for (const ref of references({ ...s.inputs, Steps: undefined, Script: undefined })) {
      if (GLOBALS.has(ref) || ref in params) continue;
      const [stepName, output] = ref.split('.');
      const source = byName.get(stepName);
      const declared = source && [
        ...(source.outputs ?? []).map((o) => o.Name),
        ...(PREDEFINED[source.action] ?? []),
      ];
      if (!source || output === undefined || !declared?.includes(output)) {
        problems.push(
          `step ${s.name}: {{ ${ref} }} is neither a parameter, a global, nor an output of a step (declared outputs: ${
            source ? declared?.join(', ') || 'none' : `no step ${stepName}`
          })`,
        );
      }
    }
  }
  for (const [name, p] of Object.entries(params)) {
    if (!['String', 'StringList', 'Boolean', 'Integer', 'MapList', 'StringMap'].includes(p.type)) {
      problems.push(`parameter ${name}: unknown type ${p.type}`);
    }
  }
  if (problems.length > 0) {
    throw new AutomationDocumentError(`The document would be refused:\n- ${problems.join('\n- ')}`);
  }
}

function coerceParameter(name: string, type: string, value: unknown): unknown {
  const bad = () =>
    new AutomationDocumentError(`Parameter ${name}: ${JSON.stringify(value)} is not a valid ${type}`);
  switch (type) {
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad();
    case 'Integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw bad();
    case 'StringList':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
      if (typeof value === 'string') return [value];
      throw bad();
    case 'StringMap':
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
      throw bad();
    case 'MapList':
      if (Array.isArray(value)) return value;
      throw bad();
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw bad();
  }
}

function resolveParameters(content: AutomationContent, given: Record<string, unknown>, accountId: string) {
  const defs = content.parameters ?? {};
  const unknown = Object.keys(given).filter((k) => !(k in defs));
  if (unknown.length > 0) {
    throw new AutomationDocumentError(
      `Unknown parameter(s) ${unknown.join(', ')}; the document takes ${Object.keys(defs).join(', ') || 'none'}`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    let value = given[name] ?? def.default;
    // The console and CLI pass the role; tests need not (SSM would otherwise run as the caller).
    if (value === undefined && name === 'AutomationAssumeRole') {
      value = `arn:aws:iam::${accountId}:role/automation`;
    }
    if (value === undefined) {
      throw new AutomationDocumentError(`Parameter ${name} (${def.type}) is required: it has no default`);
    }
    const v = coerceParameter(name, def.type, value);
    const strings =
      typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    if (def.allowedPattern && !strings.every((s) => new RegExp(def.allowedPattern!).test(s))) {
      throw new AutomationDocumentError(
        `Parameter ${name}: ${JSON.stringify(v)} does not match allowedPattern ${def.allowedPattern}`,
      );
    }
    if (def.allowedValues && !strings.every((s) => def.allowedValues!.includes(s))) {
      throw new AutomationDocumentError(
        `Parameter ${name}: ${JSON.stringify(v)} is not one of ${def.allowedValues.join(', ')}`,
      );
    }
    values[name] = v;
  }
  return values;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
    readonly log?: string,
  ) {
    super(message);
  }
}

/** ISO 8601 durations as aws:sleep takes them: PT30S, PT5M, PT1H30M, P1D. */
export function durationSeconds(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) {
    throw new StepFailure(`Duration ${JSON.stringify(duration)} is not an ISO 8601 duration such as PT5M`);
  }
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

const pad = (n: number) => String(n).padStart(2, '0');

const toJson = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

function typed(step: string, name: string, type: string, value: unknown): unknown {
  const bad = () =>
    new StepFailure(
      `Step ${step}: output ${name} is declared ${type} but the selector found ${JSON.stringify(value)}`,
    );
  switch (type) {
    case 'String':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
    case 'Integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw bad();
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad();
    case 'StringList':
      if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      throw bad();
    case 'StringMap':
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
      throw bad();
    default:
      if (Array.isArray(value)) return value;
      throw bad();
  }
}

type Outcome = { next?: string; outputs: Record<string, unknown>; log?: string };

class Execution {
  readonly results: StepResult[] = [];
  readonly variables = new Map<string, unknown>();
  aborted?: 'Failed' | 'TimedOut';
  cancelled = false;
  tainted?: 'Failed' | 'TimedOut';
  failedStep?: string;

  constructor(
    readonly content: AutomationContent,
    readonly options: RunOptions,
    readonly executionId: string,
    parameters: Record<string, unknown>,
  ) {
    for (const [k, v] of Object.entries(parameters)) this.variables.set(k, v);
  }

  get world(): FakeWorld {
    return this.options.world;
  }

  private global(name: string): unknown {
    const now = this.world.now();
    const date = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`;
    switch (name) {
      case 'global:REGION':
        return this.options.region;
      case 'global:ACCOUNT_ID':
        return this.world.accountId;
      case 'global:DATE':
        return date;
      case 'global:DATE_TIME':
        return `${date}_${pad(now.getUTCHours())}.${pad(now.getUTCMinutes())}.${pad(now.getUTCSeconds())}`;
      case 'global:AWS_PARTITION':
        return 'aws';
      case 'global:AWS_URL_SUFFIX':
        return 'amazonaws.com';
      case 'automation:EXECUTION_ID':
        return this.executionId;
      default:
        return undefined;
    }
  }

  private lookup(name: string, step: string): unknown {
    const value = GLOBALS.has(name) ? this.global(name) : this.variables.get(name);
    if (value === undefined) {
      throw new StepFailure(
        `Step ${step}: {{ ${name} }} has no value (the step that sets it did not run or did not produce it)`,
      );
    }
    return value;
  }

  /** {{ X }} alone keeps X's type; inside a longer string it is written as text (JSON for lists and maps). */
  resolve(value: unknown, step: string): unknown {
    if (typeof value === 'string') {
      const whole = WHOLE.exec(value);
      if (whole) return this.lookup(whole[1], step);
      return value.replace(VARIABLE, (_m, name: string) => {
        const v = this.lookup(name, step);
        return typeof v === 'string' ? v : JSON.stringify(v);
      });
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, step));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, step)]));
    }
    return value;
  }

  private selectOutputs(step: AutomationStep, root: unknown, rawPayload?: string): Record<string, unknown> {
    const outputs: Record<string, unknown> = {};
    for (const o of step.outputs ?? []) {
      const value =
        rawPayload !== undefined && o.Selector.replace(/\s/g, '') === '$.Payload' && o.Type === 'String'
          ? rawPayload
          : jsonPath(root, o.Selector);
      if (value !== undefined) outputs[o.Name] = typed(step.name, o.Name, o.Type, value);
    }
    return outputs;
  }

  /** A call SSM makes itself (executeAwsApi, waits, Lambda): failures as SSM reports them. */
  private async ssmCall(service: string, api: string, params: Record<string, unknown>, deadline: number) {
    try {
      return await this.world.call(this.options.region, service, api, params);
    } catch (error) {
      if (error instanceof ConnectionFailure) {
        if (error.mode === 'hang') {
          const cost = this.options.hangSeconds ?? 300;
          if (this.world.clock + cost >= deadline) {
            this.world.advance(Math.max(0, deadline - this.world.clock));
            throw new StepFailure('Step timed out', true);
          }
          this.world.advance(cost);
        }
        throw new StepFailure(error.message);
      }
      if (error instanceof AwsError) {
        throw new StepFailure(
          `An error occurred (${error.code}) when calling the ${this.world.operationName(service, api)} operation: ${error.message}`,
        );
      }
      if (error instanceof UnknownOperation) throw new StepFailure(error.message);
      throw error;
    }
  }

  private async act(step: AutomationStep, deadline: number): Promise<Outcome> {
    // A script's own text is left alone: Python's f-strings use {{ }} for literal braces.
    const { Script, Attachment, ...rest } = step.inputs ?? {};
    const inputs: Record<string, unknown> = {
      ...(this.resolve(rest, step.name) as Record<string, unknown>),
      Script,
    };
    switch (step.action) {
      case 'aws:executeAwsApi': {
        const { Service, Api, ...params } = inputs;
        const response = toJson(await this.ssmCall(String(Service), String(Api), params, deadline));
        return { outputs: this.selectOutputs(step, response) };
      }
      case 'aws:invokeLambdaFunction': {
        const { FunctionName, Payload, InvocationType, Qualifier, LogType, ClientContext } = inputs;
        const params = Object.fromEntries(
          Object.entries({ FunctionName, Payload, InvocationType, Qualifier, LogType, ClientContext }).filter(
            ([, v]) => v !== undefined,
          ),
        );
        const response = (await this.ssmCall('lambda', 'Invoke', params, deadline)) as Record<
          string,
          unknown
        >;
        const raw = String(response.Payload ?? '');
        if (response.FunctionError) {
          throw new StepFailure(
            `Lambda function ${String(FunctionName)} failed (${String(response.FunctionError)}): ${raw}`,
          );
        }
        let parsed: unknown = raw;
        try {
          parsed = raw === '' ? '' : JSON.parse(raw);
        } catch {
          // not JSON: the Payload stays text
        }
        const root = { ...response, Payload: parsed };
        return {
          outputs: {
            Payload: raw,
            StatusCode: response.StatusCode,
            ...(response.FunctionError ? { FunctionError: response.FunctionError } : {}),
            ...this.selectOutputs(step, root, raw),
          },
        };
      }
      case 'aws:executeScript': {
        const attached = typeof Attachment === 'string' ? this.attachment(Attachment) : undefined;
        const outcome = await sharedPythonWorker().run(this.world, {
          name: step.name,
          script: attached ? attachmentLoader(attached, String(inputs.Handler)) : String(inputs.Script),
          handler: attached ? 'handler' : String(inputs.Handler),
          events: inputs.InputPayload ?? {},
          region: this.options.region,
          context: {
            'global:REGION': this.options.region,
            'global:ACCOUNT_ID': this.world.accountId,
            'automation:EXECUTION_ID': this.executionId,
          },
          deadline,
        });
        if (!outcome.ok) throw new StepFailure(outcome.error, outcome.timedOut, outcome.log);
        return {
          outputs: { Payload: outcome.result, ...this.selectOutputs(step, { Payload: outcome.result }) },
          log: outcome.log,
        };
      }
      case 'aws:waitForAwsResourceProperty': {
        const { Service, Api, PropertySelector, DesiredValues, ...params } = inputs;
        const desired = (DesiredValues as unknown[]).map(String);
        const poll = this.options.pollSeconds ?? 10;
        for (;;) {
          const response = toJson(await this.ssmCall(String(Service), String(Api), params, deadline));
          const value = jsonPath(response, String(PropertySelector));
          if (
            value !== undefined &&
            desired.includes(typeof value === 'string' ? value : JSON.stringify(value))
          ) {
            return { outputs: {} };
          }
          if (this.world.clock + poll > deadline) {
            this.world.advance(Math.max(0, deadline - this.world.clock));
            throw new StepFailure(
              `Step timed out: ${String(PropertySelector)} was ${JSON.stringify(value)}, waiting for ${desired.join(' or ')}`,
              true,
            );
          }
          this.world.advance(poll);
        }
      }
      case 'aws:sleep': {
        const seconds =
          inputs.Duration !== undefined
            ? durationSeconds(String(inputs.Duration))
            : Math.max(0, Date.parse(String(inputs.Timestamp)) / 1000 - this.world.clock);
        if (Number.isNaN(seconds))
          throw new StepFailure(`Step ${step.name}: Timestamp ${String(inputs.Timestamp)} is not a date`);
        if (this.world.clock + seconds > deadline) {
          this.world.advance(Math.max(0, deadline - this.world.clock));
          throw new StepFailure('Step timed out', true);
        }
        this.world.advance(seconds);
        return { outputs: {} };
      }
      case 'aws:approve': {
        if (inputs.Approvers === undefined) throw new StepFailure(`Step ${step.name}: Approvers is required`);
        const request: ApprovalRequest = {
          approvers: inputs.Approvers,
          message: inputs.Message as string | undefined,
          notificationArn: inputs.NotificationArn as string | undefined,
          minRequiredApprovals: Number(inputs.MinRequiredApprovals ?? 1),
        };
        if (request.notificationArn) {
          // SSM itself notifies the topic (automation-action-approve); recorded without failure injection.
          this.world.published.push({
            region: this.options.region,
            TopicArn: request.notificationArn,
            Subject: 'Automation approval requested',
            Message: request.message ?? `Approval requested for ${step.name} of ${this.executionId}`,
            at: this.world.clock,
          });
        }
        const answer = this.options.approve?.(step.name, request) ?? 'Approved';
        const { decision, afterSeconds = 0 } = typeof answer === 'string' ? { decision: answer } : answer;
        if (decision === 'TimedOut' || this.world.clock + afterSeconds > deadline) {
          this.world.advance(Math.max(0, deadline - this.world.clock));
          throw new StepFailure('Step timed out: no approval within timeoutSeconds', true);
        }
        this.world.advance(afterSeconds);
        if (decision === 'Rejected') throw new StepFailure(`Step ${step.name}: the approval was rejected`);
        return {
          outputs: {
            ApprovalStatus: 'Approved',
            ApproverDecisions: [{ Approver: 'test', Decision: 'Approve' }],
          },
        };
      }
      case 'aws:branch': {
        for (const choice of (step.inputs?.Choices as Record<string, unknown>[]) ?? []) {
          if (this.evaluate(choice, step.name)) return { next: String(choice.NextStep), outputs: {} };
        }
        if (inputs.Default !== undefined) return { next: String(inputs.Default), outputs: {} };
        throw new StepFailure(`Step ${step.name}: no choice matched and there is no Default`);
      }
      default:
        throw new StepFailure(`Action ${step.action} is not supported by the test executor`);
    }
  }

  /** The file holding a named attachment, after checking it against the document's checksum. */
  private attachment(name: string): string {
    const archive = stepsArchive();
    const bytes = this.options.attachments?.[name] ?? (name === archive.name ? archive.bytes : undefined);
    if (!bytes) {
      throw new AutomationDocumentError(
        `The document runs its scripts from the attachment ${name}; pass it in RunOptions.attachments (e.g. stepsArchive() of lib/runbooks/archive.ts).`,
      );
    }
    const files = (this.content.files ?? {}) as Record<string, { checksums?: { sha256?: string } }>;
    const expected = files[name]?.checksums?.sha256;
    if (expected !== sha256(bytes)) {
      throw new AutomationDocumentError(
        `The attachment ${name} given has SHA-256 ${sha256(bytes)}, but the document's files section says ${expected}: SSM would refuse it.`,
      );
    }
    return attachmentFile(bytes);
  }

  /** One aws:branch choice (or a LoopCondition): Variable with an operator, or And/Or/Not. */
  evaluate(choice: Record<string, unknown>, step: string): boolean {
    if (Array.isArray(choice.And)) return choice.And.every((c) => this.evaluate(c, step));
    if (Array.isArray(choice.Or)) return choice.Or.some((c) => this.evaluate(c, step));
    if (choice.Not) return !this.evaluate(choice.Not as Record<string, unknown>, step);
    const variable = this.resolve(choice.Variable, step);
    const num = (v: unknown) => {
      const n = typeof v === 'number' ? v : Number(v);
      if (Number.isNaN(n)) throw new StepFailure(`Step ${step}: ${JSON.stringify(v)} is not a number`);
      return n;
    };
    const ops: Record<string, (expected: unknown) => boolean> = {
      StringEquals: (e) => String(variable) === String(e),
      EqualsIgnoreCase: (e) => String(variable).toLowerCase() === String(e).toLowerCase(),
      StartsWith: (e) => String(variable).startsWith(String(e)),
      EndsWith: (e) => String(variable).endsWith(String(e)),
      Contains: (e) =>
        Array.isArray(variable)
          ? variable.map(String).includes(String(e))
          : String(variable).includes(String(e)),
      BooleanEquals: (e) => {
        const v = variable === 'true' ? true : variable === 'false' ? false : variable;
        if (typeof v !== 'boolean')
          throw new StepFailure(`Step ${step}: ${JSON.stringify(variable)} is not a Boolean`);
        return v === e;
      },
      NumericEquals: (e) => num(variable) === num(e),
      NumericGreater: (e) => num(variable) > num(e),
      NumericGreaterOrEquals: (e) => num(variable) >= num(e),
      NumericLesser: (e) => num(variable) < num(e),
      NumericLesserOrEquals: (e) => num(variable) <= num(e),
    };
    const op = Object.keys(choice).find((k) => k in ops);
    if (!op)
      throw new StepFailure(
        `Step ${step}: choice ${JSON.stringify(choice)} has no operator the executor knows`,
      );
    return ops[op](this.resolve(choice[op], step));
  }

  /** The execution as GetAutomationExecution answers while it runs: the steps so far, outputs as lists of strings. */
  describe(): AutomationExecution {
    const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    return {
      AutomationExecutionId: this.executionId,
      AutomationExecutionStatus: 'InProgress',
      StepExecutions: this.results.map((r) => ({
        StepName: r.name,
        Action: r.action,
        StepStatus: r.status === 'Skipped' ? 'Pending' : r.status,
        Outputs: Object.fromEntries(
          Object.entries(r.outputs).map(([k, v]) => [k, Array.isArray(v) ? v.map(text) : [text(v)]]),
        ),
        ...(r.error ? { FailureMessage: r.error } : {}),
      })),
    };
  }

  private record(result: StepResult): void {
    this.results.push(result);
    for (const [k, v] of Object.entries(result.outputs)) this.variables.set(`${result.name}.${k}`, v);
  }

  /** Runs one step with its retries; returns the step to go to, or 'end'. */
  private async runStep(step: AutomationStep, fallthrough: string | undefined): Promise<string | 'end'> {
    if (!this.cancelled && this.options.cancelAtStep === step.name) {
      this.cancelled = true;
      this.record({
        name: step.name,
        action: step.action,
        status: 'Cancelled',
        attempts: 0,
        outputs: {},
        seconds: 0,
      });
      // onCancel: the step to run on cancellation, or Abort (automation-actions, shared properties).
      return step.onCancel?.startsWith('step:') ? step.onCancel.slice(5) : 'end';
    }
    if (step.action === 'aws:loop') return this.runLoop(step, fallthrough);
    const started = this.world.clock;
    const maxAttempts = step.maxAttempts ?? 1;
    const timeout = Number(step.timeoutSeconds ?? DEFAULT_TIMEOUT[step.action] ?? Number.POSITIVE_INFINITY);
    let failure: StepFailure | undefined;
    let attempts = 0;
    for (attempts = 1; attempts <= maxAttempts; attempts++) {
      try {
        const outcome = await this.act(step, this.world.clock + timeout);
        this.record({
          name: step.name,
          action: step.action,
          status: 'Success',
          attempts,
          outputs: outcome.outputs,
          log: outcome.log,
          seconds: this.world.clock - started,
        });
        if (step.isEnd) return 'end';
        return outcome.next ?? step.nextStep ?? fallthrough ?? 'end';
      } catch (error) {
        if (!(error instanceof StepFailure)) throw error;
        failure = error;
      }
    }
    attempts = maxAttempts;
    const status = failure!.timedOut ? 'TimedOut' : 'Failed';
    this.record({
      name: step.name,
      action: step.action,
      status,
      attempts,
      outputs: {},
      error: failure!.message,
      log: failure!.log,
      seconds: this.world.clock - started,
    });
    const onFailure = step.onFailure ?? 'Abort';
    // isCritical defaults to false with onFailure Continue, true otherwise
    // (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html, shared properties).
    const critical = step.isCritical ?? onFailure !== 'Continue';
    if (critical && !this.tainted) {
      this.tainted = status;
      this.failedStep = step.name;
    }
    if (onFailure === 'Abort') {
      this.aborted = status;
      this.failedStep = step.name;
      return 'end';
    }
    if (onFailure.startsWith('step:')) return onFailure.slice(5);
    if (step.isEnd) return 'end';
    return fallthrough ?? 'end';
  }

  private async runLoop(step: AutomationStep, fallthrough: string | undefined): Promise<string | 'end'> {
    const started = this.world.clock;
    const inputs = step.inputs ?? {};
    const inner = (inputs.Steps as AutomationStep[]) ?? [];
    const max = Number(inputs.MaxIterations ?? MAX_LOOP);
    const items =
      inputs.Iterators !== undefined ? (this.resolve(inputs.Iterators, step.name) as unknown[]) : undefined;
    const record = (status: StepStatus, iteration: number, error?: string) =>
      this.record({
        name: step.name,
        action: step.action,
        status,
        attempts: 1,
        outputs: { CurrentIteration: iteration },
        error,
        seconds: this.world.clock - started,
      });
    let iteration = 0;
    for (;;) {
      if (items && iteration >= Math.min(items.length, max)) break;
      iteration += 1;
      this.variables.set(`${step.name}.CurrentIteration`, iteration);
      if (items) this.variables.set(`${step.name}.CurrentIteratorValue`, items[iteration - 1]);
      const end = await this.runSequence(inner, inner[0]?.name, true);
      if (end === 'end') {
        record(
          this.aborted ? 'Failed' : 'Success',
          iteration,
          this.aborted ? 'a step in the loop failed' : undefined,
        );
        return 'end';
      }
      if (items) continue;
      let again: boolean;
      try {
        again = this.evaluate(inputs.LoopCondition as Record<string, unknown>, step.name);
      } catch (error) {
        if (!(error instanceof StepFailure)) throw error;
        record('Failed', iteration, error.message);
        this.aborted = 'Failed';
        this.failedStep = step.name;
        return 'end';
      }
      if (!again || iteration >= max) break;
    }
    record('Success', iteration);
    if (step.isEnd) return 'end';
    return step.nextStep ?? fallthrough ?? 'end';
  }

  /** Runs steps from `first`; in a loop, running past the last step returns 'done' (the iteration ended). */
  async runSequence(
    steps: readonly AutomationStep[],
    first: string | undefined,
    inLoop = false,
  ): Promise<'end' | 'done'> {
    const index = new Map(steps.map((s, i) => [s.name, i]));
    let current = first;
    let guard = 0;
    while (current !== undefined) {
      if (++guard > 10000) throw new Error('More than 10000 steps ran: the document loops without end');
      const i = index.get(current);
      if (i === undefined) {
        throw new Error(
          `Step ${current} is not in this ${inLoop ? 'loop' : 'document'}; jumps across a loop are not supported`,
        );
      }
      const fall = steps[i + 1]?.name;
      const next = await this.runStep(steps[i], fall ?? (inLoop ? '__done__' : undefined));
      if (next === 'end') return 'end';
      if (next === '__done__') return 'done';
      current = next;
    }
    return 'done';
  }
}

let executions = 0;

/** Runs the document to its end against the world; see the module comment. */
export async function runAutomation(
  content: AutomationContent,
  options: RunOptions,
): Promise<ExecutionResult> {
  validateDocument(content);
  const world = options.world;
  const parameters = resolveParameters(content, options.parameters ?? {}, world.accountId);
  executions += 1;
  const executionId =
    options.executionId ??
    `${String(executions).padStart(8, '0')}-0000-4000-8000-${String(Date.now()).slice(-12)}`;
  const firstCall = world.log.length;
  const firstViolation = world.violations.length;
  const started = world.clock;
  const execution = new Execution(content, options, executionId, parameters);
  world.automationExecutions.set(executionId, {
    region: options.region,
    describe: () => execution.describe(),
  });
  await execution.runSequence(content.mainSteps, content.mainSteps[0]?.name);
  // A call or an answer outside the AWS model fails the test, even where a step caught the error.
  const violations = world.violations.slice(firstViolation);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} AWS call(s) or answer(s) during this execution did not follow the AWS model:\n\n${violations.map((v) => v.message).join('\n\n')}`,
    );
  }
  const ran = new Set(execution.results.map((r) => r.name));
  const skipped: StepResult[] = allSteps(content.mainSteps)
    .filter((s) => !ran.has(s.name))
    .map((s) => ({
      name: s.name,
      action: s.action,
      status: 'Skipped',
      attempts: 0,
      outputs: {},
      seconds: 0,
    }));
  const outputs: Record<string, unknown> = {};
  for (const ref of content.outputs ?? []) {
    const value = execution.variables.get(ref);
    if (value !== undefined) outputs[ref] = value;
  }
  return {
    status: execution.cancelled ? 'Cancelled' : (execution.aborted ?? execution.tainted ?? 'Success'),
    executionId,
    steps: [...execution.results, ...skipped],
    failedStep: execution.failedStep,
    calls: world
      .callsSince(firstCall)
      .map(({ region, service, operation, params }) => ({ region, service, operation, params })),
    elapsedSeconds: world.clock - started,
    outputs,
  };
}
