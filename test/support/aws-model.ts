/**
 * Checks AWS calls and answers against the models of the installed AWS SDK for
 * JavaScript v3 clients, so that a test fake cannot invent AWS (issue 21).
 *
 * Each `@aws-sdk/client-*` package ships its Smithy model as schema objects
 * (`dist-cjs/index.js`, exported as `<Shape>$`): an operation is
 * `[9, namespace, name, traits, input, output]`, a structure
 * `[3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]`
 * whose first `requiredCount` members carry the `@required` trait, a list
 * `[1, ...]`, a map `[2, ...]`, a simple type a number (0 string, 1 number,
 * 2 boolean, 4-7 timestamp, 15 document, 21 blob; +64 a list of it, +128 a map
 * of it). They are read with the SDK's own reader (`NormalizedSchema` of
 * `@smithy/core/schema`), never from a hand-written copy. Enum values are not
 * in the schemas: the package's TypeScript declarations type such a member with
 * an enum (`ReplicatorState?: ReplicatorState | undefined`, models_*.d.ts) whose
 * values the package exports (`ReplicatorState = { RUNNING: "RUNNING", ... }`).
 *
 * Services are named as boto3 and SSM Automation name them (`rds`,
 * `emr-serverless`, `secretsmanager`); operations in either spelling
 * (`describe_db_instances`, `DescribeDBInstances`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NormalizedSchema } from '@smithy/core/schema';

/** boto3 service name -> the SDK v3 client package that models it. */
const PACKAGES: Record<string, string> = {
  athena: '@aws-sdk/client-athena',
  cloudformation: '@aws-sdk/client-cloudformation',
  cloudwatch: '@aws-sdk/client-cloudwatch',
  elasticache: '@aws-sdk/client-elasticache',
  'emr-serverless': '@aws-sdk/client-emr-serverless',
  glue: '@aws-sdk/client-glue',
  kafka: '@aws-sdk/client-kafka',
  kms: '@aws-sdk/client-kms',
  lambda: '@aws-sdk/client-lambda',
  rds: '@aws-sdk/client-rds',
  redshift: '@aws-sdk/client-redshift',
  'redshift-serverless': '@aws-sdk/client-redshift-serverless',
  s3: '@aws-sdk/client-s3',
  secretsmanager: '@aws-sdk/client-secrets-manager',
  sns: '@aws-sdk/client-sns',
  ssm: '@aws-sdk/client-ssm',
  sts: '@aws-sdk/client-sts',
};

export type Direction = 'request' | 'response';

export interface Violation {
  /** Where in the request or answer, e.g. `ReplicationInfoList[0].SourceKafkaClusterArn`. */
  readonly path: string;
  readonly problem: string;
}

/** A call or an answer that does not follow the SDK model of its operation. */
export class ModelViolation extends Error {
  override name = 'ModelViolation';
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly direction: Direction,
    readonly violations: readonly Violation[],
    message: string,
  ) {
    super(message);
  }
}

type Schema = Parameters<typeof NormalizedSchema.of>[0];
interface EnumRef {
  readonly value?: string;
  readonly key?: string;
}
interface ServiceModel {
  readonly service: string;
  readonly pkg: string;
  readonly version: string;
  readonly exports: Record<string, unknown>;
  /** normalized operation name -> [API name, operation schema]. */
  readonly operations: Map<string, { name: string; schema: unknown[] }>;
  /** structure name -> member -> the enum(s) its TypeScript type names; read on first use. */
  enumMembers?: Map<string, Map<string, EnumRef>>;
  readonly enumValues: Map<string, ReadonlySet<string | number>>;
}

const models = new Map<string, ServiceModel>();

/** describe_db_instances, DescribeDBInstances and describe-db-instances meet here. */
const normalize = (name: string) => name.replace(/[_-]/g, '').toLowerCase();

