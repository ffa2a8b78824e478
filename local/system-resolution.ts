import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  deadLetterQueueName,
  type EnvValue,
  type FunctionDefinition,
  type Ref,
  type RefResolvers,
  resolveRef,
  type SystemDefinition,
  system,
} from '../functions/contracts/system';
import { functionArn, stateMachineArn, tableName } from './emulators/protocol/identity';

export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Resolves the system definition's references to local names and URLs, the way the CDK side resolves
 * them to tokens. Both read the same definition object, so what runs locally is what deploys.
 */
export function createResolver(queueUrl: (queueName: string) => string) {
  const resolvers: RefResolvers<string> = {
    tableName,
    queueUrl,
    deadLetterQueueUrl: (key) => queueUrl(deadLetterQueueName(key)),
    stateMachineArn,
    functionArn,
  };
  const resolve = (ref: Ref): string => resolveRef(ref, resolvers);
  const resolveValue = (value: EnvValue): string => (typeof value === 'string' ? value : resolve(value));
  return {
    resolveRef: resolve,
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
        return resolve(ref);
      });
    },
  };
}

export const systemDefinition: SystemDefinition = system;
