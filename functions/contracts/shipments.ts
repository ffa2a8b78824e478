import * as z from 'zod';

/**
 * Dispatch (issue 11): a reserved order's allocations become shipments, one per source location and kind,
 * each with its own dispatch workflow execution named after it.
 *
 * - `delivery`, `same_day`: from the source location to the customer (part 2 adds the carrier).
 * - `pickup`: handed over at the pickup store's counter (click-and-collect).
 * - `transfer`: from another location to the pickup store, for a pickup the store cannot serve itself
 *   (ship-to-store); the pickup shipment waits for it.
 */
export const shipmentTypes = ['delivery', 'same_day', 'pickup', 'transfer'] as const;
export const shipmentTypeSchema = z.enum(shipmentTypes);
export type ShipmentType = z.infer<typeof shipmentTypeSchema>;

/**
 * A shipment's life: PICKING (pick task open) → PACKING (picked, pack task open) → then by type:
 * delivery and same_day PACKED (waiting for the carrier) → HANDED_OVER → DELIVERED; pickup READY_FOR_PICKUP → COLLECTED or
 * NOT_COLLECTED; transfer IN_TRANSFER → RECEIVED. A pickup shipment waiting for its transfer is
 * AWAITING_TRANSFER. REJECTED (refused, short, timed out: its shortfall is re-routed) and CANCELLED end it
 * early.
 */
export const shipmentStatuses = [
  'AWAITING_TRANSFER',
  'PICKING',
  'PACKING',
  'PACKED',
  'IN_TRANSFER',
  'READY_FOR_PICKUP',
  'HANDED_OVER',
  // The carrier gave up after its attempts and is bringing the parcel back; staff at the origin receive it.
  'RETURNING',
  'RETURNED',
  'DELIVERED',
  'COLLECTED',
  'NOT_COLLECTED',
  'RECEIVED',
  'REJECTED',
  'CANCELLED',
] as const;
export const shipmentStatusSchema = z.enum(shipmentStatuses);

/**
 * The list above is in life-cycle order: everything before HANDED_OVER has not left with a carrier or the
 * customer (a cancellation stops it), and from PACKING on its units were picked off the shelf.
 */
const handedOver = shipmentStatuses.indexOf('HANDED_OVER');
export const stoppableShipmentStatuses: readonly string[] = shipmentStatuses.slice(0, handedOver);
export const pickedShipmentStatuses: readonly string[] = shipmentStatuses.slice(
  shipmentStatuses.indexOf('PACKING'),
  handedOver,
);
export type ShipmentStatus = z.infer<typeof shipmentStatusSchema>;
/** Every status a shipment is in once picked, whatever came after (before the early endings). */
export const afterPickStatuses: readonly ShipmentStatus[] = shipmentStatuses.slice(
  shipmentStatuses.indexOf('PACKING'),
  shipmentStatuses.indexOf('REJECTED'),
);

/**
 * Shipment ids are `<orderId>-<route>-<index>`: the order's system-wide id (at most 64 characters), the
 * sourcing round that created it (0 first, then one per re-route) and its place in that round's plan, sorted
 * by type and location. Re-running a step re-plans the same round from the same holds, so it names the same
 * shipments: never a second one. At most 70 characters, within a Step Functions execution name's 80.
 */
export const maxRoutes = 99;
export const shipmentIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,15}\.[A-Za-z0-9][A-Za-z0-9_-]{0,46}-\d{1,2}-\d{1,2}$/,
    'must be <orderId>-<route>-<index>',
  );

export function shipmentIdFor(orderId: string, route: number, index: number): string {
  if (!Number.isInteger(route) || route < 0 || route > maxRoutes)
    throw new RangeError(`route must be 0..${maxRoutes}, not ${route}`);
  if (!Number.isInteger(index) || index < 0 || index > 99)
    throw new RangeError(`index must be 0..99, not ${index}`);
  return `${orderId}-${route}-${index}`;
}

/** An IANA time zone the runtime knows (`Europe/London`), as `Intl` checks it. */
export const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, such as Europe/London');

/**
 * A location's dispatch settings (all optional on the location; `dispatchDefaults` fill in):
 * - `timeZone`: where its clocks run, for cut-offs;
 * - `sameDayCutoff` ("HH:MM" local): orders placed before it ship (or go out same-day) today;
 * - `pickWithinMinutes`: the pick-and-pack promise, which is also when a store's pick task falls due;
 * - `acceptsTransfers`: a pickup store that takes goods sent from elsewhere (ship-to-store);
 * - `pickupHoldHours`: how long a click-and-collect parcel waits at the counter;
 * - `acceptsReturns`: a store customers may bring returns to (every store does unless it says false).
 */
export const dispatchSettingsSchema = z.object({
  timeZone: timeZoneSchema.optional(),
  sameDayCutoff: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
    .optional(),
  pickWithinMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .optional(),
  acceptsTransfers: z.boolean().optional(),
  pickupHoldHours: z
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .optional(),
  acceptsReturns: z.boolean().optional(),
});
export type DispatchSettings = z.infer<typeof dispatchSettingsSchema>;

