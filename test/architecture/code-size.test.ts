import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../local/system-resolution';
import { functionSizes, lineCount, sourceFiles } from '../support/code-size';

/**
 * Files and functions small enough to read in one sitting: no source file in functions/, local/, infra/ or console/
 * over 500 lines, no function over 80 unless the comment above it says why it is long ("long because …").
 */
const files = sourceFiles(repositoryRoot, ['functions', 'local', 'infra', 'console']);

describe('code size', () => {
  it('no source file is over 500 lines', () => {
    const large = files
      .map((file) => ({ file, lines: lineCount(repositoryRoot, file) }))
      .filter((f) => f.lines > 500);
    expect(large).toEqual([]);
  });

  it('no function is over 80 lines unless its comment says why', () => {
    const long = files
      .flatMap((file) => functionSizes(repositoryRoot, file))
      .filter((fn) => fn.lines > 80 && !fn.justified)
      .map((fn) => `${fn.file} ${fn.name}: ${fn.lines} lines`);
    expect(long).toEqual([]);
  });
});
