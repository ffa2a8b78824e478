import { useState } from 'preact/hooks';
import { get } from '../api';
import { useLoad } from '../hooks';
import { Problem, When } from '../widgets';

type Row = Record<string, unknown>;

/** A list the API returns as `{ items }`, shown as a table of the named columns. */
function ListTable(props: { path: string; columns: string[]; caption: string }) {
  const listed = useLoad(() => get<{ items: Row[] }>(props.path), [props.path], 10_000);
  return (
    <>
      <Problem error={listed.error} />
      <When loading={!listed.data && listed.loading}>
        <RowsTable
          caption={`${props.caption}: ${listed.data?.items.length ?? 0}`}
          columns={props.columns}
          rows={listed.data?.items ?? []}
        />
      </When>
    </>
  );
}

export function ShipmentsPage() {
  return (
    <section aria-labelledby="shipments-title">
      <h1 id="shipments-title">Shipments needing attention</h1>
      <h2>No carrier took them (rebook)</h2>
      <ListTable
        path="/ops/shipments?attention=true&limit=100"
        caption="Packed, unbooked"
        columns={['shipmentId', 'locationId', 'status', 'dueBy']}
      />
      <h2>Late against their promise</h2>
      <ListTable
        path="/ops/shipments?late=true&limit=100"
        caption="Late"
        columns={['shipmentId', 'locationId', 'status', 'promisedBy']}
      />
    </section>
  );
}

export function ReturnsPage() {
  return (
    <section aria-labelledby="returns-title">
      <h1 id="returns-title">Returns</h1>
      <h2>Refunds the channel reported failed</h2>
      <ListTable
        path="/ops/returns?attention=true&limit=100"
        caption="Needing a retry"
        columns={['returnId', 'status', 'refund']}
      />
      <h2>Waiting to be brought back</h2>
      <ListTable
        path="/ops/returns?status=REQUESTED&limit=100"
        caption="Requested"
        columns={['returnId', 'method', 'dropOffBy']}
      />
    </section>
  );
}

export function InventoryPage() {
  const [sku, setSku] = useState('');
  const [shown, setShown] = useState('');
  return (
    <section aria-labelledby="inventory-title">
      <h1 id="inventory-title">Inventory</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setShown(sku.trim());
        }}
      >
        <label>
          SKU
          <input value={sku} onInput={(event) => setSku(event.currentTarget.value)} />
        </label>
        <button type="submit">Show stock</button>
      </form>
      {shown && <SkuStock sku={shown} />}
    </section>
  );
}

function SkuStock(props: { sku: string }) {
  const stock = useLoad(
    () => get<{ locations: Row[]; suppliers: Row[] }>(`/inventory/${encodeURIComponent(props.sku)}`),
    [props.sku],
  );
  return (
    <>
      <Problem error={stock.error} />
      <RowsTable
        caption={`${props.sku} per location (damaged units are never available; inbound is on purchase orders)`}
        columns={['locationId', 'onHand', 'reserved', 'available', 'inbound', 'damaged', 'shards']}
        rows={stock.data?.locations ?? []}
      />
      <RowsTable
        caption={`${props.sku}: supplier feeds`}
        columns={['supplierId', 'available', 'leadTimeDays', 'feedSeq', 'updatedAt']}
        rows={stock.data?.suppliers ?? []}
      />
    </>
  );
}

const poStatuses = ['', 'OPEN', 'CONFIRMED', 'RECEIVED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

/** A supplier's purchase orders, by status (the supplier API's own listing, read with the ops key). */
export function PurchaseOrdersPage() {
  const [supplier, setSupplier] = useState('');
  const [shown, setShown] = useState('');
  const [status, setStatus] = useState('');
  const listed = useLoad(
    () =>
      shown
        ? get<{ items: Row[] }>(`/suppliers/${encodeURIComponent(shown)}/purchase-orders`)
        : Promise.resolve({ items: [] as Row[] }),
    [shown],
    10_000,
  );
  const items = (listed.data?.items ?? []).filter((po) => !status || po.status === status);
  const columns = ['poId', 'status', 'locationId', 'lines', 'eta', 'createdAt'];
  return (
    <section aria-labelledby="po-title">
      <h1 id="po-title">Purchase orders</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setShown(supplier.trim());
        }}
      >
        <label>
          Supplier id
          <input value={supplier} onInput={(event) => setSupplier(event.currentTarget.value)} />
        </label>
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            {poStatuses.map((value) => (
              <option key={value} value={value}>
                {value || 'all'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show purchase orders</button>
      </form>
      <Problem error={listed.error} />
      {shown && (
        <RowsTable caption={`${shown}: ${items.length} purchase order(s)`} columns={columns} rows={items} />
      )}
    </section>
  );
}

function RowsTable(props: { caption: string; columns: string[]; rows: Row[] }) {
  const text = (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : String(value ?? ''));
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row, index) => (
          <tr key={text(row[props.columns[0] ?? ''] ?? index)}>
            {props.columns.map((column) => (
              <td key={column}>{text(row[column])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
