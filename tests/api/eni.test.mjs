// API tests of elastic network interfaces through the real SDKs
// (NET-3, NET-15, NET-18..NET-24, G-1, G-6).
//
//   account alice                                   account bob
//   +--------------------------------------------+  (sees none of it)
//   | VPC 10.0.0.0/16 (+ IPv6 /56)               |
//   |  vsw A 10.0.1.0/24 zone a (+ IPv6 /64)     |
//   |   i-...  ecs.g6.large (3 NICs, 6 IPs/NIC)  |
//   |  vsw B 10.0.2.0/24 zone b                  |
//   |  sg1, sg2 normal; sgE enterprise           |
//   | VPC 192.168.0.0/16, sgX                    |
//   +--------------------------------------------+
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon, newAccount, vpcClient, ecsClient, rpc, waitFor, expectCode,
  VpcSdk, EcsSdk, REGION, ZONE_A, ZONE_B, V_ECS, V_OPS,
} from './lib/harness.mjs';

let d, alice, bob, ecs, ecs1, vpc, pop, popPost;
const w = {};

async function mkVpc(cidr, ipv6) {
  const r = await vpc.createVpc(new VpcSdk.CreateVpcRequest({ regionId: REGION, cidrBlock: cidr, enableIpv6: ipv6 }));
  const id = r.body.vpcId;
  await waitFor(() => vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: REGION, vpcId: id })),
    (x) => x.body.status === 'Available', 'VPC Available');
  return id;
}

async function mkVsw(vpcId, zone, cidr, v6) {
  const q = { regionId: REGION, vpcId, zoneId: zone, cidrBlock: cidr };
  if (v6 !== undefined) q.ipv6CidrBlock = v6;
  const r = await vpc.createVSwitch(new VpcSdk.CreateVSwitchRequest(q));
  const id = r.body.vSwitchId;
  await waitFor(() => vpc.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId: id })),
    (x) => x.body.status === 'Available', 'vSwitch Available');
  return id;
}

async function mkSg(vpcId, type) {
  const r = await ecs.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION, vpcId, securityGroupType: type }));
  return r.body.securityGroupId;
}

async function attr(id, client = ecs) {
  const r = await client.describeNetworkInterfaceAttribute(
    new EcsSdk.DescribeNetworkInterfaceAttributeRequest({ regionId: REGION, networkInterfaceId: id }));
  return r.body;
}

async function mkEni(extra = {}, client = ecs) {
  const r = await client.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({
    regionId: REGION, vSwitchId: w.vswA, securityGroupId: w.sg1, ...extra,
  }));
  return r.body;
}

async function runInstance(extra = {}) {
  const r = await ecs.runInstances(new EcsSdk.RunInstancesRequest({
    regionId: REGION, instanceType: 'ecs.g6.large', imageId: 'ubuntu_22_04_x64',
    vSwitchId: w.vswA, securityGroupId: w.sg1, ...extra,
  }));
  const id = r.body.instanceIdSets.instanceIdSet[0];
  await waitFor(() => ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) })),
    (x) => x.body.instances.instance[0]?.status === 'Running', 'instance Running');
  return id;
}

async function primaryOf(instanceId) {
  const r = await ecs.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({
    regionId: REGION, instanceId, type: 'Primary' }));
  assert.equal(r.body.networkInterfaceSets.networkInterfaceSet.length, 1);
  return r.body.networkInterfaceSets.networkInterfaceSet[0];
}

const waitStatus = (id, status) => waitFor(() => attr(id), (b) => b.status === status, `ENI ${status}`);

before(async () => {
  d = await startDaemon();
  alice = await newAccount(d, 'alice');
  bob = await newAccount(d, 'bob');
  ecs = ecsClient(d, alice);
  ecs1 = ecsClient(d, alice, 'v1');
  vpc = vpcClient(d, alice);
  pop = rpc(d, alice, 'pop-get');
  popPost = rpc(d, alice, 'pop-post');
  w.vpc = await mkVpc('10.0.0.0/16', true);
  w.vpc2 = await mkVpc('192.168.0.0/16', false);
  w.vswA = await mkVsw(w.vpc, ZONE_A, '10.0.1.0/24', 0);
  w.vswB = await mkVsw(w.vpc, ZONE_B, '10.0.2.0/24');
  w.sg1 = await mkSg(w.vpc);
  w.sg2 = await mkSg(w.vpc);
  w.sgE = await mkSg(w.vpc, 'enterprise');
  w.sgX = await mkSg(w.vpc2);
  w.inst = await runInstance();
});

