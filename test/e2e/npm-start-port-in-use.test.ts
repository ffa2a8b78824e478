import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../local/system-resolution';
import { npmStartToExit } from '../support/npm-start-run';

/**
 * `npm start` on a port something else already holds: one line naming the port, exit 1, and nothing
 * started (DynamoDB Local's JVM would take seconds and outlive a crash).
 */
let holder: Server;
let heldPort: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  heldPort = (holder.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

const npmStart = (port: string) =>
  npmStartToExit(repositoryRoot, { PORT: port, LOCAL_STATE_DIR: '.local/port-in-use-test' });

describe('npm start on a port already in use', () => {
  it('exits 1 with one line naming the port, before any service starts', async () => {
    const { code, stdout, stderr } = await npmStart(String(heldPort));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringContaining(`Port ${heldPort} is already in use`)]);
    expect(stdout).not.toMatch(/DynamoDB Local|SQS|Lambda|Step Functions/);
  }, 180_000);

  it('refuses a PORT that is not a port number the same way', async () => {
    const { code, stdout, stderr } = await npmStart('70000');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('PORT=70000 is not a port number')]);
    expect(stdout).toBe('');
  }, 180_000);
});
