// API tests of elastic IPs through the real SDKs (NET-5, NET-7, NET-8,
// NET-12, NET-30, G-1, G-5, G-6).
//
//   account alice                                     account bob
//   +----------------------------------------------+  (sees none of it;
//   | VPC 10.0.0.0/16                              |   his own EIP only)
//   |  vsw 10.0.1.0/24 zone a, sg                  |
//   |   instances: no public IP / NatPublicIp      |
//   |   secondary ENI                              |
//   | EIPs from the region's public pool           |
//   +----------------------------------------------+
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon, newAccount, vpcClient, ecsClient, rpc, waitFor, expectCode,
  VpcSdk, EcsSdk, REGION, ZONE_A, V_VPC, V_ECS, V_OPS,
} from './lib/harness.mjs';

let d, alice, bob, vpc, vpc1, ecs, pop, bobVpc;
const w = {};

async function describe(q = {}, client = vpc) {
  const r = await client.describeEipAddresses(new VpcSdk.DescribeEipAddressesRequest({ regionId: REGION, ...q }));
  return r.body;
}

async function eip(id, client = vpc) {
  const b = await describe({ allocationId: id }, client);
  return b.eipAddresses.eipAddress[0];
}

// The number of EIPs once none is still moving (a release in flight counts until it settles).
async function settledCount(client = vpc) {
  const moving = ['Associating', 'Unassociating', 'Releasing'];
  const b = await waitFor(() => describe({ pageSize: 100 }, client),
    (x) => !x.eipAddresses.eipAddress.some((e) => moving.includes(e.status)), 'EIPs settled');
  return b.totalCount;
}

const waitEip = (id, status) => waitFor(() => eip(id), (e) => e?.status === status, `EIP ${status}`);

async function allocate(q = {}, client = vpc) {
  const r = await client.allocateEipAddress(new VpcSdk.AllocateEipAddressRequest({ regionId: REGION, ...q }));
  return r.body;
}

function associate(allocationId, instanceId, extra = {}, client = vpc) {
  return client.associateEipAddress(new VpcSdk.AssociateEipAddressRequest({
    regionId: REGION, allocationId, instanceId, ...extra }));
}

function unassociate(allocationId, extra = {}, client = vpc) {
  return client.unassociateEipAddress(new VpcSdk.UnassociateEipAddressRequest({
    regionId: REGION, allocationId, ...extra }));
}

function release(allocationId, client = vpc) {
  return client.releaseEipAddress(new VpcSdk.ReleaseEipAddressRequest({ regionId: REGION, allocationId }));
}

async function instance(id) {
  const r = await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) }));
  return r.body.instances.instance[0];
}

async function runInstance(extra = {}) {
  const r = await ecs.runInstances(new EcsSdk.RunInstancesRequest({
    regionId: REGION, instanceType: 'ecs.g6.large', imageId: 'ubuntu_22_04_x64',
    vSwitchId: w.vsw, securityGroupId: w.sg, internetChargeType: 'PayByTraffic', ...extra,
  }));
  const id = r.body.instanceIdSets.instanceIdSet[0];
  await waitFor(() => instance(id), (i) => i?.status === 'Running', 'instance Running');
  return id;
}

before(async () => {
  d = await startDaemon();
  alice = await newAccount(d, 'alice');
  bob = await newAccount(d, 'bob');
  vpc = vpcClient(d, alice);          // V3 (ACS3-HMAC-SHA256)
  vpc1 = vpcClient(d, alice, 'v1');   // V1 in the query of a POST
  ecs = ecsClient(d, alice);
  pop = rpc(d, alice, 'pop-get');     // pop-core V1 GET
  bobVpc = vpcClient(d, bob);
  const v = await vpc.createVpc(new VpcSdk.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.0.0.0/16' }));
  w.vpc = v.body.vpcId;
  await waitFor(() => vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: REGION, vpcId: w.vpc })),
    (x) => x.body.status === 'Available', 'VPC Available');
  const s = await vpc.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: REGION, vpcId: w.vpc, zoneId: ZONE_A, cidrBlock: '10.0.1.0/24' }));
  w.vsw = s.body.vSwitchId;
  await waitFor(() => vpc.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId: w.vsw })),
    (x) => x.body.status === 'Available', 'vSwitch Available');
  const g = await ecs.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION, vpcId: w.vpc }));
  w.sg = g.body.securityGroupId;
});
after(async () => { await d?.stop(); });

