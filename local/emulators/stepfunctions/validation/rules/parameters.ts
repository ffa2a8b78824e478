/**
 * A Task's Parameters are the API request: a field the API does not have is refused ("If you don't use the
 * plural form, Step Functions returns the following error: The field Filter is not supported by Step
 * Functions": https://docs.aws.amazon.com/step-functions/latest/dg/connect-parameters.html). Without this rule
 * a misspelt field (`ConditionExpresion`) is silently dropped by the SDK, and the write happens unconditionally.
 *
 * Checked for Lambda Invoke and for the APIs whose models are installed here (DynamoDB, SQS SendMessage):
 * the top-level fields of the request, from the SDK's request schema. Nested values are the API's own maps
 * and are not checked.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import { parseResource } from '../resources';
import { isObject, languageOf, type StateRef } from '../scopes';
import { type Diagnostic, error } from '../types';

/** The member names of a request schema as the SDK exports it (`[3, namespace, name, traits, members, …]`). */
function membersOf(schema: unknown): readonly string[] | undefined {
  const members = Array.isArray(schema) ? schema[4] : undefined;
  return Array.isArray(members) && members.every((m) => typeof m === 'string') ? members : undefined;
}

const pascal = (action: string): string => `${action.charAt(0).toUpperCase()}${action.slice(1)}`;

/** Lambda's Invoke request (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html); no model installed. */
const lambdaInvoke = ['FunctionName', 'InvocationType', 'LogType', 'ClientContext', 'Payload', 'Qualifier'];

/** The request fields of `service:action`, or undefined where this validator has no model for it. */
function requestFields(service: string, action: string): readonly string[] | undefined {
  if (service === 'lambda' && action === 'invoke') return lambdaInvoke;
  const schemas = { dynamodb, sqs } as Record<string, Record<string, unknown>>;
  const model = schemas[service];
  if (!model) return undefined;
  return membersOf(model[`${pascal(action)}Input$`] ?? model[`${pascal(action)}Request$`]);
}

export function parameterRules(ref: StateRef): Diagnostic[] {
  const { state } = ref;
  if (state.Type !== 'Task' || typeof state.Resource !== 'string' || languageOf(ref) === 'JSONata') return [];
  const target = parseResource(state.Resource);
  if (!target || (target.kind !== 'aws-sdk' && target.kind !== 'optimized') || !isObject(state.Parameters))
    return [];
  const fields = requestFields(target.service, target.action);
  if (!fields) return [];
  return Object.keys(state.Parameters)
    .map((key) => key.replace(/\.\$$/, ''))
    .filter((field) => !fields.includes(field))
    .map((field) =>
      error(
        'SCHEMA_VALIDATION_FAILED',
        `State "${ref.name}": The field "${field}" is not supported by Step Functions (${target.service}:${target.action} takes ${fields.join(', ')}).`,
        `${ref.location}/Parameters`,
      ),
    );
}
