// Runs inside a worker thread: one worker per function, so each function has its own module cache and
// exactly the environment its CDK definition gives it (process.env is per worker). Plain JS: Node loads
// it directly, and the handler it imports is the esbuild bundle, as deployed.
import { parentPort, workerData } from 'node:worker_threads';

process.setSourceMapsEnabled(true);

const { entryUrl, functionName, memoryMb, timeoutSeconds } = workerData;
// The import is the cold start: module top-level code (env validation, SDK clients) runs here once.
const modulePromise = import(entryUrl);
// Init is over: the runtime starts the function timeout from here (a failed import is reported per invocation).
modulePromise.then(
  () => parentPort.postMessage({ initialized: true }),
  () => parentPort.postMessage({ initialized: true }),
);

function lambdaContext(requestId, deadline) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionName}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

parentPort.on('message', async ({ id, requestId, event, warm }) => {
  try {
    const module = await modulePromise;
    if (warm) return parentPort.postMessage({ id, ok: true, result: null });
    if (typeof module.handler !== 'function')
      throw new TypeError(`${entryUrl} does not export a handler function`);
    const result = await module.handler(event, lambdaContext(requestId, Date.now() + timeoutSeconds * 1000));
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({
      id,
      ok: false,
      errorType: err.name || 'Error',
      errorMessage: err.message,
      stack: err.stack ? err.stack.split('\n') : [],
    });
  }
});
