import * as z from 'zod';
import {
  deadLetterQueueUrlVariable,
  type EnvValue,
  type FunctionKey,
  functions,
  queues,
  stateMachineArnVariable,
  workflows,
} from '../contracts/system-core';

/**
 * The only reader of `process.env`. A handler loads its function's environment by the function's name in
 * the system definition, which says which variables it has and what each holds: so what a function reads
 * cannot drift from what the CDK app and the local cloud give it. Validated once at cold start, so a
 * misconfigured function fails on its first invocation with a message naming every bad variable.
 */
export const stateMachineArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/);
export const queueUrlSchema = z.url();
const logLevelSchema = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']);

/** How the definition writes a value decides how it is read: a reference's kind, or a number for digits. */
function schemaOf(name: string, value: EnvValue): z.ZodType {
  if (typeof value === 'string') {
    if (name === 'LOG_LEVEL') return logLevelSchema;
    return /^\d+$/.test(value) ? z.coerce.number().int().positive() : z.string().min(1);
  }
  if ('stateMachineArn' in value) return stateMachineArnSchema;
  if ('queueUrl' in value || 'deadLetterQueueUrl' in value) return queueUrlSchema;
  return z.string().min(1);
}

type Declared<K extends FunctionKey> = (typeof functions)[K]['environment'];
/** A function's environment as its handler sees it: digits in the definition are numbers, the rest strings. */
export type FunctionEnvironment<K extends FunctionKey> = {
  readonly [Name in keyof Declared<K>]: Declared<K>[Name] extends `${number}` ? number : string;
};

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

export function loadFunctionEnvironment<K extends FunctionKey>(
  name: K,
  source: Readonly<Record<string, string | undefined>> = process.env,
): FunctionEnvironment<K> {
  const declared: Readonly<Record<string, EnvValue>> = functions[name].environment;
  const shape = Object.fromEntries(
    Object.entries(declared).map(([variable, value]) => [variable, schemaOf(variable, value)]),
  );
  const parsed = z.object(shape).safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new EnvironmentError(`Invalid environment of function ${name}: ${problems}`);
  }
  return parsed.data as FunctionEnvironment<K>;
}

/** The state machines the ops functions list and redrive: every workflow of the definition. */
export const operatedStateMachineArns = (environment: Readonly<Record<string, unknown>>): string[] =>
  Object.keys(workflows).map((workflow) => String(environment[stateMachineArnVariable(workflow)]));

/** Source queue → its dead-letter queue's URL, for every queue of the definition. */
export const deadLetterQueueUrls = (environment: Readonly<Record<string, unknown>>): Record<string, string> =>
  Object.fromEntries(
    Object.keys(queues).map((queue) => [queue, String(environment[deadLetterQueueUrlVariable(queue)])]),
  );
