import { resolve } from 'node:path';
import { runOpsCli } from './ops';

// The local cloud's state directory, as `npm start` uses it (LOCAL_STATE_DIR, default .local).
const stateDir = resolve(process.env.LOCAL_STATE_DIR ?? '.local');

process.exitCode = await runOpsCli(process.argv.slice(2), {
  print: (line) => console.log(line),
  fetch,
  stateDir,
});
