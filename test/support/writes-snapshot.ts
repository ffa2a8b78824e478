import { ListExecutionsCommand, ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../../functions/adapters/dynamodb/client';

export interface WritesProbe {
  readonly table: TableRef;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  /** The run's tag: every id a suite's requests could write names it (the table is shared with other suites). */
  readonly tag: string;
}

/**
 * What a request could have written, for suites that check a refused request wrote nothing: the table's items
 * naming the run's tag, every queue's message counts and every workflow execution with its status. Compare
 * two snapshots as strings.
 */
export async function writesSnapshot({ table, sqs, sfn, tag }: WritesProbe): Promise<string> {
  const items: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.document.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      const json = JSON.stringify(item);
      if (json.includes(tag)) items.push(json);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const queues: Record<string, unknown> = {};
  for (const url of (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    queues[url] = Attributes;
  }
  const executions: string[] = [];
  for (const machine of (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []) {
    let nextToken: string | undefined;
    do {
      const listed = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, nextToken }),
      );
      executions.push(...(listed.executions ?? []).map((e) => `${e.executionArn} ${e.status}`));
      nextToken = listed.nextToken;
    } while (nextToken);
  }
  return JSON.stringify({ items: items.sort(), queues, executions: executions.sort() });
}

/**
 * What changed between two snapshots, one line per item, queue or execution: the suites take one snapshot
 * before and one after all their refused requests (a table scan per request was most of their time), and
 * the lines name what was written, which names the route that wrote it.
 */
export function snapshotDifference(before: string, after: string): string[] {
  type Snapshot = { items: string[]; queues: Record<string, unknown>; executions: string[] };
  const [was, is] = [JSON.parse(before) as Snapshot, JSON.parse(after) as Snapshot];
  const added = (from: string[], to: string[]) => to.filter((entry) => !from.includes(entry));
  return [
    ...added(was.items, is.items).map((item) => `item written: ${item}`),
    ...added(is.items, was.items).map((item) => `item gone or changed: ${item}`),
    ...Object.keys(is.queues)
      .filter((url) => JSON.stringify(is.queues[url]) !== JSON.stringify(was.queues[url]))
      .map((url) => `queue ${url}: ${JSON.stringify(was.queues[url])} → ${JSON.stringify(is.queues[url])}`),
    ...added(was.executions, is.executions).map((execution) => `execution: ${execution}`),
  ];
}
