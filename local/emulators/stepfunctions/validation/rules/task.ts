/**
 * Task rules: the Resource must be one AWS accepts for this machine type (integrations table), and a
 * `.waitForTaskToken` Task must hand its token to someone.
 *
 * The token rule is the local cloud's own, stricter than AWS: CreateStateMachine accepts a
 * `.waitForTaskToken` Task whose Parameters never pass `$$.Task.Token` (LocalStack's AWS-validated test
 * `test_sqs_wait_for_task_token_no_token_parameter` creates and runs one; it only times out). Such a
 * Task can never be completed, so it is always a bug; AWS CDK refuses it at synth for the same reason.
 * "the task token can be accessed in the Parameters field ... with a special path designation
 * ($$.Task.Token)": https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */
import { parseResource, resourceProblem } from '../resources';
import { isObject, type Json, languageOf, type StateRef } from '../scopes';
import { type Diagnostic, error, type StateMachineType } from '../types';

const mentions = (value: Json | undefined, needle: string): boolean => {
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((item) => mentions(item, needle));
  if (isObject(value)) return Object.values(value).some((item) => mentions(item, needle));
  return false;
};

function tokenRule(ref: StateRef, resource: string): Diagnostic[] {
  const target = parseResource(resource);
  if (!target || !('pattern' in target) || target.pattern !== 'WAIT_FOR_TASK_TOKEN') return [];
  const jsonata = languageOf(ref) === 'JSONata';
  const [field, needle] = jsonata
    ? ['Arguments', '$states.context.Task.Token']
    : ['Parameters', '$$.Task.Token'];
  if (mentions(ref.state[field], needle)) return [];
  return [
    error(
      'MISSING_TASK_TOKEN',
      `State "${ref.name}": a .waitForTaskToken Task must pass ${needle} in its ${field}, or nothing can ever complete it (local rule, stricter than AWS).`,
      `${ref.location}/${field}`,
    ),
  ];
}

export function taskRules(ref: StateRef, type: StateMachineType): Diagnostic[] {
  const resource = ref.state.Resource;
  if (ref.state.Type !== 'Task' || typeof resource !== 'string') return [];
  const problem = resourceProblem(resource, type);
  if (problem)
    return [error('INVALID_RESOURCE', `State "${ref.name}": ${problem}`, `${ref.location}/Resource`)];
  return tokenRule(ref, resource);
}
