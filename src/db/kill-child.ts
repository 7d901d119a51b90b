// Test helper for crash tests: runs a script in a child Node process until it says it reached the
// point to crash at (prints STOPPED), then kills it with SIGKILL, as an operator's kill -9 or the
// OOM killer would. The script is a file, not --eval: PGlite's worker thread would inherit --input-type.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** Writes `script` to `scriptFile`, runs it (with tsx) in `cwd`, kills it once it prints STOPPED; its output. */
export async function runUntilStoppedThenKill(scriptFile: string, script: string, cwd: string): Promise<string> {
  fs.writeFileSync(scriptFile, script);
  const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('STOPPED')) resolve();
    });
    void exited.then(() => reject(new Error(`the child ended before it was stopped:\n${output}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return output;
}
