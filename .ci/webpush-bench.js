// The npm web-push reference for BenchmarkDueMinute (server/remind): sends
// the messages listed in the JSON file argv[2], 64 at a time over keep-alive
// connections, and prints {"sent", "failed", "seconds", "pushesPerSecond"}
// as one JSON line. Each request is web-push's own (generateRequestDetails:
// encryption, a VAPID JWT signed per message, the headers), sent as its
// sendNotification would send it, but with node's http module: the loopback
// test push service speaks plain HTTP, and sendNotification always uses https.
// .ci/bench installs web-push into a temporary directory and points NODE_PATH at it.
'use strict';
const fs = require('fs');
const http = require('http');
const webpush = require('web-push');

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const vapidDetails = { subject: spec.subject, publicKey: spec.publicKey, privateKey: spec.privateKey };
  const send = (j) => new Promise((resolve, reject) => {
    const d = webpush.generateRequestDetails(
      { endpoint: j.endpoint, keys: { p256dh: j.p256dh, auth: j.auth } }, j.payload,
      { vapidDetails, TTL: j.ttl, urgency: j.urgency, topic: j.topic, contentEncoding: 'aes128gcm' });
    const req = http.request(d.endpoint, { method: d.method, headers: d.headers, agent, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(d.body);
  });
  // Warm the connections outside the timing, as the Go paths do.
  await Promise.all(spec.warm.map((j) => send(j).catch(() => {})));
  let next = 0, sent = 0, failed = 0, firstError = '';
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < spec.jobs.length) {
      const j = spec.jobs[next++];
      try {
        const res = await send(j);
        if (res.statusCode === 201) sent++; else failed++;
      } catch (e) {
        failed++;
        firstError = firstError || String(e.statusCode || '') + ' ' + (e.body || e.message || e);
      }
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  if (firstError) console.error('first failure:', firstError);
  process.stdout.write(JSON.stringify({ sent, failed, seconds, pushesPerSecond: sent / seconds }) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
