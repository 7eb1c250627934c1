// G-4: an acknowledged change is never lost, and a crash leaves nothing half
// done.  A write storm of CreateVpc requests (16 in flight, each with its own
// ClientToken) runs against openvpcd; the daemon is killed with SIGKILL at a
// random moment; it restarts on the same data directory.  Then:
//   1. every acknowledged VPC exists, whole (Available, with its route table);
//   2. every request that was in flight is retried with its ClientToken: it
//      either returns the VPC the first attempt committed or creates one now,
//      never a second one;
//   3. nothing else exists: the VPCs are exactly those of 1 and 2, and there
//      is one system route table per VPC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as h from './lib/harness.mjs';

const ROUNDS = 3;

async function listAll(call) {
  const ids = new Map();
  for (let page = 1; ; page++) {
    const r = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 50, PageNumber: page });
    for (const v of r.Vpcs.Vpc) ids.set(v.VpcId, v);
    if (r.Vpcs.Vpc.length < 50) break;
  }
  return ids;
}

test('G-4: acknowledged creates survive kill -9, in-flight ones are resolved by ClientToken', async () => {
  let d = await h.startDaemon({ keepDir: true });
  const dir = d.dir;
  try {
    const op = h.rpc(d, d.operator, 'pop-get');
    const tenant = await h.newAccount(d, 'storm');
    await op(h.V_OPS, 'SetQuota', { AccountId: tenant.AccountId, QuotaName: 'vpc', Value: 100000 });
    const acked = new Map();   // token -> VpcId
    const tokens = [];         // every token sent
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const call = h.rpc(d, tenant, 'pop-get');
      let stop = false;
      const worker = async () => {
        while (!stop) {
          const token = `storm-${round}-${seq++}`;
          tokens.push(token);
          try {
            const r = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/16', ClientToken: token });
            if (!stop || r.VpcId) acked.set(token, r.VpcId);
          } catch (e) {
            if (e.data?.Code) throw e; // an API error: a refused request is a bug here
            return; // the connection broke: the daemon was killed
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 900)));
      await d.kill9();
      stop = true;
      await Promise.allSettled(workers);
      d = await h.startDaemon({ dir, keepDir: true });
    }
    assert.ok(acked.size > 50, `the storm acknowledged only ${acked.size} creates`);
    const call = h.rpc(d, tenant, 'pop-get');
    // 2. retry every unacknowledged token: same answer if it committed.
    const resolved = new Map(acked);
    for (const t of tokens) {
      if (acked.has(t)) continue;
      const r = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/16', ClientToken: t });
      resolved.set(t, r.VpcId);
    }
    // Replaying an acknowledged token returns the same VPC, never a new one.
    for (const [t, id] of [...acked].slice(0, 20)) {
      const r = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/16', ClientToken: t });
      assert.equal(r.VpcId, id, `token ${t} was answered twice differently`);
    }
    const vpcs = await h.waitFor(() => listAll(call),
      (m) => [...m.values()].every((v) => v.Status === 'Available'), 'every VPC Available');
    // 1. every acknowledged VPC is there, whole.
    for (const [t, id] of acked) {
      const v = vpcs.get(id);
      assert.ok(v, `acknowledged VPC ${id} (token ${t}) is missing after the crash`);
      assert.equal(v.CidrBlock, '10.0.0.0/16');
      assert.equal(v.RouterTableIds.RouterTableIds.length, 1);
    }
    // 3. nothing else exists.
    const expected = new Set(resolved.values());
    assert.equal(vpcs.size, expected.size, `found ${vpcs.size} VPCs, expected ${expected.size}`);
    for (const id of vpcs.keys()) assert.ok(expected.has(id), `VPC ${id} exists but no request made it`);
    const tables = await call(h.V_VPC, 'DescribeRouteTableList', { RegionId: h.REGION, PageSize: 50 });
    if (tables.TotalCount !== undefined) assert.equal(tables.TotalCount, vpcs.size, 'one route table per VPC');
    console.log(`crash test: ${ROUNDS} kills, ${acked.size} acknowledged, ${tokens.length - acked.size} in flight, ${vpcs.size} VPCs after recovery`);
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