test('net7: AllocateEipAddress answers Available at once with every DescribeEipAddresses field typed', async () => {
  const a = await allocate({ bandwidth: '7', internetChargeType: 'PayByTraffic', name: 'web', description: 'front door',
    tag: [new VpcSdk.AllocateEipAddressRequestTag({ key: 'team', value: 'blue' })] });
  assert.match(a.allocationId, /^eip-[0-9a-z]{20}$/);
  assert.match(a.eipAddress, /^198\.18\./);
  assert.equal(a.resourceGroupId, '');
  const e = await eip(a.allocationId);
  assert.equal(e.status, 'Available');
  assert.equal(e.ipAddress, a.eipAddress);
  assert.equal(e.bandwidth, '7');            // a string in the SDK model
  assert.equal(e.eipBandwidth, '7');
  assert.equal(e.internetChargeType, 'PayByTraffic');
  assert.equal(e.chargeType, 'PostPaid');
  assert.equal(e.name, 'web');
  assert.equal(e.description, 'front door');
  assert.equal(e.ISP, 'BGP');
  assert.equal(e.regionId, REGION);
  assert.equal(e.instanceId, '');
  assert.equal(e.businessStatus, 'Normal');
  assert.equal(e.deletionProtection, false);
  assert.equal(e.secondLimited, false);
  assert.equal(e.serviceManaged, 0);
  assert.deepEqual(e.operationLocks.lockReason, []);
  assert.deepEqual(e.securityProtectionTypes.securityProtectionType, []);
  assert.deepEqual(e.tags.tag.map((t) => ({ key: t.key, value: t.value })), [{ key: 'team', value: 'blue' }]);
  assert.match(e.allocationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // Default bandwidth 5 Mbit/s, PayByBandwidth.
  const b = await allocate({}, vpc1);
  const eb = await eip(b.allocationId, vpc1);
  assert.equal(eb.bandwidth, '5');
  assert.equal(eb.internetChargeType, 'PayByBandwidth');
  for (const id of [a.allocationId, b.allocationId]) await release(id);
});

test('net7: pop-core sees the raw PascalCase wire shapes', async () => {
  const a = await pop(V_VPC, 'AllocateEipAddress', { RegionId: REGION, Bandwidth: 3, 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  assert.match(a.AllocationId, /^eip-/);
  const r = await rpc(d, alice, 'pop-post')(V_VPC, 'DescribeEipAddresses', { RegionId: REGION, AllocationId: a.AllocationId });
  assert.equal(r.TotalCount, 1);
  assert.equal(r.PageNumber, 1);
  assert.equal(r.PageSize, 10);
  const e = r.EipAddresses.EipAddress[0];
  assert.equal(e.AllocationId, a.AllocationId);
  assert.equal(e.IpAddress, a.EipAddress);
  assert.equal(e.Bandwidth, '3');
  assert.ok(Array.isArray(e.OperationLocks.LockReason));
  assert.deepEqual(e.Tags.Tag.map((t) => ({ ...t })), [{ Key: 'k', Value: 'v' }]);
  assert.equal(e.Code, undefined);
  await pop(V_VPC, 'ReleaseEipAddress', { RegionId: REGION, AllocationId: a.AllocationId });
});

test('g5: bad AllocateEipAddress parameters are refused with InvalidParameter and allocate nothing', async () => {
  const before = (await settledCount());
  for (const q of [
    { bandwidth: '0' }, { bandwidth: '501' }, { bandwidth: '201', internetChargeType: 'PayByTraffic' },
    { bandwidth: 'lots' }, { internetChargeType: 'PayByHour' }, { instanceChargeType: 'PrePaid', internetChargeType: 'PayByTraffic' },
    { ISP: 'ChinaTelecom' }, { name: 'http://eip' }, { ipAddress: '198.18.0.9' }, { netmode: 'private' },
  ]) {
    const e = await expectCode(allocate(q), 'InvalidParameter', 400);
    assert.ok(e.data.Message.length > 10, 'the message says what was wrong');
  }
  assert.equal((await settledCount()), before);
});

test('net7: a subscription EIP is released only once it expires', async () => {
  const a = await allocate({ instanceChargeType: 'PrePaid', pricingCycle: 'Month', period: 1, bandwidth: '1000' });
  const e = await eip(a.allocationId);
  assert.equal(e.chargeType, 'PrePaid');
  assert.match(e.expiredTime, /Z$/);
  await expectCode(release(a.allocationId), 'Forbidden.ChargeTypeIsPrepaid', 400);
  await rpc(d, d.operator, 'pop-get')(V_OPS, 'SetClock', { Advance: 31 * 86400 });
  await release(a.allocationId);
  await waitFor(() => describe({ allocationId: a.allocationId }), (b) => b.totalCount === 0, 'EIP released');
});

test('net7/g6: associate with a VPC instance, unbind and bind again any number of times (V1 dialect)', async () => {
  const i1 = await runInstance();
  const i2 = await runInstance();
  const a = await allocate({}, vpc1);
  for (const [round, iid] of [[1, i1], [2, i2], [3, i1]]) {
    await associate(a.allocationId, iid, round === 2 ? { instanceType: 'EcsInstance' } : {}, vpc1);
    const now = await eip(a.allocationId, vpc1);
    assert.ok(['Associating', 'InUse'].includes(now.status), `round ${round}: ${now.status}`);
    const e = await waitEip(a.allocationId, 'InUse');
    assert.equal(e.instanceId, iid);
    assert.equal(e.instanceType, 'EcsInstance');
    assert.equal(e.instanceRegionId, REGION);
    assert.equal(e.vpcId, w.vpc);
    assert.match(e.privateIpAddress, /^10\.0\.1\./);
    const inst = await instance(iid);
    assert.equal(inst.eipAddress.allocationId, a.allocationId);
    assert.equal(inst.eipAddress.ipAddress, a.eipAddress);
    await unassociate(a.allocationId, { instanceId: iid }, vpc1);
    const freed = await waitEip(a.allocationId, 'Available');
    assert.equal(freed.instanceId, '');
    assert.equal((await instance(iid)).eipAddress.ipAddress, '');
  }
  w.i1 = i1;
  w.i2 = i2;
  w.eip = a.allocationId;
});

test('net5: one public IPv4 per instance: no EIP on a NatPublicIp, no second EIP', async () => {
  const nat = await runInstance({ internetMaxBandwidthOut: 5 });
  assert.match((await instance(nat)).publicIpAddress.ipAddress[0], /^198\.18\./);
  const a = await allocate();
  await expectCode(associate(a.allocationId, nat), 'BIND_INSTANCE_HAVE_PORTMAP_OR_BIND_EIP', 400);
  assert.equal((await eip(a.allocationId)).status, 'Available', 'the refusal changed nothing');
  await associate(w.eip, w.i1);
  await expectCode(associate(a.allocationId, w.i1), 'InvalidAssociation.Duplicated', 400);
  await expectCode(associate(w.eip, w.i2), 'IncorrectEipStatus', 400);
  await waitEip(w.eip, 'InUse');
  await expectCode(unassociate(w.eip, { instanceId: w.i2 }), 'InvalidBindingStatus', 400);
  await expectCode(associate(a.allocationId, w.i2, { instanceType: 'Nat' }), 'InvalidInstanceType.ValueNotSupported', 400);
  await expectCode(associate(a.allocationId, 'i-doesnotexist0000000000'), 'InvalidInstanId.NotFound', 404);
  await expectCode(associate('eip-doesnotexist000000000', w.i2), 'InvalidAllocationId.NotFound', 404);
  await expectCode(associate(a.allocationId, w.i2, { mode: 'BINDED' }), 'InvalidParameter', 400);
  w.nat = nat;
  w.spare = a.allocationId;
});

test('net7: release needs the EIP unbound; Releasing, then gone (G-6)', async () => {
  await expectCode(release(w.eip), 'IncorrectEipStatus', 400);
  await unassociate(w.eip);
  await waitEip(w.eip, 'Available');
  await release(w.eip);
  const r = await waitFor(() => describe({ allocationId: w.eip }), (b) => b.totalCount === 0, 'EIP gone');
  assert.deepEqual(r.eipAddresses.eipAddress, []);
  await expectCode(release(w.eip), 'InvalidAllocationId.NotFound', 404);
});

test('net30: releasing the EIP forgets its PTR name', async () => {
  const a = await allocate();
  const op = rpc(d, d.operator, 'pop-get');
  await op(V_OPS, 'SetReverseDns', { RegionId: REGION, IpAddress: a.eipAddress, DomainName: 'mail.example.com' });
  const has = await op(V_OPS, 'DescribeReverseDns', { RegionId: REGION });
  assert.ok(has.ReverseDnsEntries.ReverseDnsEntry.some((e) => e.IpAddress === a.eipAddress));
  await release(a.allocationId);
  await waitFor(() => describe({ allocationId: a.allocationId }), (b) => b.totalCount === 0, 'EIP gone');
  const after = await op(V_OPS, 'DescribeReverseDns', { RegionId: REGION });
  assert.ok(!after.ReverseDnsEntries.ReverseDnsEntry.some((e) => e.IpAddress === a.eipAddress));
});

test('net7: the EIP survives its instance and is Available again', async () => {
  const iid = await runInstance();
  const a = await allocate();
  await associate(a.allocationId, iid);
  await waitEip(a.allocationId, 'InUse');
  await ecs.deleteInstance(new EcsSdk.DeleteInstanceRequest({ instanceId: iid, force: true }));
  const e = await waitEip(a.allocationId, 'Available');
  assert.equal(e.instanceId, '');
  assert.equal(e.ipAddress, a.eipAddress, 'the address is kept');
  await release(a.allocationId);
});

test('net7: associate with a secondary ENI (InstanceType NetworkInterface)', async () => {
  const n = await ecs.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({
    regionId: REGION, vSwitchId: w.vsw, securityGroupId: w.sg }));
  const eniId = n.body.networkInterfaceId;
  await associate(w.spare, eniId, { instanceType: 'NetworkInterface' });
  const e = await waitEip(w.spare, 'InUse');
  assert.equal(e.instanceId, eniId);
  assert.equal(e.instanceType, 'NetworkInterface');
  assert.equal(e.privateIpAddress, n.body.privateIpAddress);
  const b = await describe({ associatedInstanceType: 'NetworkInterface', associatedInstanceId: eniId });
  assert.equal(b.totalCount, 1);
  await expectCode(associate(w.spare, eniId, { instanceType: 'EcsInstance' }), 'IncorrectEipStatus', 400);
  await unassociate(w.spare, { instanceId: eniId, instanceType: 'NetworkInterface' });
  await waitEip(w.spare, 'Available');
});

test('net8: ModifyEipAddressAttribute changes bandwidth, name and description', async () => {
  await vpc.modifyEipAddressAttribute(new VpcSdk.ModifyEipAddressAttributeRequest({
    regionId: REGION, allocationId: w.spare, bandwidth: '150', name: 'renamed', description: 'a spare address' }));
  let e = await eip(w.spare);
  assert.equal(e.bandwidth, '150');
  assert.equal(e.name, 'renamed');
  assert.equal(e.description, 'a spare address');
  await expectCode(vpc.modifyEipAddressAttribute(new VpcSdk.ModifyEipAddressAttributeRequest({
    regionId: REGION, allocationId: w.spare, bandwidth: '501', name: 'other' })), 'InvalidParameter', 400);
  e = await eip(w.spare);
  assert.equal(e.name, 'renamed', 'a refused request changes nothing');
});

test('net12: ConvertNatPublicIpToEip shows up as an InUse EIP with the same address', async () => {
  const ip = (await instance(w.nat)).publicIpAddress.ipAddress[0];
  await ecs.convertNatPublicIpToEip(new EcsSdk.ConvertNatPublicIpToEipRequest({ regionId: REGION, instanceId: w.nat }));
  const b = await describe({ eipAddress: ip });
  assert.equal(b.totalCount, 1);
  const e = b.eipAddresses.eipAddress[0];
  assert.equal(e.status, 'InUse');
  assert.equal(e.instanceId, w.nat);
  assert.equal(e.bandwidth, '5');
  assert.equal(e.internetChargeType, 'PayByTraffic');
  await unassociate(e.allocationId);
  await waitEip(e.allocationId, 'Available');
  await release(e.allocationId);
});

test('DescribeEipAddresses filters and paging', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await allocate({ name: `f${i}` })).allocationId);
  let b = await describe({ allocationId: `${ids[0]},${ids[2]}` });
  assert.deepEqual(b.eipAddresses.eipAddress.map((e) => e.allocationId).sort(), [ids[0], ids[2]].sort());
  b = await describe({ eipName: 'f1' });
  assert.deepEqual(b.eipAddresses.eipAddress.map((e) => e.allocationId), [ids[1]]);
  b = await describe({ status: 'InUse' });
  assert.equal(b.totalCount, 0);
  b = await describe({ chargeType: 'PostPaid', pageSize: 2, pageNumber: 2 });
  assert.equal(b.pageSize, 2);
  assert.equal(b.pageNumber, 2);
  assert.ok(b.totalCount >= 4);
  b = await describe({ filter: [new VpcSdk.DescribeEipAddressesRequestFilter({ key: 'CreationStartTime', value: '2000-01-01T00:00Z' })] });
  assert.ok(b.totalCount >= 3);
  b = await describe({ lockReason: 'financial' });
  assert.equal(b.totalCount, 0);
  await expectCode(describe({ pageSize: 101 }), 'InvalidParameter', 400);
  await expectCode(describe({ chargeType: 'Monthly' }), 'InvalidChargeType.ValueNotSupported', 400);
  await expectCode(describe({ associatedInstanceType: 'Router' }), 'InvalidIAssociatedInstanceType.ValueNotSupported', 400);
  await expectCode(describe({ filter: [new VpcSdk.DescribeEipAddressesRequestFilter({ key: 'Color', value: 'x' })] }),
    'InvalidFilterKey.NotFound', 404);
  for (const id of ids) await release(id);
});

