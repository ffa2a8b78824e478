import { useState } from 'preact/hooks';
import { get } from '../api';
import { useLoad } from '../hooks';
import { Problem, When } from '../widgets';

interface OrderView {
  orderId: string;
  customerId: string;
  status: string;
  lines: { sku: string; qty: number }[];
  allocations?: { sku: string; qty: number; locationId: string }[];
  shipments?: { shipmentId: string; type: string; locationId: string; status: string }[];
  returns?: { returnId: string; status: string }[];
  timeline: { at: string; status?: string; event?: string; actor?: string; step?: string; reason?: string }[];
}

const executionLink = (workflow: string, id: string) => `#/executions/${workflow}/${encodeURIComponent(id)}`;

/** An order by its system-wide id (`<channel>.<order id>`): lines, holds, shipments, returns, its whole story. */
export function OrdersPage(props: { orderId?: string }) {
  const [typed, setTyped] = useState(props.orderId ?? '');
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = `#/orders/${encodeURIComponent(typed.trim())}`;
        }}
      >
        <label>
          Order id (channel.order)
          <input value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
        </label>
        <button type="submit">Open order</button>
      </form>
      <CustomerSearch />
      {props.orderId && <OrderDetail orderId={props.orderId} />}
    </section>
  );
}

interface FoundOrder {
  orderId: string;
  status: string;
  createdAt: string;
  lines: { sku: string; qty: number }[];
}

const statuses = ['', 'ACCEPTED', 'RESERVED', 'BACKORDERED', 'PICKING', 'PACKED', 'IN_TRANSIT', 'DELIVERED'];

/**
 * Up to 100 orders over up to 10 pages: the status is filtered after each read, so a page can be short or
 * empty while matches remain further on.
 */
async function searchPages(query: string): Promise<{ items: FoundOrder[] }> {
  const items: FoundOrder[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10 && items.length < 100; page++) {
    const next: string = token ? `&nextToken=${encodeURIComponent(token)}` : '';
    const answer = await get<{ items: FoundOrder[]; nextToken?: string }>(`/ops/orders?${query}${next}`);
    items.push(...answer.items);
    token = answer.nextToken;
    if (!token) break;
  }
  return { items };
}

/** Orders newest first, of a customer or of a period, narrowed by status (`GET /ops/orders`). */
function CustomerSearch() {
  const [form, setForm] = useState({ customerId: '', status: '', from: '', to: '' });
  const [query, setQuery] = useState('');
  const found = useLoad(() => (query ? searchPages(query) : Promise.resolve({ items: [] })), [query]);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (event: { currentTarget: { value: string } }) =>
      setForm({ ...form, [name]: event.currentTarget.value }),
  });
  const search = (event: Event) => {
    event.preventDefault();
    const chosen = Object.entries({ ...form, customerId: form.customerId.trim() }).filter(
      ([, value]) => value,
    );
    setQuery(new URLSearchParams([...chosen, ['limit', '100']]).toString());
  };
  return (
    <>
      <form class="filters" aria-label="Search orders" onSubmit={search}>
        <label>
          Customer id (empty: every customer's, over at most 31 days)
          <input {...field('customerId')} />
        </label>
        <label>
          Status
          <select
            value={form.status}
            onChange={(event) => setForm({ ...form, status: event.currentTarget.value })}
          >
            {statuses.map((status) => (
              <option key={status} value={status}>
                {status || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Placed from
          <input type="date" {...field('from')} />
        </label>
        <label>
          to
          <input type="date" {...field('to')} />
        </label>
        <button type="submit">Search orders</button>
      </form>
      <Problem error={found.error} />
      {query && found.data && (
        <table>
          <caption>{found.data.items.length} order(s), newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">Placed</th>
              <th scope="col">Lines</th>
            </tr>
          </thead>
          <tbody>
            {found.data.items.map((order) => (
              <tr key={order.orderId}>
                <td>
                  <a href={`#/orders/${encodeURIComponent(order.orderId)}`}>{order.orderId}</a>
                </td>
                <td>{order.status}</td>
                <td>{new Date(order.createdAt).toLocaleString()}</td>
                <td>{order.lines.map((line) => `${line.qty} × ${line.sku}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function OrderDetail(props: { orderId: string }) {
  const order = useLoad(
    () => get<OrderView>(`/orders/${encodeURIComponent(props.orderId)}`),
    [props.orderId],
    3000,
  );
  const data = order.data;
  return (
    <>
      <Problem error={order.error} />
      <When loading={!data && order.loading}>
        {data && (
          <>
            <h2>
              {data.orderId}: <span data-testid="order-status">{data.status}</span>
            </h2>
            <p>
              Customer {data.customerId} ·{' '}
              <a href={executionLink('fulfilment', data.orderId)}>fulfilment execution</a>
            </p>
            <h3>Lines and holds</h3>
            <ul>
              {data.lines.map((line) => (
                <li key={line.sku}>
                  {line.qty} × {line.sku}
                  {(data.allocations ?? [])
                    .filter((allocation) => allocation.sku === line.sku)
                    .map((allocation) => ` · ${allocation.qty} held at ${allocation.locationId}`)
                    .join('')}
                </li>
              ))}
            </ul>
            <h3>Shipments</h3>
            <ul>
              {(data.shipments ?? []).map((shipment) => (
                <li key={shipment.shipmentId}>
                  <a href={executionLink('dispatch', shipment.shipmentId)}>{shipment.shipmentId}</a> (
                  {shipment.type} from {shipment.locationId}): {shipment.status}
                </li>
              ))}
            </ul>
            <h3>Returns</h3>
            <ul>
              {(data.returns ?? []).map((item) => (
                <li key={item.returnId}>
                  <a href={executionLink('returns', item.returnId)}>{item.returnId}</a>: {item.status}
                </li>
              ))}
            </ul>
            <h3>Timeline</h3>
            <ol class="timeline">
              {data.timeline.map((entry) => (
                <li key={`${entry.at}-${entry.step}-${entry.status ?? entry.event}`}>
                  {new Date(entry.at).toLocaleString()} · <strong>{entry.status ?? entry.event}</strong> by{' '}
                  {entry.actor} ({entry.step}){entry.reason ? `: ${entry.reason}` : ''}
                </li>
              ))}
            </ol>
          </>
        )}
      </When>
    </>
  );
}
