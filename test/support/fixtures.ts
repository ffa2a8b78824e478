import type { LocationBody } from '../../functions/contracts/schemas';

/**
 * The locations and delivery address the adapter, handler and end-to-end tests share, kept in one place so
 * the expected sourcing outcomes (which depend on these coordinates and capabilities) agree across suites.
 */
export const warehouse: LocationBody = {
  type: 'warehouse',
  name: 'Dartford DC',
  lat: 51.4462,
  lng: 0.2176,
  fulfils: ['delivery'],
};

export const store: LocationBody = {
  type: 'store',
  name: 'Oxford Street',
  lat: 51.5152,
  lng: -0.1419,
  fulfils: ['delivery', 'same_day', 'pickup'],
  sameDayRadiusKm: 8,
};

/** In East London: the warehouse and the store can both deliver there. */
export const deliveryTo = {
  line1: '1 High St',
  city: 'London',
  postalCode: 'E1 6AN',
  country: 'GB',
  lat: 51.52,
  lng: -0.07,
};
