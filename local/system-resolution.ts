import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  deadLetterQueueName,
  type EnvValue,
  type FunctionDefinition,
  type Ref,
  type SystemDefinition,
  system,
} from '../functions/contracts/system';
import { functionArn, stateMachineArn, tableName } from './aws';

export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Resolves the system definition's references to local names and URLs, the way the CDK side resolves
 * them to tokens. Both read the same definition object, so what runs locally is what deploys.
 */
export function createResolver(queueUrl: (queueName: string) => string) {
  const resolveRef = (ref: Ref): string => {
    if ('tableName' in ref) return tableName(ref.tableName);
    if ('queueUrl' in ref) return queueUrl(ref.queueUrl);
    if ('deadLetterQueueUrl' in ref) return queueUrl(deadLetterQueueName(ref.deadLetterQueueUrl));
    if ('stateMachineArn' in ref) return stateMachineArn(ref.stateMachineArn);
    return functionArn(ref.functionArn);
  };
  const resolveValue = (value: EnvValue): string => (typeof value === 'string' ? value : resolveRef(value));
  return {
    resolveRef,
    environmentOf(definition: FunctionDefinition): Record<string, string> {
      return Object.fromEntries(
        Object.entries(definition.environment).map(([key, value]) => [key, resolveValue(value)]),
      );
    },
    /** The ASL with its `${Placeholders}` substituted, as CDK's definitionSubstitutions does. */
    definitionOf(workflow: SystemDefinition['workflows'][keyof SystemDefinition['workflows']]): string {
      const asl = readFileSync(`${repositoryRoot}/${workflow.definitionFile}`, 'utf8');
      const substitutions: Readonly<Record<string, Ref>> = workflow.substitutions;
      return asl.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
        const ref = substitutions[name];
        if (!ref) throw new Error(`${workflow.definitionFile}: no substitution for ${placeholder}`);
        return resolveRef(ref);
      });
    },
  };
}

export const systemDefinition: SystemDefinition = system;
