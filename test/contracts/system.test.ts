import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDanglingReferences, system } from '../../functions/contracts/system';

describe('the system definition', () => {
  it('references only functions and workflows it defines', () => {
    expect(findDanglingReferences()).toEqual([]);
  });

  it('reports a reference to something undefined', () => {
    const broken = {
      ...system,
      routes: [...system.routes, { method: 'GET', path: '/x', function: 'nope' }],
    } as unknown as typeof system;
    expect(findDanglingReferences(broken)).toEqual(['GET /x: function nope']);
  });

  it('names handler and ASL files that exist, and every ASL placeholder has a substitution', () => {
    for (const fn of Object.values(system.functions)) expect(existsSync(fn.entry), fn.entry).toBe(true);
    for (const workflow of Object.values(system.workflows)) {
      const asl = readFileSync(workflow.definitionFile, 'utf8');
      const placeholders = [...asl.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
      expect(new Set(placeholders)).toEqual(new Set(Object.keys(workflow.substitutions)));
    }
  });

  it('has at most two stream readers per table: AWS throttles a third reading the same shard', () => {
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html (LimitExceededException)
    const readers = new Map<string, string[]>();
    for (const [name, fn] of Object.entries(system.functions) as [
      string,
      { streamTrigger?: { table: string } },
    ][])
      if (fn.streamTrigger)
        readers.set(fn.streamTrigger.table, [...(readers.get(fn.streamTrigger.table) ?? []), name]);
    for (const [table, names] of readers)
      expect({ table, readers: names.length }).toEqual({ table, readers: Math.min(names.length, 2) });
    expect([...readers.values()].flat().length).toBeGreaterThan(0);
  });

  it('has unique routes', () => {
    const keys = system.routes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
