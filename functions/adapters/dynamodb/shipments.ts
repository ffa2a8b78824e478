import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import {
  maxWrongPickupCodes,
  orderIdOfShipment,
  promisePending,
  type ShipmentStatus,
  type ShipmentView,
  shipmentStatusSchema,
  shipmentTypeSchema,
  type TaskKind,
  tokenWaitSchema,
} from '../../contracts/shipments';
import { lateAgainst } from '../../core/carrier-sla';
import type { PlannedShipment } from '../../core/shipments';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { compact, isConditionalCheckFailed, type TransactItem } from './items';

const lineSchema = z.object({ sku: z.string(), qty: z.number().int().nonnegative() });
const shipmentEventSchema = z.object({
  at: z.string(),
  status: shipmentStatusSchema,
  actor: z.string(),
  step: z.string(),
  reason: z.string().optional(),
});
export type ShipmentEvent = z.infer<typeof shipmentEventSchema>;

export const shipmentRecordSchema = z.object({
  shipmentId: z.string(),
  orderId: z.string(),
  type: shipmentTypeSchema,
  locationId: z.string(),
  destinationLocationId: z.string().optional(),
  lines: z.array(lineSchema),
  awaits: z.array(z.string()),
  status: shipmentStatusSchema,
  dueBy: z.string(),
  promisedBy: z.string(),
  version: z.number().int().positive(),
  events: z.array(shipmentEventSchema),
  /** The dispatch workflow's parked task token, and the status it waits in (a token answers one step). */
  taskToken: z.string().optional(),
  tokenStatus: tokenWaitSchema.optional(),
  parcels: z.array(z.object({ weightGrams: z.number().int() })).optional(),
  handover: z.object({ carrier: z.string(), trackingNumber: z.string().optional() }).optional(),
  /** pickup: the code's hash (app/pickup-codes.ts; the plain code is derived again for the channel). */
  pickupCodeHash: z.string().optional(),
  pickupBy: z.string().optional(),
  wrongPickupCodes: z.number().int().nonnegative().optional(),
  /**
   * Handed to a registered carrier: only that carrier may report on it. Booked through its API (BookCarrier),
   * it also has the carrier's delivery id, tracking number, fee and estimated arrival; cancelledAt once a
   * cancellation reached the carrier.
   */
  booking: z
    .object({
      carrierId: z.string(),
      deliveryId: z.string().optional(),
      trackingNumber: z.string().optional(),
      fee: z.number().optional(),
      currency: z.string().optional(),
      etaAt: z.string().optional(),
      bookedAt: z.string().optional(),
      cancelledAt: z.string().optional(),
      /** The carrier refused the cancellation (it had picked the parcel up): ops settle it with the carrier. */
      cancelRefused: z.string().optional(),
    })
    .optional(),
  /** A booking request on its way to this carrier: a retried BookCarrier asks it again first, with the same key. */
  pendingBooking: z.object({ carrierId: z.string(), idempotencyKey: z.string() }).optional(),
  /** Every booking attempt: the carrier, what it answered (booked, declined, timeout, error) and why. */
  bookingAttempts: z
    .array(
      z.object({ carrierId: z.string(), outcome: z.string(), at: z.string(), reason: z.string().optional() }),
    )
    .optional(),
  /** No carrier took it: listed for ops (GET /ops/shipments?attention=true) until rebooked. */
  attention: z.object({ reason: z.string(), since: z.string() }).optional(),
  /** How many times ops asked for a new booking round. */
  rebooks: z.number().int().nonnegative().optional(),
  /** What the carrier reported (core/tracking.ts): its status, failed attempts and every distinct event. */
  tracking: z
    .object({
      status: z.enum(['HANDED_OVER', 'OUT_FOR_DELIVERY', 'DELIVERED', 'RETURNING']),
      attempts: z.number().int().nonnegative(),
      events: z.array(
        z.object({
          id: z.string(),
          type: z.enum([
            'picked_up',
            'out_for_delivery',
            'delivery_failed',
            'delivered',
            'returned_to_sender',
          ]),
          at: z.string(),
        }),
      ),
    })
    .optional(),
  /** delivered: the carrier's proof. */
  proof: z
    .object({
      kind: z.string(),
      ref: z.string(),
      lat: z.number().optional(),
      lng: z.number().optional(),
    })
    .optional(),
  /** pickup: units its transfers brought to the store (handed over with its own lines). */
  received: z.array(lineSchema).optional(),
  /** REJECTED: why, and the units the re-route must find elsewhere. */
  rejection: z
    .object({
      reason: z.string(),
      shortfall: z.array(lineSchema),
      /** The re-route's round once it ran (idempotency of the Reroute step); 0 when nothing was re-routed. */
      reroutedAs: z.number().int().optional(),
      /** The order's re-route cap was reached: the units were given up instead. */
      capped: z.boolean().optional(),
    })
    .optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ShipmentRecord = z.infer<typeof shipmentRecordSchema>;

/**
 * The staff task a shipment in `status` waits for, and at which location: pick and pack where it is picked,
 * the transfer's arrival at its destination store, the collection at the pickup counter. None otherwise.
 */
export function openTask(
  shipment: Pick<ShipmentRecord, 'type' | 'status' | 'locationId' | 'destinationLocationId'>,
): { kind: TaskKind; locationId: string } | undefined {
  switch (shipment.status) {
    case 'PICKING':
      return { kind: 'pick', locationId: shipment.locationId };
    case 'PACKING':
      return { kind: 'pack', locationId: shipment.locationId };
    case 'IN_TRANSFER':
      return shipment.destinationLocationId
        ? { kind: 'receive_transfer', locationId: shipment.destinationLocationId }
        : undefined;
    case 'READY_FOR_PICKUP':
      return { kind: 'collect', locationId: shipment.locationId };
    default:
      return undefined;
  }
}

/** When a shipment's open task falls due: a collection by pickupBy, anything else by dueBy. */
export const taskDueBy = (shipment: Pick<ShipmentRecord, 'status' | 'dueBy' | 'pickupBy'>): string =>
  shipment.status === 'READY_FOR_PICKUP' && shipment.pickupBy ? shipment.pickupBy : shipment.dueBy;

/** What a planned shipment starts as: a pickup waiting for its transfers, else picking. */
const initialStatus = (planned: PlannedShipment): ShipmentStatus =>
  planned.awaits.length > 0 ? 'AWAITING_TRANSFER' : 'PICKING';

/**
 * The Puts that create a round's shipments, for the caller's transaction (with the order's change). Each is
 * conditioned on not existing: a re-run that planned the same ids fails its transaction, and the caller then
 * reads what the first run wrote (shipment ids are deterministic, contracts/shipments.ts).
 */
export function shipmentPuts(
  table: TableRef,
  orderId: string,
  planned: readonly PlannedShipment[],
  context: { readonly at: string; readonly actor: string; readonly step: string },
): TransactItem[] {
  return planned.map((shipment) => {
    const status = initialStatus(shipment);
    const record: ShipmentRecord = {
      ...shipment,
      lines: [...shipment.lines],
      awaits: [...shipment.awaits],
      orderId,
      status,
      version: 1,
      events: [{ at: context.at, status, actor: context.actor, step: context.step }],
      createdAt: context.at,
      updatedAt: context.at,
    };
    const task = openTask(record);
    return {
      Put: {
        TableName: table.tableName,
        Item: compact({
          ...keys.shipment(orderId, shipment.shipmentId),
          entity: 'shipment',
          ...record,
          ...(task ? keys.locationTask(task.locationId, record.dueBy, record.shipmentId) : {}),
          ...(promisePending(record.type, status)
            ? keys.pendingPromise(status, record.promisedBy, record.shipmentId)
            : {}),
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  });
}

export async function getShipment(table: TableRef, shipmentId: string): Promise<ShipmentRecord | undefined> {
  const orderId = orderIdOfShipment(shipmentId);
  if (!orderId) return undefined;
  const { Item } = await callAws('getShipment', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.shipment(orderId, shipmentId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item ? shipmentRecordSchema.parse(Item) : undefined;
}

/**
 * The write that moves `current` to `to`: its event appended, its staff task index set to the new status's
 * task (or removed), conditioned on the version read. For a transaction, or sent alone by moveShipment.
 */
export function shipmentMove(
  table: TableRef,
  current: ShipmentRecord,
  to: ShipmentStatus,
  event: Omit<ShipmentEvent, 'status'>,
  /** Fields the step also sets (parcels, the pickup code's hash, …), written with the move. */
  fields: Partial<Pick<ShipmentRecord, MovableField>> = {},
  /** Fields the step removes (a resolved attention, an answered pending booking). */
  clears: readonly MovableField[] = [],
): { item: { Update: NonNullable<TransactItem['Update']> }; next: ShipmentRecord } {
  const recorded: ShipmentEvent = { ...event, status: to };
  const kept = Object.fromEntries(
    Object.entries(current).filter(([name]) => !clears.includes(name as MovableField)),
  );
  const next: ShipmentRecord = {
    ...(kept as ShipmentRecord),
    ...fields,
    status: to,
    version: current.version + 1,
    events: [...current.events, recorded],
    updatedAt: recorded.at,
  };
  const task = openTask(next);
  const taskKey = task
    ? keys.locationTask(task.locationId, taskDueBy(next), current.shipmentId)
    : next.status === 'PACKED' && next.attention
      ? keys.shipmentAttention(next.attention.since, current.shipmentId)
      : undefined;
  const extra = Object.keys(fields).filter((name) => fields[name as MovableField] !== undefined);
  const deadline = lateAgainst(next);
  const promiseKey = deadline ? keys.pendingPromise(to, deadline, current.shipmentId) : undefined;
  const set = `SET #status = :to, version = :next, events = list_append(events, :event), updatedAt = :at${
    taskKey ? ', gsi1pk = :gsi1pk, gsi1sk = :gsi1sk' : ''
  }${promiseKey ? ', gsi2pk = :gsi2pk, gsi2sk = :gsi2sk' : ''}${extra.map((name) => `, #${name} = :${name}`).join('')}`;
  const removed = [
    ...(taskKey ? [] : ['gsi1pk', 'gsi1sk']),
    ...(promiseKey ? [] : ['gsi2pk', 'gsi2sk']),
    ...clears.map((name) => `#${name}`),
  ];
  return {
    next,
    item: {
      Update: {
        TableName: table.tableName,
        Key: keys.shipment(current.orderId, current.shipmentId),
        UpdateExpression: removed.length > 0 ? `${set} REMOVE ${removed.join(', ')}` : set,
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries([...extra, ...clears].map((name) => [`#${name}`, name])),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(extra.map((name) => [`:${name}`, fields[name as MovableField]])),
          ':to': to,
          ':next': next.version,
          ':event': [compact(recorded)],
          ':at': recorded.at,
          ':version': current.version,
          ...(taskKey ? { ':gsi1pk': taskKey.gsi1pk, ':gsi1sk': taskKey.gsi1sk } : {}),
          ...(promiseKey ? { ':gsi2pk': promiseKey.gsi2pk, ':gsi2sk': promiseKey.gsi2sk } : {}),
        },
      },
    },
  };
}

/** What a step may set besides the status (never the keys, the version or the events). */
export type MovableField =
  | 'lines'
  | 'booking'
  | 'pendingBooking'
  | 'bookingAttempts'
  | 'attention'
  | 'rebooks'
  | 'tracking'
  | 'proof'
  | 'awaits'
  | 'received'
  | 'dueBy'
  | 'parcels'
  | 'handover'
  | 'pickupCodeHash'
  | 'pickupBy'
  | 'wrongPickupCodes'
  | 'rejection';

export type ShipmentTransition =
  | { readonly outcome: 'moved' | 'already'; readonly shipment: ShipmentRecord }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'conflict'; readonly shipment: ShipmentRecord };

/**
 * Moves a shipment from `from` to `to`, with an event, and its staff task index to the new status's task (or
 * off it). Conditioned on the version read, so two staff members pressing at once move it once. Idempotent:
 * a shipment already in `to` answers `already` with what it is; any other status is a `conflict`.
 */
export async function moveShipment(
  table: TableRef,
  shipmentId: string,
  move: {
    readonly from: readonly ShipmentStatus[];
    readonly to: ShipmentStatus;
    readonly event: Omit<ShipmentEvent, 'status'>;
  },
): Promise<ShipmentTransition> {
  for (;;) {
    const current = await getShipment(table, shipmentId);
    if (!current) return { outcome: 'not-found' };
    if (current.status === move.to) return { outcome: 'already', shipment: current };
    if (!move.from.includes(current.status)) return { outcome: 'conflict', shipment: current };
    const { item, next } = shipmentMove(table, current, move.to, move.event);
    try {
      await callAws('moveShipment', () => table.document.send(new UpdateCommand(item.Update)));
      return { outcome: 'moved', shipment: next };
    } catch (error) {
      // Someone else moved it first: read again and answer from what it is now.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/** A shipment as the order view shows it (contracts/shipments.ts shipmentViewSchema). */
export const shipmentView = (shipment: ShipmentRecord): ShipmentView =>
  compact({
    shipmentId: shipment.shipmentId,
    type: shipment.type,
    locationId: shipment.locationId,
    destinationLocationId: shipment.destinationLocationId,
    status: shipment.status,
    lines: shipment.lines,
    dueBy: shipment.dueBy,
    promisedBy: shipment.promisedBy,
    pickupBy: shipment.pickupBy,
    parcels: shipment.parcels,
    handover: shipment.handover,
    carrierId: shipment.booking?.carrierId,
    booking: bookingView(shipment.booking),
    attention: shipment.attention,
    bookingAttempts: shipment.bookingAttempts,
    tracking: shipment.tracking
      ? { status: shipment.tracking.status, attempts: shipment.tracking.attempts }
      : undefined,
    proof: shipment.proof,
    locked: (shipment.wrongPickupCodes ?? 0) >= maxWrongPickupCodes ? true : undefined,
    events: shipment.events,
  });

/** The carrier's booking as the views show it, once booked through its API (a staff hand-over has none). */
function bookingView(booking: ShipmentRecord['booking']): ShipmentView['booking'] {
  if (!booking?.deliveryId || !booking.trackingNumber || !booking.etaAt || !booking.bookedAt)
    return undefined;
  return compact({
    deliveryId: booking.deliveryId,
    trackingNumber: booking.trackingNumber,
    fee: booking.fee ?? 0,
    currency: booking.currency ?? 'GBP',
    etaAt: booking.etaAt,
    bookedAt: booking.bookedAt,
    cancelledAt: booking.cancelledAt,
  });
}