export const dispatchDefaults = {
  timeZone: 'Europe/London',
  sameDayCutoff: '14:00',
  pickWithinMinutes: 120,
  acceptsTransfers: false,
  pickupHoldHours: 72,
  acceptsReturns: true,
} as const satisfies Required<DispatchSettings>;

/**
 * Whether a shipment's promise is still to be kept (it is late once promisedBy passes): a delivery until it
 * is handed to a carrier, same-day until delivered, a pickup until it is ready at the counter, a transfer
 * until the store receives it. Ended shipments owe nothing.
 */
export function promisePending(type: ShipmentType, status: ShipmentStatus): boolean {
  const kept: Record<ShipmentType, ShipmentStatus> = {
    delivery: 'HANDED_OVER',
    same_day: 'DELIVERED',
    pickup: 'READY_FOR_PICKUP',
    transfer: 'RECEIVED',
  };
  if (['REJECTED', 'CANCELLED', 'NOT_COLLECTED', 'RETURNING', 'RETURNED'].includes(status)) return false;
  return shipmentStatuses.indexOf(status) < shipmentStatuses.indexOf(kept[type]);
}

/** The statuses a pending promise can be in: the late list's partitions, in life-cycle order. */
export const pendingStatuses = shipmentStatuses.filter((status) =>
  shipmentTypes.some((type) => promisePending(type, status)),
);

/** The order a shipment id names: the id less its `-<route>-<index>`. */
export function orderIdOfShipment(shipmentId: string): string | undefined {
  const parsed = /^(.+)-\d{1,2}-\d{1,2}$/.exec(shipmentId);
  return parsed && shipmentIdSchema.safeParse(shipmentId).success ? parsed[1] : undefined;
}

/**
 * The staff task a shipment's status opens, and where: none once it has left the staff's hands. `inspect` is
 * a return expected at a store (docs/returns.md), open until its goods are received.
 */
export const taskKinds = ['pick', 'pack', 'receive_transfer', 'collect', 'inspect'] as const;
export type TaskKind = (typeof taskKinds)[number];

export const taskKindSchema = z.enum(taskKinds);

export const listLocationTasksQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  nextToken: z.string().min(1).max(2048).optional(),
});

export const locationTaskSchema = z.object({
  taskId: z.string(),
  kind: taskKindSchema,
  /** The shipment the task is for; an inspect task names its return instead. */
  shipmentId: z.string().optional(),
  returnId: z.string().optional(),
  orderId: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  dueBy: z.iso.datetime(),
});

export const locationTaskListSchema = z.object({
  items: z.array(locationTaskSchema),
  nextToken: z.string().optional(),
});

export const shipmentIdParamsSchema = z.object({ shipmentId: shipmentIdSchema });

/** What staff picked: every line of the shipment, each SKU once. */
export const pickBodySchema = z.object({
  lines: z
    .array(
      z.object({
        sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a SKU'),
        qty: z.number().int().min(0).max(1_000_000_000),
      }),
    )
    .min(1)
    .max(100)
    .refine((lines) => new Set(lines.map((line) => line.sku)).size === lines.length, 'must not repeat a SKU'),
});
export type PickBody = z.infer<typeof pickBodySchema>;

/** Why a store refuses a shipment; `out_of_stock` also writes the held units off (a cycle-count correction). */
export const rejectReasons = ['out_of_stock', 'damaged', 'closed', 'too_busy', 'other'] as const;
export type RejectReason = (typeof rejectReasons)[number];
export const rejectBodySchema = z.object({ reason: z.enum(rejectReasons) });

/** What staff packed: the parcels, each with its weight (a carrier books by weight in part 2). */
export const packBodySchema = z.object({
  parcels: z
    .array(z.object({ weightGrams: z.number().int().min(1).max(1_000_000) }))
    .min(1)
    .max(50),
});
export type PackBody = z.infer<typeof packBodySchema>;

/** The parcels left with a carrier: who took them, and its tracking number when it gave one. */
export const handoverBodySchema = z.object({
  carrier: z.string().trim().min(1).max(100),
  trackingNumber: z.string().trim().min(1).max(100).optional(),
});
export type HandoverBody = z.infer<typeof handoverBodySchema>;

/** The customer's 6-digit code, read out or scanned at the counter. */
export const pickupCodeSchema = z.string().regex(/^\d{6}$/, 'must be the 6-digit pickup code');
export const collectBodySchema = z.object({ pickupCode: pickupCodeSchema });
export type CollectBody = z.infer<typeof collectBodySchema>;

/** Wrong pickup codes in a row that lock a shipment until ops unlock it. */
export const maxWrongPickupCodes = 5;

export const shipmentStepResponseSchema = z.object({
  shipmentId: shipmentIdSchema,
  status: shipmentStatusSchema,
});

