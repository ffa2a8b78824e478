/**
 * THE definition of the system: tables, queues, functions and workflows (system-core.ts) and the HTTP routes
 * (http-routes.ts). Both the CDK app (infra/) and the embedded local cloud (local/) are built from this one
 * object, so they cannot drift; test/drift proves it against the synthesized template. Pure data: no CDK, no
 * SDK, no environment.
 */
import { type HttpApiDefinitionOf, httpApi, type RouteDefinitionOf, routes } from './http-routes';
import {
  type FunctionDefinition,
  type FunctionKey,
  functions,
  queues,
  type Ref,
  tables,
  type WorkflowDefinition,
  workflows,
} from './system-core';

export type { HttpMethod } from './http-routes';
export * from './system-core';
export type RouteDefinition = RouteDefinitionOf<FunctionKey>;
export type HttpApiDefinition = HttpApiDefinitionOf<FunctionKey>;
export { httpApi, routes };

/**
 * Compile-time check: every function the routes and the authorizer name is a function of this system. A
 * type, not a value: a value here would keep every route in every Lambda's bundle.
 */
type UnknownRouteFunction = Exclude<
  (typeof routes)[number]['function'] | (typeof httpApi)['authorizer']['function'],
  FunctionKey
>;
export const routesNameKnownFunctions: [UnknownRouteFunction] extends [never] ? true : never = true;

export const system = { tables, queues, functions, workflows, routes, httpApi } as const;

/** Every name a reference, grant, invoke list or route uses must exist; returns the ones that don't. */
export function findDanglingReferences(definition: SystemDefinition = system): string[] {
  const functionNames = new Set(Object.keys(definition.functions));
  const workflowNames = new Set(Object.keys(definition.workflows));
  const dangling: string[] = [];
  const checkRef = (where: string, ref: Ref) => {
    if ('functionArn' in ref && !functionNames.has(ref.functionArn))
      dangling.push(`${where}: function ${ref.functionArn}`);
    if ('stateMachineArn' in ref && !workflowNames.has(ref.stateMachineArn)) {
      dangling.push(`${where}: workflow ${ref.stateMachineArn}`);
    }
  };
  for (const [name, fn] of Object.entries(definition.functions) as [string, FunctionDefinition][]) {
    for (const [variable, value] of Object.entries(fn.environment)) {
      if (typeof value !== 'string') checkRef(`${name}.${variable}`, value);
    }
    for (const grant of fn.grants) {
      if ('workflow' in grant && !workflowNames.has(grant.workflow))
        dangling.push(`${name} grant: workflow ${grant.workflow}`);
    }
  }
  for (const [name, workflow] of Object.entries(definition.workflows) as [string, WorkflowDefinition][]) {
    for (const [placeholder, ref] of Object.entries(workflow.substitutions))
      checkRef(`${name}.${placeholder}`, ref);
  }
  for (const route of definition.routes) {
    if (!functionNames.has(route.function))
      dangling.push(`${route.method} ${route.path}: function ${route.function}`);
  }
  return dangling;
}
export type SystemDefinition = typeof system;
