import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TableRef } from '../adapters/dynamodb/client';
import { systemSecret } from '../adapters/dynamodb/system-secrets';
import type { ShipmentView } from '../contracts/shipments';
import { sha256Hex } from '../shared/hash';

/** The step that packs a shipment (app/staff-steps.ts names its events so). */
export const packStepName = 'Packed';

/**
 * Click-and-collect codes (docs/dispatch.md). A shipment's 6-digit code is an HMAC of its id and the moment
 * it was packed under a key the system keeps: the table stores only the code's hash, and the order view
 * derives the plain code again for the channel while the parcel waits. A code never doubles as anything
 * else, and a new packing (never, today) would give a new code.
 */
const keyName = 'pickup-code';

export async function pickupCodeFor(table: TableRef, shipmentId: string, packedAt: string): Promise<string> {
  const mac = createHmac('sha256', await systemSecret(table, keyName))
    .update(`${shipmentId}\n${packedAt}`)
    .digest();
  return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** What the shipment stores: a hash salted with its id, so equal codes of two shipments differ. */
export const pickupCodeHash = (shipmentId: string, code: string): string =>
  sha256Hex(`${shipmentId}\n${code}`);

export function isPickupCode(shipmentId: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(pickupCodeHash(shipmentId, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * When the parcel was packed for the counter: the code's other half. The packing event, not the latest
 * READY_FOR_PICKUP one: a wrong code or an unlock records an event in that status too, and must not change
 * the code the customer was given.
 */
export const packedAtOf = (shipment: Pick<ShipmentView, 'events'>): string | undefined =>
  shipment.events.find((event) => event.status === 'READY_FOR_PICKUP' && event.step === packStepName)?.at;

/**
 * The order view as a channel sees it: each parcel waiting at a counter shows its pickup code, derived again
 * from when it was packed, for the channel to pass to its customer. Nobody else sees a code, and no code is
 * shown once the parcel is collected or back on the shelf.
 */
export async function withPickupCodes<S extends Pick<ShipmentView, 'shipmentId' | 'status' | 'events'>>(
  table: TableRef,
  shipments: readonly S[],
): Promise<(S & { pickupCode?: string })[]> {
  return Promise.all(
    shipments.map(async (shipment) => {
      const packedAt = packedAtOf(shipment);
      if (shipment.status !== 'READY_FOR_PICKUP' || !packedAt) return shipment;
      return { ...shipment, pickupCode: await pickupCodeFor(table, shipment.shipmentId, packedAt) };
    }),
  );
}
