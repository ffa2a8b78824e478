import { platformContracts } from '../../contracts/api-platform';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { buildOpenApiDocument } from '../../shared/openapi';

loadFunctionEnvironment('health');
// Built once per cold start: the document only changes with a deployment.
const openApiDocument = buildOpenApiDocument();

/** One function serves both public platform routes (their contracts differ only in the answer). */
export const handler = httpHandler(platformContracts['GET /health'], async ({ routeKey }) => ({
  body: routeKey === 'GET /openapi.json' ? openApiDocument : { status: 'ok' },
}));
