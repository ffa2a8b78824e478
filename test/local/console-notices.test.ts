import { describe, expect, it } from 'vitest';
import { errorNoticeOf } from '../../local/console-notices';

describe('npm start console notices', () => {
  it('turns a Powertools ERROR line into one readable line, without the stack or the standard keys', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'supplier feed item failed',
      timestamp: '2026-11-30T20:00:00.000Z',
      service: 'o2o',
      cold_start: false,
      function_request_id: 'abc',
      sku: 'SKU-1',
      index: 3,
      error: { name: 'ValidationException', message: 'Number underflow', stack: 'at x\nat y' },
    });
    expect(errorNoticeOf('ingestSupplierStock', line)).toBe(
      'ingestSupplierStock: supplier feed item failed {"sku":"SKU-1","index":3,"error":{"name":"ValidationException","message":"Number underflow"}}',
    );
  });

  it('stays silent for other levels and for lines that are not JSON', () => {
    expect(errorNoticeOf('f', JSON.stringify({ level: 'INFO', message: 'ok' }))).toBeUndefined();
    expect(errorNoticeOf('f', JSON.stringify({ level: 'WARN', message: 'hm' }))).toBeUndefined();
    expect(errorNoticeOf('f', 'plain text from console.log')).toBeUndefined();
    expect(errorNoticeOf('f', 'null')).toBeUndefined();
  });

  it('shortens long details', () => {
    const notice = errorNoticeOf(
      'f',
      JSON.stringify({ level: 'CRITICAL', message: 'm', blob: 'x'.repeat(1000) }),
    );
    expect(notice?.length).toBeLessThan(340);
    expect(notice?.endsWith('…')).toBe(true);
  });
});
