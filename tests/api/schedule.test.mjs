// The scheduler never stalls (issue 7, NET-26): through the real agent of
// openvpcd, a migration whose target vSwitch is full when it finishes ends
// Failed with a reason, in its own transaction, while another account's
// migration due at the same time still runs; a migrating instance refuses
// other network changes (a ClassicLink made mid-migration would vanish).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

const V = h.V_VPC, E = h.V_ECS, R = h.REGION;
let d;

function iso(ms) { return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'); }
async function daemonNow() {
  const c = await h.rpc(d, d.operator, 'pop-get')(h.V_OPS, 'DescribeClock', {});
  return c.NowUnix * 1000;
}

// A tenant with a VPC (ClassicLink on), a vSwitch of the given CIDR, a VPC
// group and a Running classic instance.
async function tenant(name, cidr) {
  const call = h.rpc(d, await h.newAccount(d, name), 'pop-get');
  const vpc = (await call(V, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' })).VpcId;
  await h.waitFor(() => call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc }), (v) => v.Status === 'Available', 'VPC');
  await call(V, 'EnableVpcClassicLink', { RegionId: R, VpcId: vpc });
  const vsw = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc, ZoneId: h.ZONE_A, CidrBlock: cidr })).VSwitchId;
  await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vsw }), (v) => v.Status === 'Available', 'vSwitch');
  const sg = (await call(E, 'CreateSecurityGroup', { RegionId: R, VpcId: vpc })).SecurityGroupId;
  const csg = (await call(E, 'CreateSecurityGroup', { RegionId: R })).SecurityGroupId;
  const inst = (await call(E, 'RunInstances', { RegionId: R, ZoneId: h.ZONE_A, InstanceType: 'ecs.g6.large', SecurityGroupId: csg, InternetMaxBandwidthOut: 2 })).InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => describe(call, inst), (i) => i.Status === 'Running', 'classic Running');
  return { call, vpc, vsw, sg, inst };
}
async function describe(call, id) {
  return (await call(E, 'DescribeInstances', { RegionId: R, InstanceIds: JSON.stringify([id]) })).Instances.Instance[0];
}
async function event(t, id) {
  return (await t.call(E, 'DescribeClassicMigrations', { RegionId: R, EventId: id })).Events.Event[0];
}
async function migrate(t, at) {
  return (await t.call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': t.inst, VSwitchId: t.vsw, 'SecurityGroupId.1': t.sg, ExecuteTime: iso(at) })).EventIds.EventId[0];
}

before(async () => { d = await h.startDaemon(); });
after(async () => { await d?.stop(); });

test('NET-26: a migration that cannot finish ends Failed and never holds back another account\'s', async () => {
  const alice = await tenant('alice', '10.0.9.0/29'); // a handful of addresses
  const bob = await tenant('bob', '10.0.1.0/24');
  const now = await daemonNow();
  const ea = await migrate(alice, now + 60e3);
  const eb = await migrate(bob, now + 60e3);
  await h.advanceClock(d, 61);
  await h.waitFor(() => event(alice, ea), (e) => e.Status === 'Executing', 'alice Executing');
  await h.waitFor(() => event(bob, eb), (e) => e.Status === 'Executing', 'bob Executing');
  // NET-26: the restarting instance takes no other network change.
  const mid = await describe(alice.call, alice.inst);
  assert.equal(mid.Status, 'Starting');
  await h.expectCode(alice.call(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: alice.inst, VpcId: alice.vpc }), 'InvalidStatus.InstanceStatus', 403);
  await h.expectCode(alice.call(E, 'ModifyInstanceNetworkSpec', { InstanceId: alice.inst, InternetMaxBandwidthOut: 9 }), 'IncorrectInstanceStatus', 403);
  await h.expectCode(alice.call(E, 'StopInstance', { InstanceId: alice.inst }), 'IncorrectInstanceStatus', 403);
  // Fill alice's target so the migration cannot take an address when it finishes.
  for (let i = 0; i < 64; i++) {
    try { await alice.call(E, 'CreateNetworkInterface', { RegionId: R, VSwitchId: alice.vsw, SecurityGroupId: alice.sg }); } catch { break; }
  }
  await h.advanceClock(d, 301);
  const fa = await h.waitFor(() => event(alice, ea), (e) => e.Status === 'Failed', 'alice Failed');
  assert.match(fa.Reason, /QuotaExceeded\.PrivateIpAddress/);
  const fb = await h.waitFor(() => event(bob, eb), (e) => e.Status === 'Executed', 'bob Executed');
  assert.ok(fb.NewPrivateIpAddress);
  const ia = await describe(alice.call, alice.inst);
  assert.equal(ia.InstanceNetworkType, 'classic', 'nothing of the failed step remains');
  assert.equal(ia.Status, 'Running', 'back from the restart');
  assert.equal(ia.PublicIpAddress.IpAddress.length, 1);
  assert.equal((await describe(bob.call, bob.inst)).InstanceNetworkType, 'vpc');
  // Alice's instance takes changes again.
  await alice.call(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: alice.inst, VpcId: alice.vpc });
});
