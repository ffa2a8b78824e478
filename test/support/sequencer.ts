import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest suites first (longest processing time first): on 2 workers, a long suite that starts last
 * leaves the other worker idle at the end. A fresh clone has no vitest cache of durations, so the order is
 * written here, from full runs' timings (slowest first, two CPU-bound ones kept apart); every other file follows
 * in vitest's own order.
 */
const slowestFirst = [
  'test/e2e/npm-start-restart.test.ts',
  'test/handlers/carrier-events-shuffled.test.ts',
  'test/e2e/npm-start.test.ts',
  // Not beside the restart suite's JVM starts: 500 orders through the authorizer are CPU-bound too.
  'test/e2e/concurrent-orders.test.ts',
  'test/e2e/redrive-dispatch.test.ts',
  'test/e2e/console.test.ts',
  'test/e2e/channel-events.test.ts',
  'test/e2e/carrier-booking.test.ts',
  'test/e2e/redrive-returns.test.ts',
  'test/e2e/fuzz.test.ts',
  'test/e2e/redrive-every-task.test.ts',
  'test/local/dynamodb/jvm-lifetime.test.ts',
  'test/e2e/dead-letters.test.ts',
  'test/e2e/backorder-procurement.test.ts',
  'test/e2e/returns-workflow.test.ts',
  'test/adapters/dispatch-units-model.test.ts',
  'test/adapters/stock-shards.test.ts',
  'test/adapters/inventory-model.test.ts',
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = slowestFirst.indexOf(relative(process.cwd(), file.moduleId));
      return index === -1 ? slowestFirst.length : index;
    };
    // Array.prototype.sort is stable: files of equal rank keep vitest's order.
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}
