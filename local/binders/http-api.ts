import { startLocalGateway } from '../emulators/apigateway/server';
import type { LambdaInvoker } from '../emulators/lambda/invoker';
import type { StepFunctionsService } from '../emulators/stepfunctions/service';
import { registerFaultRoutes } from '../faults';
import { systemDefinition } from '../system-resolution';
import { consoleRoutes } from './console';
import type { BindContext } from './context';

/** The definition's routes, each backed by its function behind the authorizer, as infra/constructs/http-api.ts. */
export const httpRoutes = () =>
  systemDefinition.routes.map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.function,
    public: 'public' in route ? route.public : false,
  }));

/** The local HTTP API gateway, plus the local-only fault routes. */
export async function bindHttpApi(
  context: BindContext,
  options: {
    readonly port: number;
    readonly invoker: LambdaInvoker;
    readonly stepFunctions: StepFunctionsService;
  },
) {
  const gateway = await startLocalGateway({
    port: options.port,
    routes: httpRoutes(),
    authorizer: {
      functionName: systemDefinition.httpApi.authorizer.function,
      identityHeaders: systemDefinition.httpApi.authorizer.identityHeaders,
      resultsCacheTtlSeconds: systemDefinition.httpApi.authorizer.resultsCacheTtlSeconds,
    },
    invoker: options.invoker,
    localRoutes: [...registerFaultRoutes(options.stepFunctions), ...consoleRoutes()],
  });
  context.onStop(() => gateway.close());
  context.log(`API                 ${gateway.url}`);
  context.log(`Ops console         ${gateway.url}/console`);
  return gateway;
}