/** The model of a boto3-named service, loaded from its SDK package on first use. */
function serviceModel(service: string): ServiceModel {
  const known = models.get(service);
  if (known) return known;
  const pkg = PACKAGES[service];
  if (!pkg) {
    throw new Error(
      `No AWS SDK model is mapped for the service '${service}'. Add its @aws-sdk/client-* package as an exact devDependency and map it in test/support/aws-model.ts (PACKAGES).`,
    );
  }
  const exports = require(pkg) as Record<string, unknown>;
  const version = (require(`${pkg}/package.json`) as { version: string }).version;
  const operations = new Map<string, { name: string; schema: unknown[] }>();
  for (const [key, value] of Object.entries(exports)) {
    if (key.endsWith('$') && Array.isArray(value) && value[0] === 9) {
      operations.set(normalize(String(value[2])), { name: String(value[2]), schema: value });
    }
  }
  const model: ServiceModel = { service, pkg, version, exports, operations, enumValues: new Map() };
  models.set(service, model);
  return model;
}

/** The declaration files of a package's models (models_0.d.ts, ..., enums.d.ts). */
function declarations(pkg: string): string[] {
  const dir = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist-types', 'models');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/**
 * Members typed with an enum, per structure, from the package's declarations:
 * `Name?: Enum | undefined`, `Enum[]`, `Record<string, Enum>`, `Partial<Record<Enum, T>>`.
 */
function enumMembers(model: ServiceModel): Map<string, Map<string, EnumRef>> {
  if (model.enumMembers) return model.enumMembers;
  const files = declarations(model.pkg);
  for (const text of files) {
    for (const m of text.matchAll(/^export declare const (\w+): \{/gm)) {
      const values = model.exports[m[1]];
      if (values && typeof values === 'object' && !Array.isArray(values)) {
        const set = new Set(Object.values(values as Record<string, unknown>) as (string | number)[]);
        if ([...set].every((v) => typeof v === 'string' || typeof v === 'number'))
          model.enumValues.set(m[1], set);
      }
    }
  }
  const isEnum = (name: string | undefined) => (name && model.enumValues.has(name) ? name : undefined);
  const result = new Map<string, Map<string, EnumRef>>();
  for (const text of files) {
    for (const block of text.matchAll(/^export interface (\w+)(?: extends [^{]+)? \{\n([\s\S]*?)^\}/gm)) {
      const members = new Map<string, EnumRef>();
      for (const member of block[2].matchAll(/^ {4}(\w+)\??: (.+?)(?: \| undefined)?;$/gm)) {
        const type = member[2];
        const scalar = /^(\w+)(?:\[\])*$/.exec(type);
        const map = /^(?:Partial<)?Record<(\w+), (\w+)(?:\[\])*>>?(?:\[\])*$/.exec(type);
        const ref: EnumRef = scalar
          ? { value: isEnum(scalar[1]) }
          : map
            ? { key: isEnum(map[1]), value: isEnum(map[2]) }
            : {};
        if (ref.value || ref.key) members.set(member[1], ref);
      }
      if (members.size > 0) result.set(block[1], members);
    }
  }
  model.enumMembers = result;
  return result;
}

/** The SDK's name of an operation, or undefined when the service's model has none of that name. */
export function operationName(service: string, operation: string): string | undefined {
  return serviceModel(service).operations.get(normalize(operation))?.name;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') return 'a Date';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') return 'a structure';
  const text = JSON.stringify(value);
  return `${typeof value} ${text && text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
};
const isDate = (v: unknown) => Object.prototype.toString.call(v) === '[object Date]';
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isDate(v) && !(v instanceof Uint8Array);
const join = (base: string, member: string) => (base ? `${base}.${member}` : member);

const MAX_VIOLATIONS = 20;

class Checker {
  readonly violations: Violation[] = [];
  constructor(
    private readonly model: ServiceModel,
    private readonly direction: Direction,
  ) {}

  private add(path: string, problem: string) {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ path: path || '(root)', problem });
  }

  value(schema: NormalizedSchema, value: unknown, at: string, enumRef: EnumRef = {}): void {
    if (value === undefined) return;
    if (value === null) {
      this.add(
        at,
        this.direction === 'request'
          ? 'is None/null: leave the member out instead (boto3 refuses None parameters)'
          : 'is null: AWS leaves a member without a value out of its answer',
      );
      return;
    }
    if (schema.isStructSchema()) {
      this.structure(schema, value, at);
      return;
    }
    if (schema.isListSchema()) {
      if (!Array.isArray(value)) {
        this.add(at, `is ${describe(value)}, the model has a list`);
        return;
      }
      const member = schema.getValueSchema();
      value.forEach((v, i) => {
        this.value(member, v, `${at}[${i}]`, { value: enumRef.value });
      });
      return;
    }
    if (schema.isMapSchema()) {
      if (!isPlainObject(value)) {
        this.add(at, `is ${describe(value)}, the model has a map`);
        return;
      }
      const member = schema.getValueSchema();
      for (const [k, v] of Object.entries(value)) {
        if (enumRef.key) this.enumValue(enumRef.key, k, `${at} key ${JSON.stringify(k)}`);
        this.value(member, v, join(at, k), { value: enumRef.value });
      }
      return;
    }
    if (schema.isDocumentSchema()) return;
    if (schema.isTimestampSchema()) {
      const accepted =
        isDate(value) ||
        // boto3 also takes an ISO 8601 string or epoch seconds for a timestamp parameter.
        (this.direction === 'request' &&
          ((typeof value === 'string' && !Number.isNaN(Date.parse(value))) || typeof value === 'number'));
      if (!accepted)
        this.add(
          at,
          `is ${describe(value)}, the model has a timestamp (${this.direction === 'response' ? 'a Date: boto3 returns a datetime, the SDK a Date' : 'a Date, an ISO 8601 string or epoch seconds'})`,
        );
      return;
    }
    if (schema.isBlobSchema() || schema.isStreaming()) {
      // Bytes cross the Python bridge as text (harness.py); the SDK gives Uint8Array.
      if (typeof value !== 'string' && !(value instanceof Uint8Array))
        this.add(at, `is ${describe(value)}, the model has a blob (bytes)`);
      return;
    }
    if (schema.isBooleanSchema()) {
      if (typeof value !== 'boolean') this.add(at, `is ${describe(value)}, the model has a boolean`);
      return;
    }
    if (schema.isNumericSchema()) {
      if (typeof value !== 'number' || !Number.isFinite(value))
        this.add(at, `is ${describe(value)}, the model has a number`);
      else if (enumRef.value) this.enumValue(enumRef.value, value, at);
      return;
    }
    if (schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) {
      if (!['number', 'bigint', 'string'].includes(typeof value))
        this.add(at, `is ${describe(value)}, the model has a number`);
      return;
    }
    if (schema.isStringSchema()) {
      if (typeof value !== 'string') this.add(at, `is ${describe(value)}, the model has a string`);
      else if (enumRef.value) this.enumValue(enumRef.value, value, at);
      return;
    }
    this.add(
      at,
      `has a schema this checker does not know (${String(schema.getName(true))}); extend test/support/aws-model.ts`,
    );
  }

  private enumValue(name: string, value: string | number, at: string) {
    const allowed = this.model.enumValues.get(name);
    if (allowed && !allowed.has(value)) {
      this.add(
        at,
        `is ${JSON.stringify(value)}, not a value of the enum ${name} (${[...allowed].map((v) => JSON.stringify(v)).join(', ')})`,
      );
    }
  }

  structure(schema: NormalizedSchema, value: unknown, at: string): void {
    const name = schema.getName() ?? '?';
    if (!isPlainObject(value)) {
      this.add(at, `is ${describe(value)}, the model has the structure ${name}`);
      return;
    }
    const raw = schema.getSchema() as unknown[];
    const names = raw[4] as string[];
    const required = typeof raw[6] === 'number' ? raw[6] : 0;
    const members = new Map(schema.structIterator());
    const enums = enumMembers(this.model).get(name);
    for (const [key, v] of Object.entries(value)) {
      const member = members.get(key);
      if (!member) {
        if (v !== undefined)
          this.add(
            join(at, key),
            `${name} has no member ${key} (its members: ${names.join(', ') || 'none'})`,
          );
        continue;
      }
      this.value(member, v, join(at, key), enums?.get(key));
    }
    for (let i = 0; i < required; i++) {
      const member = members.get(names[i])!;
      // boto3 and the SDK fill an idempotency token the caller leaves out.
      if (this.direction === 'request' && member.isIdempotencyToken()) continue;
      if (value[names[i]] === undefined || value[names[i]] === null)
        this.add(join(at, names[i]), `is missing: ${name} requires it`);
    }
    if (schema.isUnionSchema()) {
      const set = names.filter((n) => value[n] !== undefined);
      if (set.length !== 1)
        this.add(at, `sets ${set.length} members of the union ${name}; exactly one must be set`);
    }
  }
}

/** What is wrong with a request or an answer of `service` `operation`; empty when it follows the model. */
export function violationsOf(
  service: string,
  operation: string,
  direction: Direction,
  value: unknown,
): Violation[] {
  const model = serviceModel(service);
  const op = model.operations.get(normalize(operation));
  if (!op) {
    return [
      {
        path: '(operation)',
        problem: `${model.pkg} ${model.version} has no operation ${operation} (boto3 would have no such method)`,
      },
    ];
  }
  const schema = NormalizedSchema.of(op.schema[direction === 'request' ? 4 : 5] as Schema);
  const checker = new Checker(model, direction);
  if (schema.isUnitSchema()) {
    if (isPlainObject(value) && Object.keys(value).length > 0)
      checker.violations.push({ path: '(root)', problem: `${op.name} takes and returns nothing` });
  } else {
    checker.structure(schema, value ?? {}, '');
  }
  return checker.violations;
}

/** The error to fail a test with: the operation, each path and problem, and where to fix it. */
export function modelViolation(
  service: string,
  operation: string,
  direction: Direction,
  violations: readonly Violation[],
): ModelViolation {
  const model = serviceModel(service);
  const name = model.operations.get(normalize(operation))?.name ?? operation;
  const fix =
    direction === 'response'
      ? `Fix the fake that answered (test/support/automation/world.ts, or the test's world.on('${service}', '${name}', ...) handler) so that it answers what ${name}CommandOutput of ${model.pkg} declares.`
      : `Fix the caller (the runbook step's Python, the document's aws:executeAwsApi inputs, or the handler) so that it sends what ${name}CommandInput of ${model.pkg} declares; real boto3 would refuse it with ParamValidationError or AWS with a validation error.`;
  return new ModelViolation(
    service,
    name,
    direction,
    violations,
    `${service} ${name} ${direction} does not follow the AWS model (${model.pkg} ${model.version}):\n${violations
      .map((v) => `  - ${v.path}: ${v.problem}`)
      .join('\n')}\n${fix}`,
  );
}

/** Throws a ModelViolation naming every problem unless the request or answer follows the model. */
export function assertFollowsModel(
  service: string,
  operation: string,
  direction: Direction,
  value: unknown,
): void {
  const violations = violationsOf(service, operation, direction, value);
  if (violations.length > 0) throw modelViolation(service, operation, direction, violations);
}

/**
 * The SDK error a service error code stands for: the exception class the
 * package models for it (matched by shape name or, for query protocols, by its
 * awsQueryError code, e.g. RDS `DBInstanceNotFound` -> `DBInstanceNotFoundFault`),
 * else the service's base exception named after the code (ThrottlingException,
 * InternalFailure, ... are common to every AWS service and not modelled).
 */
export function sdkError(service: string, code: string, message: string, status: number): Error {
  const model = serviceModel(service);
  const metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  for (const [key, value] of Object.entries(model.exports)) {
    if (!key.endsWith('$') || !Array.isArray(value) || value[0] !== -3) continue;
    const traits = (value[3] ?? {}) as { awsQueryError?: [string, number] };
    if (value[2] === code || traits.awsQueryError?.[0] === code) {
      const Exception = model.exports[String(value[2])] as
        | (new (
            opts: Record<string, unknown>,
          ) => Error)
        | undefined;
      if (Exception) return new Exception({ message, $metadata: metadata });
    }
  }
  const Base = Object.entries(model.exports).find(
    ([key, value]) => key.endsWith('ServiceException') && typeof value === 'function',
  )?.[1] as (new (opts: Record<string, unknown>) => Error) | undefined;
  const fault = status >= 500 ? 'server' : 'client';
  if (Base) return new Base({ name: code, $fault: fault, message, $metadata: metadata });
  return Object.assign(new Error(message), { name: code, $fault: fault, $metadata: metadata });
}