after(async () => {
  await d?.stop();
  // Under an ASan/UBSan build (OPENVPC_BUILD=build-...-asan) the daemon reports here.
  assert.doesNotMatch(d?.log ?? '', /AddressSanitizer|LeakSanitizer|runtime error:/);
});

test('net19: CreateNetworkInterface answers an Available ENI with its addresses (v3)', async () => {
  const b = await mkEni({ networkInterfaceName: 'eth-a', description: 'first nic',
    secondaryPrivateIpAddressCount: 2, tag: [new EcsSdk.CreateNetworkInterfaceRequestTag({ key: 'env', value: 'test' })] });
  assert.match(b.networkInterfaceId, /^eni-[0-9a-z]{20}$/);
  assert.equal(b.status, 'Available');
  assert.equal(b.type, 'Secondary');
  assert.equal(b.vpcId, w.vpc);
  assert.equal(b.vSwitchId, w.vswA);
  assert.equal(b.zoneId, ZONE_A);
  assert.match(b.macAddress, /^00:16:3e(:[0-9a-f]{2}){3}$/);
  assert.equal(b.networkInterfaceName, 'eth-a');
  assert.deepEqual(b.securityGroupIds.securityGroupId, [w.sg1]);
  assert.equal(b.privateIpSets.privateIpSet.length, 3);
  assert.equal(b.privateIpSets.privateIpSet[0].primary, true);
  assert.equal(b.privateIpSets.privateIpSet[0].privateIpAddress, b.privateIpAddress);
  assert.equal(b.tags.tag[0].tagKey, 'env');

  const a = await attr(b.networkInterfaceId);
  assert.equal(a.status, 'Available');
  assert.equal(a.macAddress, b.macAddress);
  assert.equal(a.description, 'first nic');
  assert.equal(a.instanceId, '');
  assert.equal(typeof a.queueNumber, 'number');
  assert.equal(a.deleteOnRelease, true);
  assert.match(a.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(a.ipv6Sets.ipv6Set, []);
});

test('net19: a given primary IP, and the refusals of CreateNetworkInterface', async () => {
  const b = await mkEni({ primaryIpAddress: '10.0.1.100' });
  assert.equal(b.privateIpAddress, '10.0.1.100');
  await expectCode(mkEni({ primaryIpAddress: '10.0.1.100' }), 'InvalidPrivateIpAddress.Duplicated', 400);
  await expectCode(mkEni({ securityGroupId: undefined }), 'MissingParameter', 400);
  await expectCode(mkEni({ securityGroupId: w.sgX }), 'InvalidOperation.VpcMismatch', 403);
  await expectCode(mkEni({ securityGroupId: undefined, securityGroupIds: [w.sg1, w.sgE] }), 'InvalidOperation.MultiGroupType');
  await expectCode(mkEni({ vSwitchId: 'vsw-doesnotexist000000' }), 'InvalidVSwitchId.NotFound', 404);
  await expectCode(mkEni({ secondaryPrivateIpAddressCount: 10 }), 'InvalidOperation.Ipv4CountExceeded', 403);
  await expectCode(mkEni({ ipv6AddressCount: 1, vSwitchId: w.vswB }), 'InvalidVSwitch.Ipv6NotTurnOn', 403);
  await expectCode(mkEni({ networkInterfaceName: 'http://x' }), 'InvalidNetworkInterfaceName.Malformed', 400);
});

test('net20: the ENI quota per region answers MaxEniCountExceeded (403)', async () => {
  const carol = await newAccount(d, 'carol');
  const op = rpc(d, d.operator, 'pop-get');
  await op(V_OPS, 'SetQuota', { AccountId: carol.AccountId, QuotaName: 'eni', Value: 0 });
  const c = ecsClient(d, carol);
  const cv = vpcClient(d, carol);
  const v = await cv.createVpc(new VpcSdk.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.9.0.0/16' }));
  await waitFor(() => cv.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: REGION, vpcId: v.body.vpcId })),
    (x) => x.body.status === 'Available');
  const s = await cv.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: REGION, vpcId: v.body.vpcId, zoneId: ZONE_A, cidrBlock: '10.9.1.0/24' }));
  await waitFor(() => cv.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId: s.body.vSwitchId })),
    (x) => x.body.status === 'Available');
  const g = await c.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION, vpcId: v.body.vpcId }));
  await expectCode(c.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({
    regionId: REGION, vSwitchId: s.body.vSwitchId, securityGroupId: g.body.securityGroupId })), 'MaxEniCountExceeded', 403);
});

