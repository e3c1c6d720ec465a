/**
 * One replay in its own process, so its peak RSS is its own: runs `runReplay` as the CLI does and
 * prints one JSON line { code, maxRssBytes, summary, liveSeries, lastGenerationOpens }.
 * Arguments: one JSON object { rules, input, out, lastGenerationPrefix }.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { runReplay } from '../../dist/cli/commands/replay.js';

const options = JSON.parse(process.argv[2]);
let summary = '';
let errors = '';
const code = await runReplay({ rules: options.rules, input: options.input, out: options.out }, {
  stdout: (text) => (summary += text),
  stderr: (text) => (errors += text),
  isTTY: false,
});
// Taken before the events file is scanned below, which is the bench's work, not replay's.
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
const live = /(\d+) series live at the end/.exec(summary);
let lastGenerationOpens = null;
if (code === 0 && options.lastGenerationPrefix) {
  lastGenerationOpens = 0;
  const needle = `"entity":{"name":"${options.lastGenerationPrefix}`;
  for await (const line of createInterface({ input: createReadStream(options.out), crlfDelay: Infinity })) {
    if (line.includes('"type":"alert.open"') && line.includes(needle)) lastGenerationOpens++;
  }
}
process.stdout.write(`${JSON.stringify({ code, maxRssBytes, summary, errors, liveSeries: live ? Number(live[1]) : null, lastGenerationOpens })}\n`);
