import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import { type Location, type LocationBody, locationSchema } from '../../contracts/schemas';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { compact } from './items';
import { queryAll } from './query';

export async function saveLocation(
  table: TableRef,
  locationId: string,
  body: LocationBody,
  now: Date,
): Promise<Location> {
  const location: Location = { locationId, ...body, updatedAt: now.toISOString() };
  await callAws('saveLocation', () =>
    table.document.send(
      new PutCommand({
        TableName: table.tableName,
        Item: compact({
          ...keys.location(locationId),
          ...keys.locationIndex(locationId),
          entity: 'location',
          ...location,
        }),
      }),
    ),
  );
  return location;
}

export async function getLocation(table: TableRef, locationId: string): Promise<Location | undefined> {
  const { Item } = await callAws('getLocation', () =>
    table.document.send(new GetCommand({ TableName: table.tableName, Key: keys.location(locationId) })),
  );
  return Item ? toLocation(Item) : undefined;
}

const batchGetLimit = 100;

/** Locations by id (unknown ids are simply absent), retrying what DynamoDB leaves unprocessed. */
export async function getLocations(table: TableRef, locationIds: readonly string[]): Promise<Location[]> {
  const unique = [...new Set(locationIds)];
  const found: Location[] = [];
  for (let start = 0; start < unique.length; start += batchGetLimit) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [table.tableName]: { Keys: unique.slice(start, start + batchGetLimit).map((id) => keys.location(id)) },
    };
    while (request && Object.keys(request).length > 0) {
      const pending: typeof request = request;
      const response = await callAws('getLocations', () =>
        table.document.send(new BatchGetCommand({ RequestItems: pending })),
      );
      found.push(...(response.Responses?.[table.tableName] ?? []).map(toLocation));
      request = response.UnprocessedKeys as typeof request;
    }
  }
  return found.sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
}

/** Every location (through the `LOCATIONS` index partition), by id. */
export async function listLocations(table: TableRef): Promise<Location[]> {
  const items = await queryAll(table, 'listLocations', {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.locationIndex('').gsi1pk },
  });
  return items.map(toLocation);
}

/** The SKUs a location keeps stock records for (through its index partition), each once. */
export async function listStockedSkus(table: TableRef, locationId: string): Promise<string[]> {
  const { gsi1pk } = keys.stockByLocation('', locationId);
  const items = await queryAll(table, 'listStockedSkus', {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
    ExpressionAttributeValues: { ':pk': gsi1pk, ':prefix': keys.stockPrefix },
  });
  return [...new Set(items.map((item) => String(item.sku)))];
}

function toLocation(item: Record<string, unknown>): Location {
  return locationSchema.parse(item);
}