test('net20/net21: attach, InUse, detach, Available (v1 dialect)', async () => {
  const e = await mkEni({}, ecs1);
  const id = e.networkInterfaceId;
  const before = await ecs1.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([w.inst]) }));
  await ecs1.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: id, instanceId: w.inst }));
  const a = await waitStatus(id, 'InUse');
  assert.equal(a.instanceId, w.inst);
  assert.equal(a.attachment.instanceId, w.inst);
  assert.equal(a.attachment.deviceIndex, 1);
  // NET-20: more ENIs never raise the instance's bandwidth.
  const afterI = await ecs1.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([w.inst]) }));
  assert.equal(afterI.body.instances.instance[0].internetMaxBandwidthOut, before.body.instances.instance[0].internetMaxBandwidthOut);
  assert.equal(afterI.body.instances.instance[0].internetMaxBandwidthIn, before.body.instances.instance[0].internetMaxBandwidthIn);

  await expectCode(ecs1.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: id, instanceId: w.inst })),
    'InvalidOperation.InvalidEniState', 400);
  const l = await ecs1.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({ regionId: REGION, instanceId: w.inst }));
  assert.equal(l.body.networkInterfaceSets.networkInterfaceSet.length, 2);

  const p = await primaryOf(w.inst);
  await expectCode(ecs1.detachNetworkInterface(new EcsSdk.DetachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: p.networkInterfaceId, instanceId: w.inst })),
    'InvalidOperation.DetachPrimaryEniNotAllowed', 400);
  await ecs1.detachNetworkInterface(new EcsSdk.DetachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: id, instanceId: w.inst }));
  const back = await waitStatus(id, 'Available');
  assert.equal(back.instanceId, '');
  assert.equal(back.attachment, undefined);
});

test('net20: attach refusals: zone, instance status, unknown instance, ENI limit', async () => {
  const eb = await mkEni({ vSwitchId: w.vswB });
  await expectCode(ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: eb.networkInterfaceId, instanceId: w.inst })),
    'InvalidOperation.AvailabilityZoneMismatch', 403);
  const e = await mkEni();
  await expectCode(ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: e.networkInterfaceId, instanceId: 'i-doesnotexist00000000' })),
    'InvalidInstanceId.NotFound');
  const inst = await runInstance();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await mkEni()).networkInterfaceId);
  for (const id of ids.slice(0, 2))
    await ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: id, instanceId: inst }));
  await expectCode(ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: ids[2], instanceId: inst })),
    'EniPerInstanceLimitExceeded', 403);
  await ecs.stopInstance(new EcsSdk.StopInstanceRequest({ instanceId: inst }));
  await waitFor(() => ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([inst]) })),
    (x) => x.body.instances.instance[0].status === 'Stopped', 'Stopped');
  // Releasing the instance takes the ENIs still attached with it (NET-21).
  await ecs.deleteInstance(new EcsSdk.DeleteInstanceRequest({ instanceId: inst }));
  await waitFor(() => ecs.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({ regionId: REGION, networkInterfaceId: ids.slice(0, 2) })),
    (x) => x.body.networkInterfaceSets.networkInterfaceSet.length === 0, 'attached ENIs released');
  assert.equal((await attr(ids[2])).status, 'Available');
});

