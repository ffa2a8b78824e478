/**
 * `npm start`: the whole system on the embedded local cloud, with demo data.
 *   --persist   keep data, queues and executions under .local/ across restarts
 *   --verbose   print every function's log lines (Powertools JSON), prefixed with the function name
 * Environment: PORT (API port, default 3000), LOCAL_STATE_DIR (default .local).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleConsole } from './binders/console';
import { startLocalCloud } from './cloud';
import { errorNoticeOf } from './console-notices';
import { demoChannels } from './demo-data';
import { portIsFree } from './emulators/protocol/net';
import { InvalidDefinitionError } from './emulators/stepfunctions/validation';
import { repositoryRoot } from './system-resolution';

// The SDK warns that Node 20 support ends in 2027; docs/architecture.md, toolchain pins Node 20 on these machines for now.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const startedAt = performance.now();
const persist = process.argv.includes('--persist');
const verbose = process.argv.includes('--verbose');
const stateDir = resolve(repositoryRoot, process.env.LOCAL_STATE_DIR ?? '.local');
const apiPort = Number(process.env.PORT ?? 3000);

// A busy or malformed API port is refused before anything starts (DynamoDB Local's JVM takes seconds):
// one line, exit 1. PORT=0 asks for any free port, so it is never busy.
const portProblem =
  !Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65_535
    ? `PORT=${process.env.PORT} is not a port number (0 to 65535).`
    : apiPort > 0 && !(await portIsFree(apiPort))
      ? `Port ${apiPort} is already in use: stop what is listening there, or start with PORT=<another port> npm start.`
      : undefined;
if (portProblem) {
  console.error(portProblem);
  process.exit(1);
}

function printNotice(line: string): void {
  console.log(`  ! ${new Date().toISOString().slice(11, 19)} ${line}`);
}

mkdirSync(stateDir, { recursive: true });
const cloud = await startLocalCloud({
  apiPort,
  persistDir: persist ? stateDir : undefined,
  seedDemoData: true,
  carrierSandbox: {},
  channelReceiver: { channels: demoChannels },
  prewarm: 'background',
  log: (line) =>
    console.log(`  ${line.padEnd(52)} +${((performance.now() - startedAt) / 1000).toFixed(1)} s`),
  // Without --verbose only what needs a human: function errors, failed executions, dead letters.
  functionLog: verbose
    ? (name, line) => console.log(`[${name}] ${line}`)
    : (name, line) => {
        const notice = errorNoticeOf(name, line);
        if (notice) printNotice(notice);
      },
  notice: printNotice,
}).catch((error: Error) => {
  // A definition AWS would refuse: one line naming the ASL file, the state and the rule (nothing has started).
  if (error instanceof InvalidDefinitionError)
    console.error(`Refused, as AWS would refuse it: ${error.message}`);
  else console.error(`\nThe local cloud could not start: ${error.message}`);
  process.exit(1);
});

await bundleConsole().catch((error: Error) => {
  console.error(`\nThe ops console could not be bundled: ${error.message}`);
  process.exit(1);
});

const endpoints = { ...cloud.endpoints, keys: cloud.keys };
const endpointsFile = join(stateDir, 'endpoints.json');
// Written aside and renamed into place: whoever waits for the file never reads half of it.
writeFileSync(`${endpointsFile}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`);
renameSync(`${endpointsFile}.tmp`, endpointsFile);

const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
console.log(`
O2O orchestrator running on the embedded local cloud (started in ${seconds} s${persist ? ', persistent' : ', in memory'})

  API              ${cloud.endpoints.api}   (OpenAPI: ${cloud.endpoints.api}/openapi.json)
  Ops console      ${cloud.endpoints.api}/console   (sign in with the ops key below)
  Step Functions   ${cloud.endpoints.stepfunctions}
  SQS              ${cloud.endpoints.sqs}
  DynamoDB         ${cloud.endpoints.dynamodb}
  Sandbox carriers ${cloud.endpoints.carriers}   (scripts: POST /sandbox/scripts, docs/carriers.md)
  Channel receiver ${cloud.endpoints.channelReceiver}   (prints each channel's order events below: docs/channel-events.md)

Demo API keys (also in ${endpointsFile}):
${Object.entries(cloud.keys.channels)
  .map(([id, key]) => `  channel  ${id.padEnd(18)} ${key}`)
  .join('\n')}
  ops      ${''.padEnd(18)} ${cloud.keys.ops}
${Object.entries(cloud.keys.staff)
  .map(([id, key]) => `  staff    ${id.padEnd(18)} ${key}`)
  .join('\n')}
${Object.entries(cloud.keys.supplier)
  .map(([id, key]) => `  supplier ${id.padEnd(18)} ${key}`)
  .join('\n')}
${Object.entries(cloud.keys.courier)
  .map(([id, key]) => `  courier  ${id.padEnd(18)} ${key}`)
  .join('\n')}

Courier webhook signing secrets (they sign webhooks; they are not API keys):
${Object.entries(cloud.keys.courierSigningSecret)
  .map(([id, secret]) => `  ${id.padEnd(27)} ${secret}`)
  .join('\n')}

Try:
  curl -s -X POST ${cloud.endpoints.api}/orders -H 'x-api-key: ${cloud.keys.channel}' -H 'Idempotency-Key: demo-1' \\
    -H 'content-type: application/json' \\
    -d '{"customerId":"c-1","fulfilment":{"type":"delivery","address":{"line1":"1 High St","city":"London","postalCode":"E1 6AN","country":"GB","lat":51.52,"lng":-0.07}},"lines":[{"sku":"SKU-TSHIRT-M","qty":2}]}'
  aws --endpoint-url ${cloud.endpoints.stepfunctions} --region us-east-1 stepfunctions list-executions --state-machine-arn arn:aws:states:us-east-1:000000000000:stateMachine:fulfilment

Ctrl-C stops everything.`);

void cloud.warmed.then(() =>
  console.log(
    `  Lambda              every function warm (no more cold starts) +${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
  ),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud…`);
  await cloud.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
