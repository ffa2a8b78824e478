import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import {
  pendingStatuses,
  type ShipmentStatus,
  type ShipmentView,
  type TaskKind,
} from '../../contracts/shipments';
import { callAws } from '../errors';
import { batchGetItems } from './batch-get';
import type { TableRef } from './client';
import { openTask, shipmentRecordSchema, shipmentView, taskDueBy } from './shipments';

export interface LocationTask {
  readonly taskId: string;
  readonly kind: TaskKind;
  readonly shipmentId?: string;
  readonly returnId?: string;
  readonly orderId: string;
  readonly lines: readonly { readonly sku: string; readonly qty: number }[];
  readonly dueBy: string;
}

/**
 * A page token: the last item's index key (a shipment, a return, or an order of a customer), checked to be one
 * of the partition's (never trusted as given).
 */
const pageKeySchema = z.strictObject({
  pk: z.string().startsWith('ORDER#'),
  sk: z
    .string()
    .refine(
      (sk) =>
        sk === keys.order('').sk ||
        sk.startsWith(keys.shipmentPrefix) ||
        sk.startsWith(keys.orderReturnPrefix),
    ),
  gsi1pk: z.string(),
  gsi1sk: z.string(),
});

export class InvalidTaskPageToken extends Error {
  override readonly name = 'InvalidTaskPageToken';
}

/**
 * A page token this API issued (base64url JSON of the last key read), parsed with `schema` and held to
 * `belongs`; anything else is an InvalidTaskPageToken (a 400), never a key passed to DynamoDB as given.
 */
export function decodePageToken<T>(
  token: string,
  schema: z.ZodType<T>,
  belongs: (parsed: T) => boolean = () => true,
): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTaskPageToken('nextToken is not a token this API issued');
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success || !belongs(parsed.data))
    throw new InvalidTaskPageToken('nextToken is not a token this API issued');
  return parsed.data;
}

/** A location's open staff tasks, oldest due first, a page at a time. */
export async function listLocationTasks(
  table: TableRef,
  locationId: string,
  page: { readonly limit: number; readonly nextToken?: string },
): Promise<{ items: LocationTask[]; nextToken?: string }> {
  const { items: found, nextToken } = await queryIndexPage(
    table,
    keys.locationTasksPartition(locationId),
    page,
    'listLocationTasks',
  );
  const items = found.flatMap((item): LocationTask[] => {
    // A return expected here (store drop-off): inspect it when it comes.
    if (item.entity === 'return')
      return [
        {
          taskId: `${String(item.returnId)}.inspect`,
          kind: 'inspect',
          returnId: String(item.returnId),
          orderId: String(item.orderId),
          lines: (item.lines as { sku: string; qty: number }[]).map(({ sku, qty }) => ({ sku, qty })),
          dueBy: String(item.dropOffBy),
        },
      ];
    const shipment = shipmentRecordSchema.parse(item);
    const task = openTask(shipment);
    if (!task) return [];
    return [
      {
        taskId: `${shipment.shipmentId}.${task.kind}`,
        kind: task.kind,
        shipmentId: shipment.shipmentId,
        orderId: shipment.orderId,
        lines: shipment.lines,
        dueBy: taskDueBy(shipment),
      },
    ];
  });
  return { items, ...(nextToken ? { nextToken } : {}) };
}

/** Packed shipments no carrier took, longest waiting first (docs/carriers.md): what ops rebook. */
export async function listAttentionShipments(
  table: TableRef,
  page: { readonly limit: number; readonly nextToken?: string },
): Promise<{ items: ListedShipment[]; nextToken?: string }> {
  const { items: found, nextToken } = await queryIndexPage(
    table,
    keys.shipmentAttentionPartition,
    page,
    'listAttentionShipments',
  );
  const items = found
    .map((item) => shipmentRecordSchema.parse(item))
    .filter((shipment) => shipment.status === 'PACKED' && shipment.attention)
    .map((shipment) => ({ ...shipmentView(shipment), orderId: shipment.orderId }));
  return { items, ...(nextToken ? { nextToken } : {}) };
}

/**
 * One page of the items in a gsi1 partition; the page token is checked to be one of that partition's.
 * `between` narrows the sort keys, `newestFirst` reads them backwards, `where` filters (after the read).
 */
export async function queryIndexPage(
  table: TableRef,
  partition: string,
  page: { readonly limit: number; readonly nextToken?: string },
  operation: string,
  narrow: {
    readonly between?: readonly [string, string];
    readonly newestFirst?: boolean;
    readonly where?: {
      readonly expression: string;
      readonly names: Record<string, string>;
      readonly values: Record<string, unknown>;
    };
  } = {},
): Promise<{ items: Record<string, unknown>[]; nextToken?: string }> {
  let startKey: Record<string, unknown> | undefined;
  if (page.nextToken) {
    const { between } = narrow;
    startKey = decodePageToken(
      page.nextToken,
      pageKeySchema,
      (key) =>
        key.gsi1pk === partition && (!between || (key.gsi1sk >= between[0] && key.gsi1sk <= between[1])),
    );
  }
  const result = await callAws(operation, () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: narrow.between
          ? 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to'
          : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': partition,
          ...(narrow.between ? { ':from': narrow.between[0], ':to': narrow.between[1] } : {}),
          ...narrow.where?.values,
        },
        ...(narrow.where
          ? { FilterExpression: narrow.where.expression, ExpressionAttributeNames: narrow.where.names }
          : {}),
        ...(narrow.newestFirst ? { ScanIndexForward: false } : {}),
        Limit: page.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    ),
  );
  const last = result.LastEvaluatedKey;
  return {
    items: result.Items ?? [],
    ...(last ? { nextToken: Buffer.from(JSON.stringify(last)).toString('base64url') } : {}),
  };
}