test('net22: assign and unassign secondary private IPs', async () => {
  const e = await mkEni();
  const id = e.networkInterfaceId;
  const r = await ecs.assignPrivateIpAddresses(new EcsSdk.AssignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, secondaryPrivateIpAddressCount: 2 }));
  const set = r.body.assignedPrivateIpAddressesSet;
  assert.equal(set.networkInterfaceId, id);
  assert.equal(set.privateIpSet.privateIpAddress.length, 2);
  const given = await ecs.assignPrivateIpAddresses(new EcsSdk.AssignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, privateIpAddress: ['10.0.1.222'] }));
  assert.deepEqual(given.body.assignedPrivateIpAddressesSet.privateIpSet.privateIpAddress, ['10.0.1.222']);
  await expectCode(ecs.assignPrivateIpAddresses(new EcsSdk.AssignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, secondaryPrivateIpAddressCount: 7 })),
    'InvalidOperation.Ipv4CountExceeded', 403);
  const a = await attr(id);
  assert.equal(a.privateIpSets.privateIpSet.length, 4);
  await expectCode(ecs.unassignPrivateIpAddresses(new EcsSdk.UnassignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, privateIpAddress: [a.privateIpAddress] })),
    'InvalidIp.IpUnassigned', 403);
  await ecs.unassignPrivateIpAddresses(new EcsSdk.UnassignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, privateIpAddress: ['10.0.1.222'] }));
  const after = await attr(id);
  assert.equal(after.privateIpSets.privateIpSet.length, 3);
  assert.ok(!after.privateIpSets.privateIpSet.some((s) => s.privateIpAddress === '10.0.1.222'));
  // The freed address is free again.
  assert.equal((await mkEni({ primaryIpAddress: '10.0.1.222' })).privateIpAddress, '10.0.1.222');
});

test('net15: one IPv6 address per instance, removable, IPv4 untouched', async () => {
  const p = await primaryOf(w.inst);
  const r = await ecs.assignIpv6Addresses(new EcsSdk.AssignIpv6AddressesRequest({ regionId: REGION, networkInterfaceId: p.networkInterfaceId, ipv6AddressCount: 1 }));
  assert.equal(r.body.networkInterfaceId, p.networkInterfaceId);
  assert.equal(r.body.ipv6Sets.ipv6Address.length, 1);
  const v6 = r.body.ipv6Sets.ipv6Address[0];
  assert.match(v6, /:/);
  await expectCode(ecs.assignIpv6Addresses(new EcsSdk.AssignIpv6AddressesRequest({ regionId: REGION, networkInterfaceId: p.networkInterfaceId, ipv6AddressCount: 1 })),
    'InvalidOperation.Ipv6CountExceeded', 403);
  const a = await attr(p.networkInterfaceId);
  assert.deepEqual(a.ipv6Sets.ipv6Set.map((s) => s.ipv6Address), [v6]);
  const f = await ecs.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({ regionId: REGION, ipv6Address: [v6] }));
  assert.equal(f.body.networkInterfaceSets.networkInterfaceSet[0].networkInterfaceId, p.networkInterfaceId);
  await ecs.unassignIpv6Addresses(new EcsSdk.UnassignIpv6AddressesRequest({ regionId: REGION, networkInterfaceId: p.networkInterfaceId, ipv6Address: [v6] }));
  const b = await attr(p.networkInterfaceId);
  assert.deepEqual(b.ipv6Sets.ipv6Set, []);
  assert.equal(b.privateIpAddress, p.privateIpAddress);
  await expectCode(ecs.unassignIpv6Addresses(new EcsSdk.UnassignIpv6AddressesRequest({ regionId: REGION, networkInterfaceId: p.networkInterfaceId, ipv6Address: [v6] })),
    'InvalidIp.IpUnassigned', 403);
});

test('net23/net24: ModifyNetworkInterfaceAttribute replaces groups, renames, queues', async () => {
  const e = await mkEni();
  const id = e.networkInterfaceId;
  await ecs.modifyNetworkInterfaceAttribute(new EcsSdk.ModifyNetworkInterfaceAttributeRequest({
    regionId: REGION, networkInterfaceId: id, networkInterfaceName: 'renamed', securityGroupId: [w.sg2], deleteOnRelease: false, queueNumber: 2 }));
  const a = await attr(id);
  assert.equal(a.networkInterfaceName, 'renamed');
  assert.deepEqual(a.securityGroupIds.securityGroupId, [w.sg2]);
  assert.equal(a.deleteOnRelease, false);
  assert.equal(a.queueNumber, 2);
  assert.equal(a.networkInterfaceTrafficConfig.queueNumber, 2);
  await expectCode(ecs.modifyNetworkInterfaceAttribute(new EcsSdk.ModifyNetworkInterfaceAttributeRequest({
    regionId: REGION, networkInterfaceId: id, securityGroupId: [w.sg2, w.sgE] })), 'InvalidOperation.MultiGroupType');
  await expectCode(ecs.modifyNetworkInterfaceAttribute(new EcsSdk.ModifyNetworkInterfaceAttributeRequest({
    regionId: REGION, networkInterfaceId: id, securityGroupId: [w.sgX] })), 'InvalidOperation.VpcMismatch', 403);
  // NET-24: attached to ecs.g6.large (2 queues per NIC), 3 queues are refused.
  const q = await mkEni({ queueNumber: 3 });
  await expectCode(ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: q.networkInterfaceId, instanceId: w.inst })),
    'InvalidOperation.MaxEniQueueNumberExceeded', 403);
});