/**
 * A packed delivery or same-day shipment's booking with a carrier (issue 12, docs/carriers.md): `book` (not
 * booked yet: BookCarrier books it), `attention` (no carrier took it: it waits for ops to rebook), `booked`
 * (waiting for the carrier's pick-up); a cancelled shipment still booked must `cancel` the booking; `none`
 * for everything else.
 */
export const carrierSteps = ['none', 'book', 'attention', 'booked', 'cancel'] as const;
export type CarrierStep = (typeof carrierSteps)[number];

/**
 * The wait a parked task token stands for: a shipment status, or NEEDS_CARRIER for a packed shipment no
 * carrier took (it waits for ops to rebook, while still PACKED).
 */
export const tokenWaitSchema = z.union([shipmentStatusSchema, z.literal('NEEDS_CARRIER')]);

/**
 * What a dispatch step answers the shipment's workflow with (the task token's output, or SettleStep's): the
 * status it is in now, which names the next wait, and the seconds that wait may last (a pick until dueBy,
 * a collection until pickupBy; a day where there is no deadline, after which it parks again).
 */
export const dispatchStepAnswerSchema = z.object({
  status: shipmentStatusSchema,
  waitSeconds: z.number().int().positive(),
  reroute: z.boolean(),
  /** What the shipment's carrier booking needs next (carrierSteps). */
  carrier: z.enum(carrierSteps),
});
export type DispatchStepAnswer = z.infer<typeof dispatchStepAnswerSchema>;

export const listShipmentsQuerySchema = z.object({
  status: z.enum(shipmentStatuses).optional(),
  late: z.enum(['true', 'false']).default('false'),
  /** Only packed shipments no carrier took (they wait for POST /ops/shipments/{id}/rebook). */
  attention: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  nextToken: z.string().min(1).max(2048).optional(),
});

/** A shipment as `GET /orders/{orderId}` shows it (docs/dispatch.md). */
export const shipmentViewSchema = z.object({
  shipmentId: shipmentIdSchema,
  type: shipmentTypeSchema,
  locationId: z.string(),
  destinationLocationId: z.string().optional(),
  status: shipmentStatusSchema,
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  dueBy: z.iso.datetime(),
  promisedBy: z.iso.datetime(),
  /** pickup, while READY_FOR_PICKUP: the code the customer shows (the channel's view only). */
  pickupCode: pickupCodeSchema.optional(),
  /** pickup, once packed: when it goes back on the shelf if nobody came. */
  pickupBy: z.iso.datetime().optional(),
  parcels: z.array(z.object({ weightGrams: z.number().int() })).optional(),
  handover: z.object({ carrier: z.string(), trackingNumber: z.string().optional() }).optional(),
  /** The registered carrier it was handed to, and what that carrier reported (docs/carriers.md). */
  carrierId: z.string().optional(),
  /** Booked through the carrier's API: its delivery, tracking number, fee and estimated arrival. */
  booking: z
    .object({
      deliveryId: z.string(),
      trackingNumber: z.string(),
      fee: z.number(),
      currency: z.string(),
      etaAt: z.iso.datetime(),
      bookedAt: z.iso.datetime(),
      cancelledAt: z.iso.datetime().optional(),
    })
    .optional(),
  /** No carrier took it (every eligible one declined or did not answer): ops rebook it. */
  attention: z.object({ reason: z.string(), since: z.iso.datetime() }).optional(),
  /** The booking attempts, in order: each carrier tried and what it answered. */
  bookingAttempts: z
    .array(
      z.object({
        carrierId: z.string(),
        outcome: z.string(),
        at: z.iso.datetime(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
  tracking: z
    .object({
      status: z.enum(['HANDED_OVER', 'OUT_FOR_DELIVERY', 'DELIVERED', 'RETURNING']),
      attempts: z.number().int(),
    })
    .optional(),
  proof: z
    .object({ kind: z.string(), ref: z.string(), lat: z.number().optional(), lng: z.number().optional() })
    .optional(),
  /** Wrong pickup codes so far; at maxWrongPickupCodes the shipment is locked until ops unlock it. */
  locked: z.boolean().optional(),
  events: z.array(
    z.object({
      at: z.iso.datetime(),
      status: shipmentStatusSchema,
      actor: z.string(),
      step: z.string(),
      reason: z.string().optional(),
    }),
  ),
});
export type ShipmentView = z.infer<typeof shipmentViewSchema>;

/** The input of dispatch's Lambda tasks (SettleStep, Reroute, BookCarrier, CancelBooking). */
export const dispatchTaskSchema = z.object({
  shipmentId: shipmentIdSchema,
  step: z.string().min(1),
  /** SettleStep: the status the failed wait parked in, and how it failed (States.Timeout: its deadline). */
  waitedIn: shipmentStatusSchema.optional(),
  /** The order (carrier booking tasks correlate their logs by it). */
  orderId: z.string().optional(),
  waitFailure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

export const shipmentListSchema = z.object({
  items: z.array(shipmentViewSchema.extend({ orderId: z.string() })),
  nextToken: z.string().optional(),
});
