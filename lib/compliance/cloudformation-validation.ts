import * as path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import {
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';

/**
 * How long a synth waits for the validator's answer. Far above what it takes (seconds: one engine
 * start, then every template), only so a worker that died without answering cannot hang a synth.
 */
const ANSWER_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The worker: aws-cdk-lib's own CloudFormationValidatePlugin, so the rules, the exclusions and the
 * report are CDK's. It starts the validator's engine as soon as it is loaded (a WebAssembly engine
 * loading every resource schema: the largest single cost of a synth) and then answers validate
 * requests. The engine is started for every resource type, so CDK's plugin keeps it whatever the
 * templates hold: its rule set is then every built-in rule, a superset of what CDK would pick for
 * the templates (rules for resource types a template lacks find nothing in it). initializeEngine is
 * aws-cdk-lib's and not public: without it the plugin starts its engine itself, later, as CDK does.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { port, signal, cdkLib } = workerData;
let plugin;
let failure;
try {
  plugin = new (require(cdkLib).CloudFormationValidatePlugin)();
  if (typeof plugin.initializeEngine === 'function') plugin.initializeEngine({ has: () => true });
} catch (error) {
  failure = error;
}
port.on('message', (context) => {
  let answer;
  try {
    if (failure) throw failure;
    answer = { report: plugin.validate(context), version: plugin.version, ruleIds: plugin.ruleIds };
  } catch (error) {
    answer = { error: String((error && error.message) || error) };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

interface Answer {
  readonly report?: PolicyValidationPluginReport;
  readonly version?: string;
  readonly ruleIds?: string[];
  readonly error?: string;
}

/**
 * CloudFormation's built-in template validation, the one CDK runs on every synth (with
 * `@aws-cdk/core:validateAgainstDefaultRules`, its errors fail the synth), with the validator started
 * on a worker thread when this plugin is created: created before the app is built, the engine's
 * start overlaps building and bundling instead of following them. Register it on the App (CDK then
 * runs it in place of its default plugin: it is a CloudFormationValidatePlugin, with the same name,
 * so CDK treats its findings exactly as the default's) only where CDK's built-in validation would
 * run: this plugin always runs once registered.
 */
export class ConcurrentCloudFormationValidation extends CloudFormationValidatePlugin {
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private answered?: Answer;

  constructor() {
    super();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const worker = new Worker(WORKER, {
      eval: true,
      // No TypeScript loader (tsx) in the worker: it runs plain JavaScript.
      execArgv: [],
      workerData: {
        port: port2,
        signal: this.signal,
        cdkLib: path.dirname(require.resolve('aws-cdk-lib/package.json')),
      },
      transferList: [port2],
    });
    // The worker never keeps the app's process alive; it is stopped with it.
    worker.unref();
    port1.unref();
  }

  public override get version(): string | undefined {
    return this.answered?.version;
  }

  public override get ruleIds(): string[] | undefined {
    return this.answered?.ruleIds;
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    Atomics.store(this.signal, 0, 0);
    // appConstruct stays here: CDK's plugin reads only the templates, and a construct tree cannot cross threads.
    const { templatePaths, stackTemplates, accountId, region } = context;
    this.port.postMessage({ templatePaths, stackTemplates, accountId, region });
    if (Atomics.wait(this.signal, 0, 0, ANSWER_TIMEOUT_MS) === 'timed-out') {
      throw new Error(
        `CloudFormation validation did not answer within ${ANSWER_TIMEOUT_MS / 60000} minutes: its worker thread has stopped. Run the synth again; if it recurs, report it with this output.`,
      );
    }
    const answer = receiveMessageOnPort(this.port)?.message as Answer | undefined;
    if (!answer?.report) throw new Error(`CloudFormation validation failed: ${answer?.error ?? 'no answer'}`);
    this.answered = answer;
    return answer.report;
  }
}
