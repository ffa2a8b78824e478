import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EnvironmentError, loadFunctionEnvironment } from '../../functions/shared/env';
import { canonicalJson, sha256Hex } from '../../functions/shared/hash';
import { unknownFields } from '../../functions/shared/json-input';
import { HttpProblem, toFieldErrors } from '../../functions/shared/problem';

describe('loadFunctionEnvironment', () => {
  it("reads a function's variables as its definition declares them, and names every missing or invalid one", () => {
    const environment = loadFunctionEnvironment('reserveStock', {
      TABLE_NAME: 't',
      POWERTOOLS_SERVICE_NAME: 's',
      POWERTOOLS_METRICS_NAMESPACE: 'n',
      LOG_LEVEL: 'INFO',
      RESERVATION_HOLD_MINUTES: '45',
      PROCUREMENT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:procurement',
      OTHER: 'x',
    });
    expect(environment.RESERVATION_HOLD_MINUTES).toBe(45);
    expect(environment).not.toHaveProperty('OTHER');
    const load = () =>
      loadFunctionEnvironment('reserveStock', {
        LOG_LEVEL: 'LOUD',
        RESERVATION_HOLD_MINUTES: 'x',
        PROCUREMENT_STATE_MACHINE_ARN: 'nope',
      });
    expect(load).toThrow(EnvironmentError);
    expect(load).toThrow(/TABLE_NAME.*LOG_LEVEL.*RESERVATION_HOLD_MINUTES.*PROCUREMENT_STATE_MACHINE_ARN/s);
  });
});

describe('canonicalJson', () => {
  it('hashes equal bodies equally whatever their key order', () => {
    const a = { b: [1, { y: 2, x: 1 }], a: 'x', skip: undefined };
    const b = { a: 'x', b: [1, { x: 1, y: 2 }] };
    expect(canonicalJson(a)).toBe('{"a":"x","b":[1,{"x":1,"y":2}]}');
    expect(sha256Hex(canonicalJson(a))).toBe(sha256Hex(canonicalJson(b)));
  });
});

describe('problems', () => {
  it('names each bad field with a JSON pointer and a dotted field path', () => {
    const schema = z.object({ items: z.array(z.object({ 'a/b': z.number() })) });
    const result = schema.safeParse({ items: [{ 'a/b': 1 }, { 'a/b': 'x' }] });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(toFieldErrors(result.error)).toEqual([
      { pointer: '/items/1/a~1b', field: 'items[1].a/b', message: expect.any(String) },
    ]);
  });

  it('renders RFC 9457 problem details', () => {
    expect(new HttpProblem(409, 'ORDERS.ALREADY_EXISTS', 'exists').toProblem('req-1')).toEqual({
      type: 'urn:o2o:problem:orders.already-exists',
      title: 'Conflict',
      status: 409,
      detail: 'exists',
      code: 'ORDERS.ALREADY_EXISTS',
      instance: 'req-1',
    });
  });
});

describe('unknownFields', () => {
  it('finds the input keys a parse dropped, at any depth, and none where the schema keeps every key', () => {
    const schema = z.object({
      lines: z.array(z.object({ sku: z.string() })),
      labels: z.record(z.string(), z.string()),
      payload: z.unknown(),
      note: z.string().trim().optional(),
      mode: z.string().default('a'),
    });
    const input = {
      lines: [{ sku: 'a' }, { sku: 'b', qty: 1 }],
      labels: { any: 'key' },
      payload: { kept: { as: 'is' } },
      note: ' x ',
      typo: true,
    };
    expect(unknownFields(input, schema.parse(input))).toEqual([['lines', 1, 'qty'], ['typo']]);
    const clean = { lines: [], labels: {}, payload: null };
    expect(unknownFields(clean, schema.parse(clean))).toEqual([]);
  });
});