/** A shipment in the ops list: as the order view shows it, with its order. */
export type ListedShipment = ShipmentView & { readonly orderId: string };

/**
 * Shipments whose promise is still pending (docs/dispatch.md), oldest promise first, through the sparse
 * keys-only gsi2 (the shipments are then read in a batch): one status, or every pending status in life-cycle order; with `late`, only those past promisedBy
 * (a range on the sort key: promisedBy before now). A page token names the status it stopped in and the
 * last key there; it is checked, never trusted as given.
 */
export async function listPendingShipments(
  table: TableRef,
  query: {
    readonly status?: ShipmentStatus;
    readonly late: boolean;
    readonly now: Date;
    readonly limit: number;
    readonly nextToken?: string;
  },
): Promise<{ items: ListedShipment[]; nextToken?: string }> {
  const statuses = query.status ? [query.status] : pendingStatuses;
  const start = decodePromiseToken(query.nextToken, statuses);
  const items: ListedShipment[] = [];
  for (let index = start.index; index < statuses.length; index++) {
    const status = statuses[index] as ShipmentStatus;
    let startKey: Record<string, unknown> | undefined = index === start.index ? start.key : undefined;
    do {
      const page = await queryPromises(table, status, query, query.limit - items.length, startKey);
      items.push(...page.items);
      startKey = page.last;
      if (items.length >= query.limit)
        return startKey || index + 1 < statuses.length
          ? { items, nextToken: encodePromiseToken(startKey ? index : index + 1, startKey) }
          : { items };
    } while (startKey);
  }
  return { items };
}

/** How many shipments are past their promise, per status: the LateShipments metric. */
export async function countLateShipments(table: TableRef, now: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of pendingStatuses) {
    let startKey: Record<string, unknown> | undefined;
    let count = 0;
    do {
      const result = await callAws('countLateShipments', () =>
        table.document.send(
          new QueryCommand({
            ...promiseQuery(table, status, now, true),
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    counts[status] = count;
  }
  return counts;
}

const promiseQuery = (table: TableRef, status: string, now: Date, late: boolean) => ({
  TableName: table.tableName,
  IndexName: 'gsi2',
  KeyConditionExpression: late ? 'gsi2pk = :pk AND gsi2sk < :now' : 'gsi2pk = :pk',
  ExpressionAttributeValues: {
    ':pk': keys.pendingPromisesPartition(status),
    ...(late ? { ':now': now.toISOString() } : {}),
  },
});

async function queryPromises(
  table: TableRef,
  status: ShipmentStatus,
  query: { readonly late: boolean; readonly now: Date },
  limit: number,
  startKey: Record<string, unknown> | undefined,
) {
  const result = await callAws('listPendingShipments', () =>
    table.document.send(
      new QueryCommand({
        ...promiseQuery(table, status, query.now, query.late),
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    ),
  );
  // The index holds keys only (writes stay cheap); the shipments themselves are read in one batch, in the
  // index's order. One that ended between the two reads is left out.
  const keysFound = (result.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
  const found = await batchGetItems(table, 'listPendingShipments', keysFound);
  const bySortKey = new Map(found.map((item) => [`${item.pk}|${item.sk}`, shipmentRecordSchema.parse(item)]));
  return {
    items: keysFound.flatMap(({ pk, sk }) => {
      const shipment = bySortKey.get(`${pk}|${sk}`);
      return shipment ? [{ ...shipmentView(shipment), orderId: shipment.orderId }] : [];
    }),
    last: result.LastEvaluatedKey,
  };
}

const promiseTokenSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  key: z
    .strictObject({
      pk: z.string().startsWith('ORDER#'),
      sk: z
        .string()
        .refine((sk) => sk.startsWith(keys.shipmentPrefix) || sk.startsWith(keys.orderReturnPrefix)),
      gsi2pk: z.string(),
      gsi2sk: z.string(),
    })
    .optional(),
});

const encodePromiseToken = (index: number, key: Record<string, unknown> | undefined) =>
  Buffer.from(JSON.stringify({ index, ...(key ? { key } : {}) })).toString('base64url');

function decodePromiseToken(token: string | undefined, statuses: readonly string[]) {
  if (!token) return { index: 0, key: undefined };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTaskPageToken('nextToken is not a token this API issued');
  }
  const parsed = promiseTokenSchema.safeParse(decoded);
  const status = parsed.success ? statuses[parsed.data.index] : undefined;
  if (
    !parsed.success ||
    !status ||
    (parsed.data.key && parsed.data.key.gsi2pk !== keys.pendingPromisesPartition(status))
  )
    throw new InvalidTaskPageToken('nextToken is not a token this API issued');
  return parsed.data;
}
