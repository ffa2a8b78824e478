import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { isConditionalCheckFailed } from './items';

/** A warm function reads each key once. */
const cache = new Map<string, Buffer>();

/**
 * A random 256-bit key the system keeps for itself (the pickup-code key, app/pickup-codes.ts), created on
 * first use with a conditional put: two functions racing to create it both end up with the one that won.
 * It lives in the table, so it is as secret as the table; docs/dispatch.md says what a deployment that
 * wants more should use (KMS GenerateMac keeps the key out of reach altogether).
 */
export async function systemSecret(table: TableRef, name: string): Promise<Buffer> {
  const cached = cache.get(`${table.tableName}/${name}`);
  if (cached) return cached;
  const key = keys.systemSecret(name);
  const read = async () => {
    const { Item } = await callAws('getSystemSecret', () =>
      table.document.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true })),
    );
    return typeof Item?.value === 'string' ? Buffer.from(Item.value, 'base64') : undefined;
  };
  let secret = await read();
  if (!secret) {
    const created = randomBytes(32);
    try {
      await callAws('createSystemSecret', () =>
        table.document.send(
          new PutCommand({
            TableName: table.tableName,
            Item: { ...key, entity: 'secret', value: created.toString('base64') },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      secret = created;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      secret = await read();
    }
  }
  if (!secret) throw new Error(`system secret ${name} vanished while being created`);
  cache.set(`${table.tableName}/${name}`, secret);
  return secret;
}
