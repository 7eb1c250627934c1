// conn-abuse: hostile connection patterns against openvpcd, loopback only,
// while a legitimate signed client keeps calling DescribeVpcs (issue 7,
// "Connections"). Used by bench/conn-abuse.sh (figures in
// docs/benchmarks.md) and by tests/api/hostile-conn.test.mjs (a short run
// that asserts the signed client is served throughout).
//
// The abusers connect from `from` (127.0.0.2 by default: every 127/8
// address is loopback on Linux), the signed client from 127.0.0.1, so the
// per-address connection limit applies to the abusers alone, as it would to
// one hostile host.
//   - close:     send a request and close at once (was CLOSE-WAIT for 60 s)
//   - half:      send a request, shut down writing, never read
//   - slowloris: a request line, then one header byte every 5 s
//   - idle:      connect and send nothing
import net from 'node:net';
import { readFileSync } from 'node:fs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function abuse({ endpoint, from = '127.0.0.2', seconds = 10, closers = 64, slow = 200, idle = 200 }) {
  const [host, port] = endpoint.split(':');
  if (!/^127\./.test(host) || !/^127\./.test(from)) throw new Error('conn-abuse runs on loopback only');
  const until = Date.now() + seconds * 1000;
  const open = new Set();
  const stats = { requests: 0, refused: 0, slowClosed: 0 };
  const conn = () => {
    const s = net.connect({ host, port: Number(port), localAddress: from });
    open.add(s);
    s.on('error', () => {});
    s.on('close', () => open.delete(s));
    return s;
  };
  const req = `GET /?Action=DescribeVpcs&Version=2016-04-28 HTTP/1.1\r\nHost: ${endpoint}\r\n\r\n`;
  // Closers: as many send-and-close loops as `closers`, back to back.
  const closer = async () => {
    while (Date.now() < until) {
      await new Promise((resolve) => {
        const s = conn();
        s.on('connect', () => { s.write(req); stats.requests++; s.destroy(); resolve(); });
        s.on('error', () => { stats.refused++; resolve(); });
        setTimeout(resolve, 1000);
      });
    }
  };
  const halfer = async () => {
    while (Date.now() < until) {
      await new Promise((resolve) => {
        const s = conn();
        s.on('connect', () => { s.end(req); stats.requests++; resolve(); });
        s.on('error', () => { stats.refused++; resolve(); });
        setTimeout(resolve, 1000);
      });
      await sleep(5);
    }
  };
  const slowloris = () => {
    const s = conn();
    s.on('connect', () => s.write(`GET /?Action=DescribeVpcs HTTP/1.1\r\nHost: ${endpoint}\r\n`));
    const t = setInterval(() => { if (!s.destroyed) s.write('X'); }, 5000);
    // Counted only when the server ends it (FIN or reset), not our cleanup.
    let cut = false;
    const byServer = () => { if (!cut) { cut = true; stats.slowClosed++; } };
    s.on('end', byServer);
    s.on('error', byServer);
    s.on('close', () => clearInterval(t));
  };
  for (let i = 0; i < slow; i++) slowloris();
  for (let i = 0; i < idle; i++) conn();
  const loops = [];
  for (let i = 0; i < closers; i++) loops.push(i % 2 ? closer() : halfer());
  await Promise.all(loops);
  for (const s of open) s.destroy();
  return stats;
}

// Resident memory of a process, in KiB.
export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

// Runs `call` every `everyMs` until `until`; returns latencies (ms) and failures.
export async function steadyClient(call, { until, everyMs = 100 }) {
  const lat = [];
  const failures = [];
  while (Date.now() < until) {
    const t0 = Date.now();
    try {
      await call();
      lat.push(Date.now() - t0);
    } catch (e) {
      failures.push(`${e.code ?? ''} ${e.message}`.slice(0, 200));
    }
    await sleep(everyMs);
  }
  lat.sort((a, b) => a - b);
  return { lat, failures, p50: lat[Math.floor(lat.length / 2)] ?? 0, max: lat[lat.length - 1] ?? 0 };
}
