/**
 * The webhook receiver of the delivery bench, run in a worker thread so it has its own event loop
 * (and core) and does not steal time from the delivery path it measures.
 *
 * A node:http server on 127.0.0.1 that reads each body, checks its X-Signature (HMAC-SHA256, base64),
 * and answers 200 at once. For every request it records the webhook-id header, the moment it
 * answered (process.hrtime, CLOCK_MONOTONIC: the same clock in every thread of the process), and
 * what the body says (alert_type, entity), so the bench can compute latencies and cross-check.
 *
 * Messages: posts { type: 'listening', port } once; on { type: 'take' } posts
 * { type: 'arrivals', arrivals } with everything since the last take; on { type: 'stop' } closes.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { secret } = workerData;
let arrivals = { ids: [], times: [], alertTypes: [], entities: [], badSignatures: 0, badBodies: 0 };

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac('sha256', secret).update(body).digest('base64');
    if (request.headers['x-signature'] !== expected) arrivals.badSignatures++;
    let payload = null;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      arrivals.badBodies++;
    }
    arrivals.ids.push(String(request.headers['webhook-id']));
    arrivals.alertTypes.push(payload?.alert_type ?? null);
    arrivals.entities.push(payload?.entity ?? null);
    arrivals.times.push(Number(process.hrtime.bigint()));
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));

parentPort.on('message', (message) => {
  if (message.type === 'take') {
    parentPort.postMessage({ type: 'arrivals', arrivals });
    arrivals = { ids: [], times: [], alertTypes: [], entities: [], badSignatures: 0, badBodies: 0 };
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => parentPort.close());
  }
});