test('g5: DryRun validates without allocating; ClientToken makes Allocate idempotent', async () => {
  const before = (await settledCount());
  // The typed request has no DryRun field; the generic V3 caller sends it.
  await expectCode(rpc(d, alice, 'v3')(V_VPC, 'AllocateEipAddress', { RegionId: REGION, DryRun: true }),
    'DryRunOperation', 400);
  await expectCode(rpc(d, alice, 'v3')(V_VPC, 'AllocateEipAddress', { RegionId: REGION, DryRun: true, Bandwidth: 0 }),
    'InvalidParameter', 400);
  assert.equal((await settledCount()), before);
  const a = await allocate({ clientToken: 'eip-token-1' });
  const b = await allocate({ clientToken: 'eip-token-1' });
  assert.equal(b.allocationId, a.allocationId);
  assert.equal(b.eipAddress, a.eipAddress);
  assert.equal((await settledCount()), before + 1);
  await release(a.allocationId);
});

test('quota: QuotaExceeded.Eip once the account holds its quota', async () => {
  await rpc(d, d.operator, 'pop-get')(V_OPS, 'SetQuota', { AccountId: bob.AccountId, QuotaName: 'eip', Value: 1 });
  const mine = await allocate({}, bobVpc);
  await expectCode(allocate({}, bobVpc), 'QuotaExceeded.Eip', 400);
  w.bobEip = mine.allocationId;
});

