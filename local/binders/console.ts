import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildConsole } from '../../console/build';
import type { LocalRoute } from '../emulators/apigateway/server';

/**
 * The ops console at /console, bundled at start and served from memory, as CloudFront serves it from S3 in
 * AWS (infra/constructs/ops-console.ts): public static files on the API's own origin. The files hold no
 * data and no key; every action the console takes is a call to the public ops API with the operator's key.
 */
let built: ReturnType<typeof buildConsole> | undefined;

/** Bundles the console now (npm start does, so a console that does not build stops the start). */
export async function bundleConsole(): Promise<number> {
  built ??= buildConsole();
  return (await built).size;
}

export function consoleRoutes(): LocalRoute[] {
  const serve = async (name: string): Promise<APIGatewayProxyStructuredResultV2> => {
    // Bundled on the first request, once per process: a test cloud that never opens the console never pays.
    built ??= buildConsole();
    const asset = (await built).get(name);
    return asset
      ? {
          statusCode: 200,
          headers: {
            'content-type': asset.contentType,
            'cache-control': 'no-cache',
            'x-content-type-options': 'nosniff',
            // Scripts and styles from the console's own files only; calls go to the same origin.
            'content-security-policy':
              "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
          },
          body: asset.body,
        }
      : { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
  };
  return [
    { method: 'GET', path: '/console', public: true, handler: () => serve('index.html') },
    { method: 'GET', path: '/console/', public: true, handler: () => serve('index.html') },
    {
      method: 'GET',
      path: '/console/{asset}',
      public: true,
      handler: ({ pathParameters }) => serve(pathParameters.asset ?? ''),
    },
  ];
}
