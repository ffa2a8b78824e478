// Runs a command (DynamoDB Local's JVM) and ties its life to the process that started this watchdog.
//
// The parent holds the other end of our stdin pipe. However the parent ends, `kill -9` included, the kernel
// closes its end and we read end-of-file: then we stop the command, SIGTERM then SIGKILL. A JVM cannot
// watch a pipe itself (DynamoDB Local never reads stdin), hence this process in between. It is plain
// JavaScript so that it starts in a few milliseconds without a TypeScript loader.
//
// Protocol: argv = the command and its arguments; the command's pid is written on stdout as one line; the
// command's stderr is ours; we exit with its exit code once it has exited (never before).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const graceMs = 3_000;
const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
};

child.once('spawn', () => process.stdout.write(`${child.pid}\n`));
child.once('error', (error) => {
  process.stderr.write(`cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));

process.stdin.once('end', stop);
process.stdin.once('close', stop);
process.stdin.once('error', stop);
process.stdin.resume();
// A Ctrl-C reaches the whole foreground process group, us included: stop the command rather than die first.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
