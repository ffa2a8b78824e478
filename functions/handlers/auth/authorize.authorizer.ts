import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { findPrincipalByApiKey } from '../../adapters/dynamodb/principals';
import type { AuthorizerContext } from '../../shared/auth';
import { loadFunctionEnvironment } from '../../shared/env';
import { logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('authorizer');
const document = createDocumentClient();

type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * Always authorizes and tells the route who is calling: the handlers turn "anonymous" into 401 and a wrong
 * role or scope into 403, so every refusal is problem+json instead of API Gateway's bare 401/403.
 */
export const handler = middy<APIGatewayRequestAuthorizerEventV2, Result>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const apiKey = event.headers?.['x-api-key']?.trim();
    if (!apiKey)
      return {
        isAuthorized: true,
        context: { principalId: 'anonymous', role: 'anonymous', scope: '', reason: 'missing' },
      };
    const principal = await findPrincipalByApiKey(document, environment.TABLE_NAME, apiKey);
    if (!principal) {
      logger.info('unknown api key', { routeKey: event.routeKey });
      return {
        isAuthorized: true,
        context: { principalId: 'anonymous', role: 'anonymous', scope: '', reason: 'unknown' },
      };
    }
    return { isAuthorized: true, context: principal };
  });
