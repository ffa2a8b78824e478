import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { problemCodes } from '../../functions/contracts/errors';
import type { LocalCloud } from '../../local/cloud';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';

/**
 * Operations onboard a location's staff without editing seed data: issue a key, use it, rotate it with an
 * overlap, revoke it. Over HTTP on the local cloud, through the same authorizer API Gateway runs.
 */
let cloud: LocalCloud;
let table: TableRef;
const { api, expectStatus } = e2eHttp(() => cloud);
const tag = randomBytes(3).toString('hex');
const location = `ST-KEYS-${tag}`;

interface Issued {
  principalId: string;
  apiKey: string;
  keyId: string;
  previousKeyExpiresAt?: string;
}
interface Listed {
  items: {
    principalId: string;
    status: string;
    name: string;
    keys: { keyId: string; expiresAt?: string }[];
  }[];
}

const ops = () => cloud.keys.ops;
const issue = (body: unknown) => api('/ops/principals', { method: 'POST', key: ops(), body });
const tasksWith = (key: string) => api(`/locations/${location}/tasks?limit=5`, { key });
const listed = async (principalId: string) =>
  ((await expectStatus(api('/ops/principals', { key: ops() }), 200)) as Listed).items.find(
    (item) => item.principalId === principalId,
  );

beforeAll(async () => {
  ({ cloud, table } = await startE2eCloud([]));
  await expectStatus(
    api(`/locations/${location}`, {
      method: 'PUT',
      key: ops(),
      body: { type: 'store', name: 'Keys store', lat: 51.5, lng: -0.12, fulfils: ['pickup'] },
    }),
    200,
  );
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('principals and their keys', () => {
  it('issues a staff key for a new location: shown once, listed by key id only, and it works at once', async () => {
    const issued = (await expectStatus(
      issue({ role: 'staff', scope: location, name: 'Keys store staff' }),
      201,
    )) as Issued;
    expect(issued.principalId).toMatch(/^staff:[0-9a-f]{12}$/);
    expect(issued.apiKey).toMatch(/^o2o_[A-Za-z0-9_-]{43}$/);
    expect((await tasksWith(issued.apiKey)).status).toBe(200);
    // Another location's routes stay closed to it.
    expect((await api('/locations/ST-CAMDEN/tasks', { key: issued.apiKey })).status).toBe(403);
    const entry = await listed(issued.principalId);
    expect(entry).toMatchObject({
      status: 'ACTIVE',
      name: 'Keys store staff',
      keys: [{ keyId: issued.keyId }],
    });
    expect(JSON.stringify(entry)).not.toContain(issued.apiKey);
  });

  it('rotates with an overlap (both keys work), and without one (the old key is refused at once)', async () => {
    const first = (await expectStatus(
      issue({ role: 'staff', scope: location, name: 'Rotating' }),
      201,
    )) as Issued;
    const rotate = (overlapMinutes: number) =>
      api(`/ops/principals/${first.principalId}/rotate`, {
        method: 'POST',
        key: ops(),
        body: { overlapMinutes },
      });
    const second = (await expectStatus(rotate(30), 201)) as Issued;
    expect(second.principalId).toBe(first.principalId);
    expect(Date.parse(second.previousKeyExpiresAt ?? '') - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((await tasksWith(first.apiKey)).status).toBe(200);
    expect((await tasksWith(second.apiKey)).status).toBe(200);
    expect((await listed(first.principalId))?.keys.map((key) => key.keyId)).toEqual([
      second.keyId,
      first.keyId,
    ]);

    const third = (await expectStatus(rotate(0), 201)) as Issued;
    expect((await tasksWith(third.apiKey)).status).toBe(200);
    // The second key had no expiry: with no overlap it goes now; the first keeps its earlier overlap.
    expect((await tasksWith(second.apiKey)).status).toBe(401);
    expect((await tasksWith(first.apiKey)).status).toBe(200);
  });

  it('revokes: every key of the principal is refused from the answer on, and revoking again is the same answer', async () => {
    const issued = (await expectStatus(
      issue({ role: 'staff', scope: location, name: 'Leaver' }),
      201,
    )) as Issued;
    expect((await tasksWith(issued.apiKey)).status).toBe(200);
    const revoke = () => api(`/ops/principals/${issued.principalId}`, { method: 'DELETE', key: ops() });
    const revoked = (await expectStatus(revoke(), 200)) as { revokedAt: string };
    const refused = await tasksWith(issued.apiKey);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe(problemCodes.unknownApiKey);
    expect(await expectStatus(revoke(), 200)).toMatchObject({ revokedAt: revoked.revokedAt });
    expect(await listed(issued.principalId)).toMatchObject({ status: 'REVOKED', keys: [] });
    const rotated = await api(`/ops/principals/${issued.principalId}/rotate`, { method: 'POST', key: ops() });
    expect(rotated.status).toBe(409);
  });

  it('a principal saved again (a persisted demo world restarting) keeps its earlier keys on record, and stays revoked', async () => {
    const principalId = `staff:KEYS-${tag}`;
    const save = (apiKey: string) =>
      savePrincipal(table.document, table.tableName, { apiKey, principalId, role: 'staff', scope: location });
    const [first, second] = [
      `stf_first_${tag}_${randomBytes(8).toString('hex')}`,
      `stf_second_${tag}_${randomBytes(8).toString('hex')}`,
    ];
    await save(first);
    await save(second);
    expect((await tasksWith(first)).status).toBe(200);
    expect((await listed(principalId))?.keys).toHaveLength(2);
    await expectStatus(api(`/ops/principals/${principalId}`, { method: 'DELETE', key: ops() }), 200);
    expect((await tasksWith(first)).status).toBe(401);
    expect((await tasksWith(second)).status).toBe(401);
    await save(`stf_third_${tag}_${randomBytes(8).toString('hex')}`);
    expect(await listed(principalId)).toMatchObject({ status: 'REVOKED' });
  });

  it('refuses a scope that names nothing, a scoped ops key, a key revoking itself, and unknown principals', async () => {
    const unknownLocation = (await expectStatus(
      issue({ role: 'staff', scope: `ST-NOWHERE-${tag}`, name: 'Ghost' }),
      422,
    )) as { code: string; errors: { pointer: string }[] };
    expect(unknownLocation).toMatchObject({
      code: problemCodes.unknownScope,
      errors: [{ pointer: '/scope' }],
    });
    await expectStatus(issue({ role: 'courier', scope: `CAR-NOWHERE-${tag}`, name: 'Ghost' }), 422);
    await expectStatus(issue({ role: 'ops', scope: location, name: 'Scoped ops' }), 422);
    await expectStatus(issue({ role: 'channel', scope: '*', name: 'Every channel' }), 422);
    await expectStatus(issue({ role: 'channel', scope: `web${tag}`, name: 'x', extra: 1 }), 422);
    await expectStatus(api('/ops/principals/ops:demo', { method: 'DELETE', key: ops() }), 422);
    await expectStatus(api(`/ops/principals/staff:nobody${tag}`, { method: 'DELETE', key: ops() }), 404);
    await expectStatus(api('/ops/principals/not%20an%20id', { method: 'DELETE', key: ops() }), 400);
  });
});