test('net23: JoinSecurityGroup / LeaveSecurityGroup change the primary ENI of an instance', async () => {
  const p = await primaryOf(w.inst);
  await ecs.joinSecurityGroup(new EcsSdk.JoinSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg2 }));
  assert.deepEqual((await attr(p.networkInterfaceId)).securityGroupIds.securityGroupId, [w.sg1, w.sg2]);
  await expectCode(ecs.joinSecurityGroup(new EcsSdk.JoinSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg2 })),
    'InvalidInstanceId.AlreadyExists', 403);
  await expectCode(ecs.joinSecurityGroup(new EcsSdk.JoinSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sgE })),
    'InvalidOperation.MultiGroupType');
  await ecs.leaveSecurityGroup(new EcsSdk.LeaveSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg1 }));
  await expectCode(ecs.leaveSecurityGroup(new EcsSdk.LeaveSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg2 })),
    'InstanceLastSecurityGroup', 403);
  await expectCode(ecs.leaveSecurityGroup(new EcsSdk.LeaveSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg1 })),
    'InstanceNotInSecurityGroup', 403);
  // By ENI id, through pop-core.
  const e = await mkEni();
  await pop(V_ECS, 'JoinSecurityGroup', { RegionId: REGION, NetworkInterfaceId: e.networkInterfaceId, SecurityGroupId: w.sg2 });
  assert.deepEqual((await attr(e.networkInterfaceId)).securityGroupIds.securityGroupId, [w.sg1, w.sg2]);
  await ecs.joinSecurityGroup(new EcsSdk.JoinSecurityGroupRequest({ regionId: REGION, instanceId: w.inst, securityGroupId: w.sg1 }));
});

test('DescribeNetworkInterfaces filters and pages (pop-core GET)', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) made.push((await mkEni({ vSwitchId: w.vswB, networkInterfaceName: `pg${i}` })).networkInterfaceId);
  const r = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, VSwitchId: w.vswB, MaxResults: 2 });
  assert.ok(Array.isArray(r.NetworkInterfaceSets.NetworkInterfaceSet));
  const vswB = r.TotalCount;
  assert.ok(vswB >= 3);
  assert.equal(r.NetworkInterfaceSets.NetworkInterfaceSet.length, 2);
  assert.equal(r.NextToken, '2');
  const r2 = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, VSwitchId: w.vswB, MaxResults: 2, NextToken: r.NextToken });
  assert.equal(r2.NetworkInterfaceSets.NetworkInterfaceSet.length, vswB - 2);
  const byIds = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, 'NetworkInterfaceId.1': made[0], 'NetworkInterfaceId.2': made[2] });
  assert.deepEqual(byIds.NetworkInterfaceSets.NetworkInterfaceSet.map((x) => x.NetworkInterfaceId).sort(), [made[0], made[2]].sort());
  const byName = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, NetworkInterfaceName: 'pg1' });
  assert.equal(byName.TotalCount, 1);
  const prim = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, Type: 'Primary', InstanceId: w.inst });
  assert.equal(prim.TotalCount, 1);
  assert.equal(prim.NetworkInterfaceSets.NetworkInterfaceSet[0].Type, 'Primary');
  const bySg = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, SecurityGroupId: w.sgE });
  assert.equal(bySg.TotalCount, 0);
  const byIp = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, 'PrivateIpAddress.1': '10.0.1.100' });
  assert.equal(byIp.TotalCount, 1);
  const paged = await pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, PageSize: 1, PageNumber: 2 });
  assert.equal(paged.PageNumber, 2);
  assert.equal(paged.NetworkInterfaceSets.NetworkInterfaceSet.length, 1);
  await expectCode(pop(V_ECS, 'DescribeNetworkInterfaces', { RegionId: REGION, Type: 'Tertiary' }), 'InvalidParameter');
});