test('g1: another account\'s EIPs and instances answer exactly like missing ones', async () => {
  const a = await allocate();
  const b = await describe({ allocationId: a.allocationId }, bobVpc);
  assert.equal(b.totalCount, 0);
  assert.deepEqual((await describe({}, bobVpc)).eipAddresses.eipAddress.map((e) => e.allocationId), [w.bobEip]);
  await expectCode(associate(a.allocationId, w.i2, {}, bobVpc), 'InvalidAllocationId.NotFound', 404);
  await expectCode(unassociate(a.allocationId, {}, bobVpc), 'InvalidAllocationId.NotFound', 404);
  await expectCode(release(a.allocationId, bobVpc), 'InvalidAllocationId.NotFound', 404);
  await expectCode(bobVpc.modifyEipAddressAttribute(new VpcSdk.ModifyEipAddressAttributeRequest({
    regionId: REGION, allocationId: a.allocationId, name: 'mine' })), 'InvalidAllocationId.NotFound', 404);
  // Bob's own EIP and Alice's instance: the instance does not exist for him.
  await expectCode(associate(w.bobEip, w.i2, {}, bobVpc), 'InvalidInstanId.NotFound', 404);
  assert.equal((await eip(a.allocationId)).name, '', 'nothing changed for Alice');
  assert.equal((await instance(w.i2)).eipAddress.ipAddress, '');
  await release(a.allocationId);
});

