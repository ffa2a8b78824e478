import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION } from '../defaults/lambda';
import { type FunctionKey, lookup, type SystemShape } from '../definition';
import type { SystemFunction } from './system-functions';

export const DEFAULT_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/** One JSON line per request; requestId is mandatory for API Gateway access logs. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The HTTP API: one route per definition route, integrations shared per function, a Lambda authorizer
 * (simple responses; identity sources and result cache from the definition's `httpApi`) on every non-public
 * route, access logs and stage throttling. The authorizer always answers with a principal context (an
 * unknown key is `anonymous`), so the handlers answer 401/403 as problem+json themselves.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly definition: SystemShape; readonly functions: ReadonlyMap<FunctionKey, SystemFunction> },
  ) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'O2O order-fulfilment orchestrator API v1',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const authorizerDefinition = props.definition.httpApi.authorizer;
    const authorizer = new HttpLambdaAuthorizer(
      'PrincipalAuthorizer',
      lookup(props.functions, authorizerDefinition.function, 'function').fn,
      {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: authorizerDefinition.identityHeaders.map((header) => `$request.header.${header}`),
        resultsCacheTtl: Duration.seconds(authorizerDefinition.resultsCacheTtlSeconds),
      },
    );

    const integrations = new Map<FunctionKey, HttpLambdaIntegration>();
    for (const route of props.definition.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function}Integration`,
          lookup(props.functions, route.function, 'function').fn,
        );
        integrations.set(route.function, integration);
      }
      const created = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
        authorizer: route.public ? new apigw.HttpNoneAuthorizer() : authorizer,
      });
      if (route.public) {
        for (const r of created) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design (system definition): liveness, the OpenAPI document or a webhook that verifies its own signature.`,
          });
        }
      }
    }
  }
}