test('net21: DeleteNetworkInterface (pop-core POST): Available only, never the primary', async () => {
  const e = await mkEni();
  const p = await primaryOf(w.inst);
  await expectCode(popPost(V_ECS, 'DeleteNetworkInterface', { RegionId: REGION, NetworkInterfaceId: p.networkInterfaceId }),
    'InvalidOperation.InvalidEniType');
  await ecs.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: e.networkInterfaceId, instanceId: w.inst }));
  await waitStatus(e.networkInterfaceId, 'InUse');
  await expectCode(popPost(V_ECS, 'DeleteNetworkInterface', { RegionId: REGION, NetworkInterfaceId: e.networkInterfaceId }),
    'InvalidOperation.InvalidEniState');
  await ecs.detachNetworkInterface(new EcsSdk.DetachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: e.networkInterfaceId, instanceId: w.inst }));
  await waitStatus(e.networkInterfaceId, 'Available');
  const r = await popPost(V_ECS, 'DeleteNetworkInterface', { RegionId: REGION, NetworkInterfaceId: e.networkInterfaceId });
  assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
  assert.equal(r.Code, undefined);
  await waitFor(() => attr(e.networkInterfaceId).then(() => 'there', (err) => err.code),
    (x) => x === 'InvalidEniId.NotFound', 'ENI gone');
  // Its primary IP is free again.
  assert.equal((await mkEni({ primaryIpAddress: e.privateIpAddress })).privateIpAddress, e.privateIpAddress);
});

test('net21: an EIP bound to an ENI shows as AssociatedPublicIp and survives the ENI', async () => {
  const e = await mkEni();
  const a = await vpc.allocateEipAddress(new VpcSdk.AllocateEipAddressRequest({ regionId: REGION, bandwidth: '5' }));
  const eipId = a.body.allocationId;
  await vpc.associateEipAddress(new VpcSdk.AssociateEipAddressRequest({
    regionId: REGION, allocationId: eipId, instanceId: e.networkInterfaceId, instanceType: 'NetworkInterface' }));
  const b = await waitFor(() => attr(e.networkInterfaceId), (x) => x.associatedPublicIp?.allocationId === eipId, 'EIP shown');
  assert.equal(b.associatedPublicIp.publicIpAddress, a.body.eipAddress);
  await ecs.deleteNetworkInterface(new EcsSdk.DeleteNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: e.networkInterfaceId }));
  await waitFor(() => vpc.describeEipAddresses(new VpcSdk.DescribeEipAddressesRequest({ regionId: REGION, allocationId: eipId })),
    (x) => x.body.eipAddresses.eipAddress[0]?.status === 'Available', 'EIP Available again');
});

test('g1: another account\'s ENI answers exactly like one that does not exist', async () => {
  const e = await mkEni();
  const be = ecsClient(d, bob);
  const absent = 'eni-doesnotexist0000000';
  for (const id of [e.networkInterfaceId, absent]) {
    await expectCode(attr(id, be), 'InvalidEniId.NotFound', 404);
    await expectCode(be.deleteNetworkInterface(new EcsSdk.DeleteNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: id })), 'InvalidEniId.NotFound', 404);
    await expectCode(be.modifyNetworkInterfaceAttribute(new EcsSdk.ModifyNetworkInterfaceAttributeRequest({ regionId: REGION, networkInterfaceId: id, networkInterfaceName: 'x' })), 'InvalidEniId.NotFound', 404);
    await expectCode(be.assignPrivateIpAddresses(new EcsSdk.AssignPrivateIpAddressesRequest({ regionId: REGION, networkInterfaceId: id, secondaryPrivateIpAddressCount: 1 })), 'InvalidEniId.NotFound', 404);
  }
  await expectCode(be.attachNetworkInterface(new EcsSdk.AttachNetworkInterfaceRequest({ regionId: REGION, networkInterfaceId: e.networkInterfaceId, instanceId: w.inst })),
    'InvalidEniId.NotFound', 404);
  const l = await be.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({ regionId: REGION }));
  assert.deepEqual(l.body.networkInterfaceSets.networkInterfaceSet, []);
  assert.equal(l.body.totalCount, 0);
  // Bob cannot use Alice's vSwitch or groups either.
  await expectCode(be.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({ regionId: REGION, vSwitchId: w.vswA, securityGroupId: w.sg1 })),
    'InvalidVSwitchId.NotFound', 404);
});
