import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Append-only JSON-lines files, one per key, in one directory. Each entry is appended synchronously, so a
 * process killed at any moment (kill -9) loses nothing it had recorded: at worst its last line is torn,
 * and reading cuts that line off. Appending keeps every write small, however long a file grows.
 */
export class JsonLinesJournal {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(key: string, entry: unknown): void {
    appendFileSync(this.fileOf(key), `${JSON.stringify(entry)}\n`);
  }

  /** Replaces a file's entries at once (write, then rename): doing it twice is the same as once. */
  replace(key: string, entries: readonly unknown[]): void {
    const file = this.fileOf(key);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    renameSync(temporary, file);
  }

  /** Every file's entries, in the order they were appended. */
  readAll(): unknown[][] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => readEntries(join(this.dir, name)));
  }

  /** Keys can be any text (and differ only in case): files are named by a hash of the key. */
  private fileOf(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.jsonl`);
  }
}

function readEntries(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const complete = text.lastIndexOf('\n') + 1;
  // A torn last line is cut off the file too, or the next append would be glued to it.
  if (complete < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, complete)));
  return text
    .slice(0, complete)
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`${file}: line ${index + 1} is not JSON`);
      }
    });
}

/** A key kept in `file`: created once (atomically; `initial`, or random), the same on every later start. */
export function persistentKey(file: string, initial?: Buffer): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const key = initial ?? randomBytes(32);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, key.toString('base64'));
  renameSync(temporary, file);
  return key;
}
