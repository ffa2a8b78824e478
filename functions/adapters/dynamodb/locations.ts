import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import { type Location, type LocationBody, locationSchema } from '../../contracts/schemas';
import { callAws } from '../errors';
import { batchGetItems } from './batch-get';
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

/** Locations by id (unknown ids are simply absent). */
export async function getLocations(table: TableRef, locationIds: readonly string[]): Promise<Location[]> {
  const unique = [...new Set(locationIds)];
  const items = await batchGetItems(
    table,
    'getLocations',
    unique.map((id) => keys.location(id)),
  );
  return items.map(toLocation).sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
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
