import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stepsArchive } from '../../lib/runbooks/archive';
import type { AutomationDocument, RunbookStep } from '../../lib/runbooks/step';
import { attachmentFile, attachmentLoader } from './automation/attachments';

/** The aws:executeScript steps of a document, as [name, step] rows for it.each. */
export function scriptSteps(
  document: AutomationDocument,
  keep: (step: RunbookStep) => boolean = () => true,
): (readonly [string, RunbookStep])[] {
  return document.mainSteps
    .filter((s) => s.action === 'aws:executeScript' && keep(s))
    .map((s) => [s.name, s] as const);
}

/** The step's Python as one file: its inline Script, or a loader of its function from the steps archive. */
function scriptFile(step: RunbookStep): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-')), 'step.py');
  const inputs = step.inputs as { Script?: string; Handler: string; Attachment?: string };
  fs.writeFileSync(
    file,
    inputs.Attachment
      ? attachmentLoader(attachmentFile(stepsArchive().bytes), inputs.Handler)
      : inputs.Script!,
  );
  return file;
}

/** The function a step's script calls: the part of Handler after the file name for an attachment. */
function handlerName(step: RunbookStep): string {
  const inputs = step.inputs as { Handler: string; Attachment?: string };
  return inputs.Attachment ? 'handler' : inputs.Handler;
}

/** Throws (with Python's message) unless the step's script compiles. */
export function compilesAsPython(step: RunbookStep): void {
  execFileSync('python3', [
    '-c',
    'import py_compile,sys; py_compile.compile(sys.argv[1], doraise=True)',
    scriptFile(step),
  ]);
}

export interface ScriptRun {
  readonly ok: boolean;
  readonly result?: Record<string, unknown>;
  readonly error?: string;
  /** What a stand-in boto3 on the PYTHONPATH recorded (its module-level `calls`), if there is one. */
  readonly calls?: string[];
}

const HARNESS = [
  'import importlib.util, json, sys',
  'spec = importlib.util.spec_from_file_location("step", sys.argv[1])',
  'mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)',
  'try:',
  '    out = {"ok": True, "result": getattr(mod, sys.argv[2])(json.loads(sys.argv[3]), None)}',
  'except Exception as e:',
  '    out = {"ok": False, "error": str(e)}',
  'boto3 = sys.modules.get("boto3")',
  'if boto3 is not None and hasattr(boto3, "calls"):',
  '    out["calls"] = boto3.calls',
  'print(json.dumps(out))',
].join('\n');

/**
 * Runs the step's script the way SSM does: its handler is called with the
 * events; returns the result or the error it raised. `pythonPath` puts
 * stand-in modules (e.g. boto3) first; `env` reaches them as os.environ.
 */
export function runStepScript(
  step: RunbookStep,
  events: unknown,
  options: { pythonPath?: string; env?: Record<string, string> } = {},
): ScriptRun {
  const handler = handlerName(step);
  const out = execFileSync('python3', ['-c', HARNESS, scriptFile(step), handler, JSON.stringify(events)], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ...options.env,
      ...(options.pythonPath ? { PYTHONPATH: options.pythonPath } : {}),
    },
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as ScriptRun;
}

/**
 * Throws (with Python's message) unless every step's script compiles, in one python3
 * process: inline scripts, and every module of the steps archive they are attached from.
 */
export function allCompileAsPython(steps: readonly RunbookStep[]): void {
  const inline = steps.flatMap((s) => {
    const script = (s.inputs as { Script?: string }).Script;
    return script === undefined ? [] : [script];
  });
  const files = [...new Set(inline)].map((script) =>
    scriptFile({ inputs: { Script: script, Handler: 'handler' } } as unknown as RunbookStep),
  );
  const zips = steps.some((s) => (s.inputs as { Attachment?: string }).Attachment)
    ? [attachmentFile(stepsArchive().bytes)]
    : [];
  execFileSync('python3', [
    '-c',
    [
      'import py_compile, sys, zipfile',
      'for f in sys.argv[1:]:',
      '    if f.endswith(".zip"):',
      '        with zipfile.ZipFile(f) as z:',
      '            for n in z.namelist():',
      '                compile(z.read(n).decode(), n, "exec")',
      '    else:',
      '        py_compile.compile(f, doraise=True)',
    ].join('\n'),
    ...files,
    ...zips,
  ]);
}

const STUB_BOTO = (() => {
  let dir: string | undefined;
  return () => {
    if (dir) return dir;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stub-boto-'));
    for (const pkg of ['boto3', 'botocore']) fs.mkdirSync(path.join(dir, pkg));
    fs.writeFileSync(
      path.join(dir, 'boto3', '__init__.py'),
      'def client(*a, **k):\n    raise RuntimeError("this step must not call AWS")\n',
    );
    fs.writeFileSync(path.join(dir, 'botocore', '__init__.py'), '');
    fs.writeFileSync(
      path.join(dir, 'botocore', 'config.py'),
      'class Config:\n    def __init__(self, **k):\n        pass\n',
    );
    fs.writeFileSync(
      path.join(dir, 'botocore', 'exceptions.py'),
      [
        'class ClientError(Exception):',
        '    pass',
        'class BotoCoreError(Exception):',
        '    pass',
        'class EndpointConnectionError(BotoCoreError):',
        '    pass',
        'class ConnectTimeoutError(BotoCoreError):',
        '    pass',
        'class ReadTimeoutError(BotoCoreError):',
        '    pass',
        '',
      ].join('\n'),
    );
    return dir;
  };
})();

/**
 * Runs a step's handler on several events in one python3 process, with a stub
 * boto3 that refuses every AWS call (for steps that must decide from their inputs alone).
 */
export function runPureStepCases(step: RunbookStep, cases: readonly unknown[]): ScriptRun[] {
  const handler = handlerName(step);
  const program = [
    'import importlib.util, json, sys',
    'spec = importlib.util.spec_from_file_location("step", sys.argv[1])',
    'mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)',
    'out = []',
    'for events in json.loads(sys.argv[3]):',
    '    try:',
    '        out.append({"ok": True, "result": getattr(mod, sys.argv[2])(events, None)})',
    '    except Exception as e:',
    '        out.append({"ok": False, "error": str(e)})',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync('python3', ['-c', program, scriptFile(step), handler, JSON.stringify(cases)], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: STUB_BOTO() },
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as ScriptRun[];
}
