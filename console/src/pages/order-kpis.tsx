import { get } from '../api';
import { BarChart } from '../chart';
import { useLoad } from '../hooks';
import { Problem, When } from '../widgets';

interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
}
interface OrderKpis {
  orders: number;
  byStatus: Record<string, number>;
  fillRate: number | null;
  backorderRate: number | null;
  time: { reserve: Percentiles; ship: Percentiles; deliver: Percentiles };
  onTimeRate: number | null;
  reroutesPer100: number | null;
}

const percent = (rate: number | null) => (rate === null ? 'none yet' : `${(rate * 100).toFixed(1)} %`);
const minutes = (value: number | null) => (value === null ? '—' : `≤ ${value} min`);

/** Each figure with its definition: what is counted, over what (docs/operations.md, "KPIs"). */
const definitions: [string, (kpis: OrderKpis) => string, string][] = [
  [
    'Fill rate',
    (k) => percent(k.fillRate),
    'units held at the first sourcing attempt over the units it asked for (orders whose first attempt ended)',
  ],
  ['Backorder rate', (k) => percent(k.backorderRate), 'orders backordered at least once over orders placed'],
  [
    'Time to reserve',
    (k) => `p50 ${minutes(k.time.reserve.p50)}, p95 ${minutes(k.time.reserve.p95)} (${k.time.reserve.count})`,
    'from acceptance to RESERVED',
  ],
  [
    'Time to ship',
    (k) => `p50 ${minutes(k.time.ship.p50)}, p95 ${minutes(k.time.ship.p95)} (${k.time.ship.count})`,
    'from acceptance to IN_TRANSIT or READY_FOR_PICKUP',
  ],
  [
    'Time to deliver',
    (k) => `p50 ${minutes(k.time.deliver.p50)}, p95 ${minutes(k.time.deliver.p95)} (${k.time.deliver.count})`,
    'from acceptance to DELIVERED or COLLECTED',
  ],
  ['On-time rate', (k) => percent(k.onTimeRate), 'shipments delivered or collected by their promisedBy'],
  [
    'Re-routes per 100 orders',
    (k) => (k.reroutesPer100 === null ? 'none yet' : String(k.reroutesPer100)),
    'shipments a store rejected or let lapse, sourced again',
  ],
];

export function OrderKpisSection(props: { from: string; to: string }) {
  const kpis = useLoad(
    () => get<OrderKpis>(`/ops/kpis/orders?from=${props.from}&to=${props.to}`),
    [props.from, props.to],
    10_000,
  );
  const statuses = Object.entries(kpis.data?.byStatus ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="order-kpis-title">
      <h2 id="order-kpis-title">Orders</h2>
      <p class="definition">
        Counted once per fact from the table's stream, by the UTC day it happened: orders placed in the
        period, and orders that reached each status in it.
      </p>
      <Problem error={kpis.error} />
      <When loading={!kpis.data && kpis.loading}>
        {kpis.data && (
          <>
            <p>
              <span data-testid="orders-placed">{kpis.data.orders}</span> order(s) placed
            </p>
            <BarChart
              title="Orders by status reached"
              unit="orders"
              labels={statuses.map(([status]) => status)}
              values={statuses.map(([, count]) => count)}
            />
            <dl class="figures">
              {definitions.map(([name, figure, definition]) => (
                <div key={name} class="figure">
                  <dt>{name}</dt>
                  <dd>
                    {figure(kpis.data as OrderKpis)} <span class="definition">— {definition}</span>
                  </dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </When>
    </section>
  );
}
