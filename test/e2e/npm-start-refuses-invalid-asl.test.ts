import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../local/system-resolution';
import { npmStartToExit } from '../support/npm-start-run';

/**
 * `npm start` refuses a workflow AWS would refuse: in a copy of the project (node_modules symlinked) one
 * workflow gets the optimized DynamoDB integration with `.waitForTaskToken`, which CreateStateMachine
 * rejects. npm start must exit non-zero before starting anything, with one line naming the ASL file, the
 * state and the rule.
 */
const copy = mkdtempSync(join(tmpdir(), 'o2o-invalid-asl-'));
const skipped = new Set(['node_modules', '.git', '.local', 'cdk.out', 'coverage']);

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

function plantedCopy(file: string, from: string, to: string): void {
  cpSync(repositoryRoot, copy, { recursive: true, filter: (source) => !skipped.has(basename(source)) });
  symlinkSync(join(repositoryRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const path = join(copy, file);
  const original = readFileSync(path, 'utf8');
  if (!original.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  writeFileSync(path, original.replace(from, to));
}

const npmStart = (cwd: string) => npmStartToExit(cwd, { PORT: '0', LOCAL_STATE_DIR: join(cwd, '.local') });

describe('npm start with a workflow AWS would refuse', () => {
  it('exits non-zero before starting anything, with one line naming the file, the state and the rule', async () => {
    plantedCopy(
      'workflows/fulfilment/fulfilment.asl.json',
      'arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken',
      'arn:aws:states:::dynamodb:updateItem.waitForTaskToken',
    );
    const { code, stdout, stderr } = await npmStart(copy);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('workflows/fulfilment/fulfilment.asl.json');
    expect(lines[0]).toContain('"AwaitBackorderAllocation"');
    expect(lines[0]).toContain('INVALID_RESOURCE at /States/AwaitBackorderAllocation/Resource');
    expect(lines[0]).toContain('.waitForTaskToken');
    // Nothing started: no service logged a line, no endpoints were written.
    expect(stdout).not.toMatch(/DynamoDB Local|SQS|Lambda|Step Functions/);
  }, 180_000);
});
