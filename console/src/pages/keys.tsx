import { useState } from 'preact/hooks';
import { call, get, post } from '../api';
import { messageOf, useLoad } from '../hooks';
import type { IssuedKey, Principal } from '../types';
import { Problem, When } from '../widgets';

const roles = ['staff', 'channel', 'supplier', 'courier', 'ops'] as const;

export function KeysPage() {
  const listed = useLoad(() => get<{ items: Principal[] }>('/ops/principals'), []);
  const [issued, setIssued] = useState<IssuedKey & { note: string }>();
  const [failure, setFailure] = useState<string>();
  const act = async (action: () => Promise<IssuedKey | undefined>, note: string) => {
    setFailure(undefined);
    try {
      const key = await action();
      setIssued(key ? { ...key, note } : undefined);
    } catch (error) {
      setFailure(messageOf(error));
    }
    listed.reload();
  };
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <p>
        Onboard a location's staff, a supplier, a sales channel, a carrier or an operator: each gets an API
        key, shown once and stored only as its hash.
      </p>
      <IssueForm onIssue={(body) => act(() => post<IssuedKey>('/ops/principals', body), 'New key')} />
      {issued && <IssuedKeyBanner issued={issued} />}
      <Problem error={failure ?? listed.error} />
      <When loading={!listed.data && listed.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">Principal</th>
              <th scope="col">Name</th>
              <th scope="col">Role and scope</th>
              <th scope="col">Keys</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {listed.data?.items.map((principal) => (
              <PrincipalRow
                key={principal.principalId}
                principal={principal}
                onRotate={() =>
                  void act(
                    () =>
                      post<IssuedKey>(`/ops/principals/${principal.principalId}/rotate`, {
                        overlapMinutes: 60,
                      }),
                    'Rotated key',
                  )
                }
                onRevoke={() =>
                  void act(async () => {
                    await call('DELETE', `/ops/principals/${principal.principalId}`);
                    return undefined;
                  }, 'Revoked')
                }
              />
            ))}
          </tbody>
        </table>
      </When>
    </section>
  );
}

/** The key itself, this once: it is stored only as its hash, so nobody can show it again. */
function IssuedKeyBanner(props: { issued: IssuedKey & { note: string } }) {
  const { issued } = props;
  return (
    <div class="banner" role="status" data-testid="issued-key">
      <p>
        <strong>
          {issued.note} for {issued.principalId}
        </strong>{' '}
        (shown this once; copy it now):
      </p>
      <output class="secret">{issued.apiKey}</output>
      {issued.previousKeyExpiresAt && <p>The previous key works until {issued.previousKeyExpiresAt}.</p>}
    </div>
  );
}

function PrincipalRow(props: { principal: Principal; onRotate: () => void; onRevoke: () => void }) {
  const { principal } = props;
  return (
    <tr data-principal={principal.principalId}>
      <td>{principal.principalId}</td>
      <td>{principal.name}</td>
      <td>
        {principal.role} · {principal.scope}
      </td>
      <td>
        {principal.keys
          .map((key) => `${key.keyId}${key.expiresAt ? ` (until ${key.expiresAt})` : ''}`)
          .join(', ')}
      </td>
      <td>{principal.status}</td>
      <td>
        {principal.status === 'ACTIVE' && (
          <>
            <button type="button" onClick={props.onRotate}>
              Rotate<span class="visually-hidden"> {principal.principalId}</span>
            </button>{' '}
            <button
              type="button"
              class="danger"
              onClick={() =>
                window.confirm(`Revoke ${principal.principalId}? Its keys stop working at once.`) &&
                props.onRevoke()
              }
            >
              Revoke<span class="visually-hidden"> {principal.principalId}</span>
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function IssueForm(props: { onIssue: (body: { role: string; scope: string; name: string }) => void }) {
  const [role, setRole] = useState<string>('staff');
  const [scope, setScope] = useState('');
  const [name, setName] = useState('');
  return (
    <form
      class="filters"
      aria-label="Issue a key"
      onSubmit={(event) => {
        event.preventDefault();
        props.onIssue({ role, scope: role === 'ops' ? '*' : scope, name });
      }}
    >
      <label>
        Role
        <select value={role} onChange={(event) => setRole(event.currentTarget.value)}>
          {roles.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
      </label>
      <label>
        Scope (location, channel, supplier or carrier id)
        <input
          value={role === 'ops' ? '*' : scope}
          disabled={role === 'ops'}
          onInput={(event) => setScope(event.currentTarget.value)}
        />
      </label>
      <label>
        Name
        <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <button type="submit">Issue key</button>
    </form>
  );
}
