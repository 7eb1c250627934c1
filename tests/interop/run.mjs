// Interop (issue 7): two Alibaba clients nobody here wrote run a user story
// against a real openvpcd on 127.0.0.1 (loopback only):
//   aliyungo    Debian golang-github-denverdino-aliyungo-dev + golang-go
//   fog-aliyun  Debian ruby-fog-aliyun
//
//   +-----------------+   V1 GET, ECS 2014-05-26   +---------------------+
//   | aliyungo / fog  | -------------------------> | openvpcd 127.0.0.1:N |
//   +-----------------+                            +---------------------+
//
// Each client prints "ok <step>" / "FAIL <step>: ..." and a count line; this
// runner adds them up and prints "N passed, M failed" (scripts/test.sh adds
// it to its total).  A client that cannot be built or run counts as failed,
// never as skipped.  Exit status: 0 only when nothing failed.
//   OPENVPC_BUILD=build-asan node tests/interop/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as h from '../api/lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let passed = 0, failed = 0;

function tally(name, res) {
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  process.stdout.write(out.split('\n').map((l) => (l ? `  [${name}] ${l}` : l)).join('\n'));
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(res.stdout ?? '');
  if (res.error || !m) {
    console.log(`\n  [${name}] FAIL: the client did not run to its end (${res.error?.message ?? `exit ${res.status}`})`);
    failed += 1 + (m ? Number(m[2]) : 0);
    passed += m ? Number(m[1]) : 0;
    return;
  }
  passed += Number(m[1]);
  failed += Number(m[2]);
  if (res.status !== 0 && Number(m[2]) === 0) failed++;
}

const d = await h.startDaemon();
try {
  const env = (key) => ({ ...process.env, OPENVPC_ENDPOINT: d.endpoint, OPENVPC_AK: key.AccessKeyId, OPENVPC_SK: key.AccessKeySecret });
  // Each client acts as its own account, so neither sees the other's VPC.
  const goKey = await h.newAccount(d, 'aliyungo');
  const gobin = mkdtempSync(join(tmpdir(), 'openvpc-interop-'));
  const build = spawnSync('go', ['build', '-o', join(gobin, 'story'), '.'], {
    cwd: join(here, 'aliyungo'), encoding: 'utf8', timeout: 300000,
    env: { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(gobin, 'cache') },
  });
  if (build.status !== 0) tally('aliyungo', { stdout: `FAIL build: ${build.error?.message ?? build.stderr}\n0 passed, 1 failed\n`, stderr: '', status: 1 });
  else tally('aliyungo', spawnSync(join(gobin, 'story'), [], { encoding: 'utf8', timeout: 120000, env: env(goKey) }));
  rmSync(gobin, { recursive: true, force: true });

  const fogKey = await h.newAccount(d, 'fog');
  tally('fog-aliyun', spawnSync('ruby', [join(here, 'fog', 'story.rb')], { encoding: 'utf8', timeout: 120000, env: env(fogKey) }));
} finally {
  try { await d.stop(); } catch (e) { console.log(`FAIL openvpcd: ${e.message.slice(0, 2000)}`); failed++; }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
