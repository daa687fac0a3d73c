import { PlatformError } from '../shared/errors';
import { stepsArchive } from './archive';

export { STEPS_DIR } from './archive';

/**
 * One IAM statement a step needs. Plain data (no CDK types), so documents can be
 * built and rendered without an app; the runbook construct turns the union of
 * its steps' statements into the role's policy.
 */
export interface StepPermission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, string | string[]>>;
  /** Why a wildcard resource is needed; becomes the cdk-nag acknowledgement (required for `*` in a resource). */
  readonly why?: string;
}

/**
 * Where a step sits on the runbook's timeline, for the timing table:
 * `prepare` before the approval, `approval` the wait for a person,
 * `critical` until the new writer takes writes and streaming resumed,
 * `after` the slow work that follows the switch (its failure notifies and does not undo it).
 */
export type StepPhase = 'prepare' | 'approval' | 'critical' | 'after';

/** Output of a step: `$.Payload.<name>` of a script, or any selector. */
export interface StepOutput {
  readonly Name: string;
  readonly Selector: string;
  readonly Type: 'String' | 'Integer' | 'Boolean' | 'StringList' | 'StringMap' | 'MapList';
}

/** An SSM Automation step with what a person needs to run and check it, and what it needs to run. */
export interface RunbookStep {
  readonly name: string;
  readonly action:
    | 'aws:executeScript'
    | 'aws:invokeLambdaFunction'
    | 'aws:executeAwsApi'
    | 'aws:approve'
    | 'aws:branch';
  /** What the step does. */
  readonly description: string;
  /** How a person checks that it worked. */
  readonly verify: string;
  readonly phase: StepPhase;
  /** Typical duration in minutes, for the timing table and the expected time to writes resumed. */
  readonly expectedMinutes: number;
  /** Where the expected duration comes from: an AWS page, or "estimate" and why. */
  readonly durationSource?: string;
  /** Whether the step changes anything (the failure-and-re-run scenarios inject a failure at each). */
  readonly mutating?: boolean;
  readonly inputs: Record<string, unknown>;
  readonly outputs?: readonly StepOutput[];
  readonly maxAttempts: number;
  /** `Abort`, `Continue` or `step:<name>`. */
  readonly onFailure: string;
  readonly timeoutSeconds?: number;
  readonly isEnd?: boolean;
  readonly nextStep?: string;
  readonly isCritical?: boolean;
  readonly permissions: readonly StepPermission[];
  /** aws:executeScript only: the file under lib/runbooks/steps/ whose function the step runs. */
  readonly scriptFile?: string;
}

/** aws:executeScript runs for at most 600 seconds (automation-action-executeScript). */
export const EXECUTE_SCRIPT_MAX_SECONDS = 600;

export interface ScriptStepProps
  extends Omit<
    RunbookStep,
    'action' | 'inputs' | 'outputs' | 'maxAttempts' | 'onFailure' | 'timeoutSeconds'
  > {
  /** File under lib/runbooks/steps/. */
  readonly file: string;
  /** Python function called with the inputs; default `handler`. */
  readonly handler?: string;
  readonly input: Record<string, unknown>;
  /** Names and types of the values the handler returns. */
  readonly returns?: readonly (readonly [string, StepOutput['Type']])[];
  readonly maxAttempts?: number;
  readonly onFailure?: string;
  readonly timeoutSeconds?: number;
}

/** An aws:executeScript step whose Python lives in lib/runbooks/steps/. */
export function scriptStep(props: ScriptStepProps): RunbookStep {
  const { file, handler, input, returns, maxAttempts, onFailure, timeoutSeconds, ...rest } = props;
  const timeout = timeoutSeconds ?? 120;
  if (timeout > EXECUTE_SCRIPT_MAX_SECONDS) {
    throw new PlatformError(
      `Step ${props.name}: timeoutSeconds ${timeout} exceeds the ${EXECUTE_SCRIPT_MAX_SECONDS} s maximum of aws:executeScript; loop with maxAttempts instead.`,
    );
  }
  return {
    ...rest,
    action: 'aws:executeScript',
    maxAttempts: maxAttempts ?? 2,
    onFailure: onFailure ?? 'Abort',
    timeoutSeconds: timeout,
    scriptFile: file,
    // The script is a file of the document's one attachment (a zip of lib/runbooks/steps/, see
    // archive.ts), not inline: inline scripts of every step made the documents exceed SSM's
    // 64 KB content limit (CreateDocument), and the user guide documents `Attachment` for JSON
    // runbooks ("JSON runbooks must provide script content using the Attachment input
    // parameter", automation-action-executeScript). Handler is `<file>.<function>` for an attachment.
    inputs: {
      Runtime: 'python3.11',
      Handler: `${file.replace(/\.py$/, '')}.${handler ?? 'handler'}`,
      Attachment: stepsArchive().name,
      InputPayload: input,
    },
    outputs: (returns ?? []).map(([Name, Type]) => ({ Name, Selector: `$.Payload.${Name}`, Type })),
  };
}

/** An SSM Automation document (the `Content` CloudFormation receives) plus the steps it came from. */
export interface AutomationDocument {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Record<
    string,
    { type: string; description: string; default?: unknown; allowedPattern?: string }
  >;
  readonly mainSteps: readonly RunbookStep[];
}

/**
 * The document as SSM takes it: the docs-only and IAM fields removed, the verify text
 * in the description, and the `files` section naming the attachment with its SHA-256
 * (schema 0.3 "files": the script files attached to the document and their checksums).
 */
export function deployableContent(doc: AutomationDocument): Record<string, unknown> {
  const attached = doc.mainSteps.some((s) => s.scriptFile !== undefined);
  const archive = stepsArchive();
  return {
    ...doc,
    mainSteps: doc.mainSteps.map(
      ({
        expectedMinutes: _m,
        durationSource: _d,
        phase: _p,
        mutating: _u,
        permissions: _perm,
        scriptFile: _f,
        verify,
        description,
        ...step
      }) => ({ ...step, description: `${description} Verify: ${verify}` }),
    ),
    ...(attached ? { files: { [archive.name]: { checksums: { sha256: archive.sha256 } } } } : {}),
  };
}

/** The union of the steps' statements, as the runbook role gets them. */
export function documentPermissions(doc: AutomationDocument): StepPermission[] {
  const seen = new Set<string>();
  const out: StepPermission[] = [];
  for (const step of doc.mainSteps) {
    for (const p of step.permissions) {
      const key = JSON.stringify([p.actions, p.resources, p.conditions]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

/** Minutes until writes resumed (the critical path, the approval excluded) and until the runbook ends. */
export function timing(doc: AutomationDocument): {
  prepare: number;
  critical: number;
  after: number;
  writesResumed: number;
  total: number;
} {
  const sum = (phase: StepPhase) =>
    doc.mainSteps.filter((s) => s.phase === phase).reduce((t, s) => t + s.expectedMinutes, 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  const prepare = round(sum('prepare'));
  const critical = round(sum('critical'));
  const after = round(sum('after'));
  return {
    prepare,
    critical,
    after,
    writesResumed: round(prepare + critical),
    total: round(prepare + critical + after),
  };
}
