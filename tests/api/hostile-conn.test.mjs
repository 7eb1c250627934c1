// Connection abuse (issue 7, "Connections"), bounded and loopback only:
// send-and-close clients, half-closed clients, slowloris and idle sockets
// from one hostile address (127.0.0.2) while a signed client on 127.0.0.1
// keeps calling DescribeVpcs. The signed client must be served throughout,
// slowloris must be cut off by the header deadline, and the sockets of
// closed clients must go at once (not sit in CLOSE-WAIT for the idle timeout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import * as h from './lib/harness.mjs';
import { abuse, steadyClient, rssKiB } from '../../bench/conn-abuse.mjs';

let d, alice;
before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
});
after(async () => { await d?.stop(); });

const sockets = (pid) => readdirSync(`/proc/${pid}/fd`).filter((f) => {
  try { return readlinkSync(`/proc/${pid}/fd/${f}`).startsWith('socket:'); } catch { return false; }
}).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a signed client is served while one address abuses connections; abusers are cleaned up', async () => {
  const call = h.rpc(d, alice, 'pop-get');
  await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION });
  const base = sockets(d.child.pid);
  const rss0 = rssKiB(d.child.pid);
  const seconds = 12;
  const [stats, client] = await Promise.all([
    abuse({ endpoint: d.endpoint, seconds, closers: 32, slow: 150, idle: 150 }),
    steadyClient(() => call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION }), { until: Date.now() + seconds * 1000 }),
  ]);
  const rss1 = rssKiB(d.child.pid);
  console.log(`abuse: ${JSON.stringify(stats)}; signed client: ${client.lat.length} calls, p50 ${client.p50} ms, max ${client.max} ms; RSS ${rss0} -> ${rss1} KiB`);
  assert.deepEqual(client.failures, []);
  assert.ok(client.lat.length >= 20, `only ${client.lat.length} calls answered`);
  assert.ok(client.max < 5000, `a signed call took ${client.max} ms`);
  // Slowloris sockets were all closed by the server (header deadline).
  assert.equal(stats.slowClosed, 150);
  // Within a few seconds the daemon holds no more sockets than before.
  let now = sockets(d.child.pid);
  for (let i = 0; i < 50 && now > base + 2; i++) { await sleep(100); now = sockets(d.child.pid); }
  assert.ok(now <= base + 2, `daemon still holds ${now} sockets (was ${base})`);
});
