import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ModelViolation } from '../aws-model';
import { ConnectionFailure, type FakeWorld } from './world';

/**
 * A python3 process that runs aws:executeScript steps (python/harness.py).
 * Node answers the script's boto3 calls from the fake world over a pipe: the
 * script's requests arrive on fd 3, answers go to its stdin. One process is
 * shared by every execution of a test file (starting python3 costs 30 ms on
 * an idle machine, a second on a loaded one; a step then costs about 10 ms),
 * one step at a time; it does not keep Node alive when idle.
 */

const HARNESS = path.join(__dirname, 'python', 'harness.py');

export interface ScriptStepRun {
  readonly name: string;
  readonly script: string;
  readonly handler: string;
  readonly events: unknown;
  readonly region: string;
  readonly context: Record<string, unknown>;
  /** Simulated time (seconds since the epoch) after which the step has timed out. */
  readonly deadline: number;
}

export type ScriptOutcome =
  | { readonly ok: true; readonly result: unknown; readonly log: string }
  | { readonly ok: false; readonly error: string; readonly log: string; readonly timedOut: boolean };

interface Message {
  t: string;
  [key: string]: unknown;
}

/** Dates travel as {"__dt__": iso} so boto3's datetime fields stay datetimes in Python. */
const encode = (value: unknown): string =>
  JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    // Not instanceof: structuredClone may hand back Dates of another realm under jest.
    return Object.prototype.toString.call(raw) === '[object Date]'
      ? { __dt__: (raw as Date).toISOString() }
      : v;
  });
const decode = (line: string): Message =>
  JSON.parse(line, (_key, v) =>
    v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof v.__dt__ === 'string'
      ? new Date(v.__dt__)
      : v,
  );

