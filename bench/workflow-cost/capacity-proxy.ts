import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * A proxy in front of DynamoDB Local that adds `ReturnConsumedCapacity: TOTAL` to every request and sums
 * what DynamoDB Local reports, split into read and write units by operation. Every caller (handlers and
 * the Step Functions service's direct integrations) goes through it, so nothing is estimated.
 */
export async function capacityProxy(target: string) {
  const totals = {
    read: 0,
    write: 0,
    requests: 0,
    /** Requests, units and refusals (4xx: condition failures, transaction conflicts) per DynamoDB operation. */
    byOperation: {} as Record<string, { requests: number; units: number; refused: number }>,
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const amzTarget = String(request.headers['x-amz-target'] ?? '');
      const operation = amzTarget.split('.')[1] ?? '';
      // Lambda's polling of a table stream for its triggers is not billed in read units: passed through.
      const streams = amzTarget.startsWith('DynamoDBStreams');
      let body = Buffer.concat(chunks).toString('utf8');
      try {
        const json = JSON.parse(body) as Record<string, unknown>;
        if (
          !streams &&
          operation !== 'CreateTable' &&
          operation !== 'DescribeTable' &&
          operation !== 'UpdateTimeToLive'
        )
          json.ReturnConsumedCapacity = 'TOTAL';
        body = JSON.stringify(json);
      } catch {
        // not JSON: forward unchanged
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (name === 'host' || name === 'content-length' || value === undefined) continue;
        headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const answer = await fetch(`${target}${request.url ?? '/'}`, { method: request.method, headers, body });
      const text = await answer.text();
      try {
        if (streams) throw new Error('not counted');
        const parsed = JSON.parse(text) as { ConsumedCapacity?: unknown };
        const consumed = [parsed.ConsumedCapacity ?? []].flat() as { CapacityUnits?: number }[];
        const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (readOperations.has(operation)) totals.read += units;
        else totals.write += units;
        totals.requests++;
        totals.byOperation[operation] ??= { requests: 0, units: 0, refused: 0 };
        const figures = totals.byOperation[operation];
        figures.requests++;
        figures.units += units;
        if (answer.status >= 400) figures.refused++;
      } catch {
        // not JSON, or a stream read
      }
      response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    totals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
