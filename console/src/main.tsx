import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, session } from './api';
import { messageOf } from './hooks';
import { DeadLettersPage } from './pages/dead-letters';
import { ExecutionPage } from './pages/execution';
import { ExecutionsPage } from './pages/executions';
import { KeysPage } from './pages/keys';
import { KpisPage } from './pages/kpis';
import { InventoryPage, PurchaseOrdersPage, ReturnsPage, ShipmentsPage } from './pages/operations';
import { OrdersPage } from './pages/orders';
import './styles.css';

const pages = [
  ['#/executions', 'Executions'],
  ['#/orders', 'Orders'],
  ['#/inventory', 'Inventory'],
  ['#/purchase-orders', 'Purchase orders'],
  ['#/shipments', 'Shipments'],
  ['#/returns', 'Returns'],
  ['#/dead-letters', 'Dead letters'],
  ['#/kpis', 'KPIs'],
  ['#/keys', 'Keys'],
] as const;

/** A malformed escape (`#/orders/%`) is kept as typed rather than breaking the page. */
function decodeSafely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Hash routes: the console is static files, so every page is one URL the server never sees. */
function Page(props: { hash: string }) {
  const [, section = 'executions', first, second] = props.hash.replace(/^#/, '').split('/').map(decodeSafely);
  if (section === 'executions' && first && second)
    return <ExecutionPage workflow={first} executionId={second} />;
  if (section === 'orders') return <OrdersPage orderId={first} key={first} />;
  if (section === 'inventory') return <InventoryPage />;
  if (section === 'purchase-orders') return <PurchaseOrdersPage />;
  if (section === 'shipments') return <ShipmentsPage />;
  if (section === 'returns') return <ReturnsPage />;
  if (section === 'dead-letters') return <DeadLettersPage />;
  if (section === 'kpis') return <KpisPage />;
  if (section === 'keys') return <KeysPage />;
  if (section === 'executions') return <ExecutionsPage />;
  return (
    <section>
      <h1>No such page</h1>
      <p>
        <a href="#/executions">Go to the executions</a>
      </p>
    </section>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(Boolean(session.key()));
  const [hash, setHash] = useState(location.hash || '#/executions');
  useEffect(() => {
    const follow = () => setHash(location.hash || '#/executions');
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const current = `#/${hash.split('/')[1] ?? ''}`;
  return (
    <>
      <header>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <strong>O2O ops console</strong>
        <nav aria-label="Pages">
          {pages.map(([href, label]) => (
            <a key={href} href={href} aria-current={current === href ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        <Page hash={hash} />
      </main>
    </>
  );
}

/** Sign-in is the ops API key: checked against an ops-only route before the console opens. */
function SignIn(props: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    session.signIn(key.trim());
    try {
      await get('/ops/executions?limit=1');
      props.onSignedIn();
    } catch (failure) {
      session.signOut();
      setError(messageOf(failure));
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>O2O ops console</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Ops API key
          <input
            type="password"
            autocomplete="off"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
          />
        </label>
        <button type="submit">Sign in</button>
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
      </form>
      <p>The key stays in this tab's session storage and goes only in the x-api-key header.</p>
    </main>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