export class PythonWorker {
  private child?: ChildProcess;
  private lines?: AsyncIterator<string>;
  private stderr = '';
  private world!: FakeWorld;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** Real seconds a single step may run before it is killed (a script looping without calls or sleeps). */
    private readonly wallSeconds = 20,
  ) {}

  /** Keeps Node's event loop alive only while a step runs. */
  private hold(active: boolean): void {
    const child = this.child;
    if (!child) return;
    const handles = [child, child.stdin, child.stderr, child.stdio[3]] as unknown as (
      | { ref?: () => void; unref?: () => void }
      | undefined
    )[];
    for (const h of handles) {
      if (active) h?.ref?.();
      else h?.unref?.();
    }
  }

  private async start(): Promise<void> {
    const child = spawn('python3', ['-S', '-u', HARNESS], {
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC', PYTHONDONTWRITEBYTECODE: '1' },
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child = child;
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const channel = child.stdio[3] as NodeJS.ReadableStream;
    this.lines = readline.createInterface({ input: channel })[Symbol.asyncIterator]();
    const ready = await this.next();
    if (ready.t !== 'ready') throw new Error(`python harness did not start: ${JSON.stringify(ready)}`);
  }

  private async next(): Promise<Message> {
    const { value, done } = await this.lines!.next();
    if (done) {
      throw new Error(
        `The python3 step runner exited (${this.child?.exitCode ?? this.child?.signalCode}). stderr: ${this.stderr || '(empty)'}`,
      );
    }
    return decode(value);
  }

  private send(message: Record<string, unknown>): void {
    this.child!.stdin!.write(`${encode({ ...message, now: this.world.clock })}\n`);
  }

  /** Runs one step against the world, after any step already queued. */
  run(world: FakeWorld, step: ScriptStepRun): Promise<ScriptOutcome> {
    const turn = this.queue.then(() => this.runNow(world, step));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runNow(world: FakeWorld, step: ScriptStepRun): Promise<ScriptOutcome> {
    this.world = world;
    if (!this.child) await this.start();
    this.hold(true);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), this.wallSeconds * 1000);
    try {
      this.send({
        t: 'run',
        name: step.name,
        script: step.script,
        handler: step.handler,
        events: step.events,
        region: step.region,
        context: step.context,
      });
      let timedOut = false;
      const timeOut = () => {
        timedOut = true;
        this.world.advance(Math.max(0, step.deadline - this.world.clock));
        this.send({ t: 'abort', reason: 'timeout' });
      };
      for (;;) {
        let message: Message;
        try {
          message = await this.next();
        } catch (error) {
          this.child?.kill('SIGKILL');
          this.child = undefined;
          return {
            ok: false,
            timedOut: false,
            log: '',
            error: `The step's script ran for more than ${this.wallSeconds} s of real time (a loop without calls or sleeps?) or python3 died: ${(error as Error).message}`,
          };
        }
        if (message.t === 'done') {
          const log = String(message.log ?? '');
          if (message.ok) return { ok: true, result: message.result, log };
          if (message.aborted !== undefined || timedOut) {
            return { ok: false, timedOut: true, log, error: 'Step timed out' };
          }
          return { ok: false, timedOut: false, log, error: String(message.error) };
        }
        if (message.t === 'sleep') {
          const wake = this.world.clock + Number(message.seconds);
          if (wake > step.deadline) timeOut();
          else {
            this.world.advance(Number(message.seconds));
            this.send({ t: 'reply' });
          }
          continue;
        }
        if (message.t === 'call') {
          const { reply, seconds } = await this.answer(message);
          if (this.world.clock + seconds > step.deadline) timeOut();
          else {
            this.world.advance(seconds);
            this.send(reply);
          }
          continue;
        }
        throw new Error(`Unexpected message from the python harness: ${JSON.stringify(message)}`);
      }
    } finally {
      clearTimeout(timer);
      this.hold(false);
    }
  }

  /** The answer to a boto3 call, and the simulated seconds it took. */
  private async answer(message: Message): Promise<{ reply: Record<string, unknown>; seconds: number }> {
    const region = String(message.region ?? '');
    const service = String(message.service);
    const operation = String(message.operation);
    const name = this.world.operationName(service, operation);
    try {
      if (!region) {
        throw new Error(`boto3.client('${service}') has no region: pass region_name or run in a region`);
      }
      const value = await this.world.call(
        region,
        service,
        operation,
        (message.params ?? {}) as Record<string, unknown>,
      );
      return { reply: { t: 'reply', ok: true, value }, seconds: 0 };
    } catch (error) {
      if (error instanceof ModelViolation) {
        // Not an AWS error a step could handle: boto3 raises ParamValidationError for a request
        // outside the model; an answer outside it is the fake's defect (the test fails on it anyway).
        return {
          reply: {
            t: 'reply',
            ok: false,
            error: { kind: 'model', direction: error.direction, message: error.message },
          },
          seconds: 0,
        };
      }
      if (error instanceof ConnectionFailure) {
        if (error.mode === 'hang') {
          // Each attempt waits for its connect timeout (botocore Config connect_timeout, default 60 s).
          return {
            reply: { t: 'reply', ok: false, error: { kind: 'connect-timeout', endpoint: error.endpoint } },
            seconds: Number(message.connectTimeout ?? 60) * Number(message.attempts ?? 1),
          };
        }
        return {
          reply: { t: 'reply', ok: false, error: { kind: 'connect', endpoint: error.endpoint } },
          seconds: 0,
        };
      }
      const e = error as { code?: string; message?: string; status?: number };
      if (e.code) {
        return {
          reply: {
            t: 'reply',
            ok: false,
            error: { kind: 'client', code: e.code, message: e.message, status: e.status, operation: name },
          },
          seconds: 0,
        };
      }
      // A gap in the fake (UnknownOperation) or a bug: surface it as an error the step cannot mistake for AWS's.
      return {
        reply: {
          t: 'reply',
          ok: false,
          error: {
            kind: 'client',
            code: 'FakeWorldError',
            message: (error as Error).message,
            operation: name,
          },
        },
        seconds: 0,
      };
    }
  }

  close(): void {
    if (this.child) {
      this.child.stdin?.end();
      this.child.kill();
      this.child = undefined;
    }
  }
}

let shared: PythonWorker | undefined;

/** The python3 process shared by the executions of this test file. */
export function sharedPythonWorker(): PythonWorker {
  shared ??= new PythonWorker();
  return shared;
}
