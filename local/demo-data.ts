import { randomBytes } from 'node:crypto';

/** Warehouses pick in batches: orders before 15:00 leave the same day, picked within 4 hours. */
const warehouseDispatch = {
  timeZone: 'Europe/London',
  sameDayCutoff: '15:00',
  pickWithinMinutes: 240,
} as const;
/** Stores pick between walk-in customers: an hour's promise, parcels wait three days at the counter. */
const storeDispatch = {
  timeZone: 'Europe/London',
  sameDayCutoff: '16:00',
  pickWithinMinutes: 60,
  pickupHoldHours: 72,
} as const;

/** Demo world for `npm start`: a London retailer with two warehouses, three stores and a dark store. */
export const demoLocations = {
  'WH-DARTFORD': {
    type: 'warehouse',
    name: 'Dartford DC',
    lat: 51.4462,
    lng: 0.2176,
    fulfils: ['delivery'],
    reorderPoint: 20,
    ...warehouseDispatch,
  },
  'WH-MILTON-KEYNES': {
    type: 'warehouse',
    name: 'Milton Keynes DC',
    lat: 52.0406,
    lng: -0.7594,
    fulfils: ['delivery'],
    reorderPoint: 20,
    ...warehouseDispatch,
  },
  'ST-OXFORD-ST': {
    type: 'store',
    name: 'Oxford Street',
    lat: 51.5152,
    lng: -0.1419,
    fulfils: ['delivery', 'same_day', 'pickup'],
    sameDayRadiusKm: 8,
    ...storeDispatch,
    acceptsTransfers: true,
  },
  'ST-CAMDEN': {
    type: 'store',
    name: 'Camden',
    lat: 51.539,
    lng: -0.1426,
    fulfils: ['same_day', 'pickup'],
    sameDayRadiusKm: 6,
    ...storeDispatch,
    acceptsTransfers: true,
  },
  'ST-BRIXTON': {
    type: 'store',
    name: 'Brixton',
    lat: 51.4613,
    lng: -0.1156,
    fulfils: ['same_day', 'pickup'],
    sameDayRadiusKm: 6,
    ...storeDispatch,
  },
  'DS-SHOREDITCH': {
    type: 'dark_store',
    name: 'Shoreditch dark store',
    lat: 51.5265,
    lng: -0.078,
    fulfils: ['same_day'],
    sameDayRadiusKm: 10,
    timeZone: 'Europe/London',
    sameDayCutoff: '20:00',
    pickWithinMinutes: 20,
  },
} as const;

/** onHand and safetyStock per SKU and location; stores keep a shelf buffer for walk-in customers. */
export const demoStock: Record<string, Record<string, { onHand: number; safetyStock: number }>> = {
  'SKU-TSHIRT-M': {
    'WH-DARTFORD': { onHand: 120, safetyStock: 0 },
    'WH-MILTON-KEYNES': { onHand: 80, safetyStock: 0 },
    'ST-OXFORD-ST': { onHand: 15, safetyStock: 3 },
    'ST-CAMDEN': { onHand: 8, safetyStock: 2 },
  },
  'SKU-SNEAKER-42': {
    'WH-DARTFORD': { onHand: 30, safetyStock: 0 },
    'ST-OXFORD-ST': { onHand: 6, safetyStock: 2 },
    'ST-BRIXTON': { onHand: 4, safetyStock: 1 },
    'DS-SHOREDITCH': { onHand: 12, safetyStock: 0 },
  },
  'SKU-HOODIE-L': {
    'WH-MILTON-KEYNES': { onHand: 40, safetyStock: 0 },
    'ST-CAMDEN': { onHand: 5, safetyStock: 2 },
  },
  'SKU-CAP-ONE': { 'ST-BRIXTON': { onHand: 2, safetyStock: 2 } },
};

export const demoSuppliers = {
  'SUP-ACME-APPAREL': [
    { sku: 'SKU-TSHIRT-M', available: 1000, leadTimeDays: 3, unitCost: 4.2 },
    { sku: 'SKU-HOODIE-L', available: 300, leadTimeDays: 5, unitCost: 11.5 },
    { sku: 'SKU-CAP-ONE', available: 200, leadTimeDays: 4, unitCost: 3.1 },
  ],
  'SUP-FLEET-FOOTWEAR': [{ sku: 'SKU-SNEAKER-42', available: 150, leadTimeDays: 7, unitCost: 28 }],
} as const;

/**
 * The demo's carriers, as registered with PUT /carriers (the apiUrl is the sandbox's, added at start), and
 * how the sandbox prices them. Same-day goes to the bike couriers first (priority 1), the parcel carrier
 * second; parcels only to the parcel carrier.
 */
export const demoCarrierSettings = {
  'CARRIER-SPEEDY': {
    registration: { name: 'Speedy Parcels', services: ['parcel', 'same_day'], priority: 2 },
    sandbox: { services: ['parcel', 'same_day'], baseFee: 4.5, feePerKm: 0.05 },
  },
  'CARRIER-BIKE-COURIERS': {
    registration: { name: 'Bike Couriers', services: ['same_day'], maxDistanceKm: 15, priority: 1 },
    sandbox: { services: ['same_day'], maxDistanceKm: 15, baseFee: 6, feePerKm: 0.8 },
  },
} as const;

export const demoCarriers = Object.keys(demoCarrierSettings) as (keyof typeof demoCarrierSettings)[];

/** Two sales channels, so the demo shows that each only sees its own orders. The first is the web shop. */
export const demoChannels = ['web-shop', 'marketplace'] as const;

export interface DemoKeys {
  /** The web shop's key (`channels['web-shop']`), the one the README uses. */
  channel: string;
  /** Every demo channel's key by channel id. */
  channels: Record<string, string>;
  ops: string;
  staff: Record<string, string>;
  supplier: Record<string, string>;
  /** Couriers' API keys (principals). */
  courier: Record<string, string>;
  /** Couriers' webhook signing secrets (Standard Webhooks): they sign, they never authenticate a request. */
  courierSigningSecret: Record<string, string>;
}

const newKey = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64url')}`;

export function generateDemoKeys(): DemoKeys {
  const channels = Object.fromEntries(demoChannels.map((id) => [id, newKey('chn')]));
  return {
    channel: channels[demoChannels[0]] as string,
    channels,
    ops: newKey('ops'),
    staff: Object.fromEntries(Object.keys(demoLocations).map((id) => [id, newKey('stf')])),
    supplier: Object.fromEntries(Object.keys(demoSuppliers).map((id) => [id, newKey('sup')])),
    courier: Object.fromEntries(demoCarriers.map((id) => [id, newKey('cou')])),
    courierSigningSecret: Object.fromEntries(demoCarriers.map((id) => [id, newKey('whsec')])),
  };
}
