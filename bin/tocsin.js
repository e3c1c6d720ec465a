#!/usr/bin/env node
// Plain JavaScript that any Node version can parse, so an old Node gets a clear message
// instead of a syntax error from the compiled code.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    'tocsin needs Node.js 22.13 or newer; this is Node.js ' + process.versions.node + ' (' + process.execPath + ').\n' +
      'Run it through npm (`npm ci` installs Node 24 into node_modules; then `npx tocsin ...` or `npm start`),\n' +
      'or install a current Node.js from https://nodejs.org.\n',
  );
  process.exit(2);
}
// `tocsin test | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
import('../dist/cli/main.js').then(
  ({ main }) => main(process.argv).then((code) => { process.exitCode = code; }),
  (error) => {
    process.stderr.write('tocsin is not built (' + error.message + ').\nRun `npm ci` (or `npm run build`) in the tocsin directory first.\n');
    process.exit(2);
  },
);