test('net7: the legacy ECS 2014-05-26 EIP actions drive the same EIPs', async () => {
  const a = await ecs.allocateEipAddress(new EcsSdk.AllocateEipAddressRequest({ regionId: REGION, bandwidth: '4' }));
  assert.match(a.body.allocationId, /^eip-/);
  const r = await ecs.describeEipAddresses(new EcsSdk.DescribeEipAddressesRequest({ regionId: REGION, allocationId: a.body.allocationId }));
  assert.equal(r.body.totalCount, 1);
  const e = r.body.eipAddresses.eipAddress[0];
  assert.equal(e.ipAddress, a.body.eipAddress);
  assert.equal(e.bandwidth, '4');
  assert.deepEqual(e.operationLocks.lockReason, []);
  assert.equal((await eip(a.body.allocationId)).status, 'Available', 'the VPC API sees it too');
  await ecs.associateEipAddress(new EcsSdk.AssociateEipAddressRequest({ regionId: REGION, allocationId: a.body.allocationId, instanceId: w.i2 }));
  await waitEip(a.body.allocationId, 'InUse');
  await ecs.unassociateEipAddress(new EcsSdk.UnassociateEipAddressRequest({ regionId: REGION, allocationId: a.body.allocationId, instanceId: w.i2 }));
  await waitEip(a.body.allocationId, 'Available');
  await ecs.releaseEipAddress(new EcsSdk.ReleaseEipAddressRequest({ regionId: REGION, allocationId: a.body.allocationId }));
  await waitFor(() => describe({ allocationId: a.body.allocationId }), (b) => b.totalCount === 0, 'EIP gone');
});
