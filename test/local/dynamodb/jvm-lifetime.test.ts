import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DynamoDbLocal,
  dynamoDbLocalCommand,
  startDynamoDbLocal,
} from '../../../local/emulators/dynamodb/dynamodb-local';
import { processIsRunning } from '../../../local/emulators/dynamodb/stale-jvms';
import { localCredentials, localRegion } from '../../../local/emulators/protocol/identity';
import { findFreePort, waitForPort } from '../../../local/emulators/protocol/net';
import { pollUntil } from '../../support/eventually';

/**
 * DynamoDB Local's JVM lives no longer than the process that started it, `kill -9` included, and a JVM
 * left on a data directory by an earlier run is stopped before a new one opens the same database.
 */
const owners: ChildProcess[] = [];
const started: DynamoDbLocal[] = [];
const strays: number[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const owner of owners.splice(0)) owner.kill('SIGKILL');
  await Promise.all(started.splice(0).map((dynamodb) => dynamodb.stop()));
  for (const pid of strays.splice(0)) if (processIsRunning(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'o2o-dynamodb-jvm-'));
  dirs.push(dir);
  return dir;
}

/** Running processes whose command line names `dir`: the JVM on it, and the watchdog that runs it. */
function processesNaming(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) && processIsRunning(pid);
      } catch {
        return false;
      }
    });
}

/** A liveness bound, not a timing assertion: the JVM must be gone eventually, on however busy a machine. */
const untilGone = (pids: () => number[]) =>
  pollUntil(async () => (pids().length === 0 ? true : undefined), 20_000, 100);

const clientFor = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });

async function spawnOwner(dir: string): Promise<{ owner: ChildProcess; jvmPid: number }> {
  const owner = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/dynamodb-local-owner.ts'), dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  owners.push(owner);
  const line = await new Promise<string>((resolve, reject) => {
    let printed = '';
    owner.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('\n')) resolve(printed);
    });
    owner.once('exit', (code) => reject(new Error(`the owner exited with ${code}`)));
  });
  const { jvmPid } = JSON.parse(line) as { jvmPid: number };
  strays.push(jvmPid);
  return { owner, jvmPid };
}

/** What the old code left behind: a JVM on `dir` whose parent is gone (re-parented to PID 1), serving. */
async function orphanJvm(dir: string): Promise<{ pid: number; endpoint: string }> {
  const port = await findFreePort();
  const shell = spawnSync(
    'sh',
    ['-c', '"$@" >/dev/null 2>&1 & echo $!', 'sh', ...dynamoDbLocalCommand(port, dir)],
    {
      encoding: 'utf8',
    },
  );
  const pid = Number.parseInt(shell.stdout, 10);
  strays.push(pid);
  await waitForPort(port, 120_000, () => !processIsRunning(pid));
  return { pid, endpoint: `http://127.0.0.1:${port}` };
}

describe('DynamoDB Local JVM lifetime', () => {
  it('kill -9 of the owning process stops its JVM and the watchdog', async () => {
    const dir = dataDir();
    const { owner, jvmPid } = await spawnOwner(dir);
    expect(processesNaming(dir)).toContain(jvmPid);

    owner.kill('SIGKILL');

    await untilGone(() => processesNaming(dir));
    expect(processIsRunning(jvmPid)).toBe(false);
  }, 180_000);

  it('stops a stale JVM left on the data directory, then serves that database', async () => {
    const dir = dataDir();
    const stale = await orphanJvm(dir);
    await clientFor(stale.endpoint).send(
      new CreateTableCommand({
        TableName: 'written-by-the-stale-jvm',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const lines: string[] = [];
    const dynamodb = await startDynamoDbLocal({ dbPath: dir, log: (line) => lines.push(line) });
    started.push(dynamodb);

    expect(processIsRunning(stale.pid)).toBe(false);
    expect(lines).toEqual([
      `Stopped a stale DynamoDB Local (pid ${stale.pid}) left running on ${dir} by an earlier run`,
    ]);
    const { TableNames } = await clientFor(dynamodb.endpoint).send(new ListTablesCommand({}));
    expect(TableNames).toEqual(['written-by-the-stale-jvm']);
  }, 180_000);

  it('refuses a data directory that a running owner still serves, and leaves that owner alone', async () => {
    const dir = dataDir();
    const first = await startDynamoDbLocal({ dbPath: dir });
    started.push(first);

    const second = startDynamoDbLocal({ dbPath: dir }).then((dynamodb) => started.push(dynamodb));
    await expect(second).rejects.toThrow(
      `DynamoDB Local (pid ${first.pid}) of another running local cloud already serves ${dir}`,
    );
    expect(processesNaming(dir)).toHaveLength(2);
    expect((await clientFor(first.endpoint).send(new ListTablesCommand({}))).TableNames).toEqual([]);
  }, 180_000);

  it('stops the JVM if its watchdog is killed while the owner lives on', async () => {
    const dir = dataDir();
    const dynamodb = await startDynamoDbLocal({ dbPath: dir });
    started.push(dynamodb);
    const watchdogPid = processesNaming(dir).find((pid) => pid !== dynamodb.pid);
    expect(watchdogPid).toBeDefined();

    process.kill(watchdogPid!, 'SIGKILL');

    await untilGone(() => processesNaming(dir));
  }, 180_000);
});
