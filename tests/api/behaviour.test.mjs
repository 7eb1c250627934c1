// Behaviour exactly as the product has it (issue 7): public IPs of
// pay-as-you-go instances (NET-5, NET-5a), DryRun with a used ClientToken,
// RunInstances' per-NIC parameters, the operator's traffic export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

const V = h.V_VPC, E = h.V_ECS, O = h.V_OPS, R = h.REGION;
let d, alice, call, op, vpc, vsw, sg;

async function instance(id) {
  const r = await call(E, 'DescribeInstances', { RegionId: R, InstanceIds: JSON.stringify([id]) });
  return r.Instances.Instance[0];
}
async function until(id, status) {
  return h.waitFor(() => instance(id), (i) => i.Status === status, `${id} ${status}`);
}
async function run(extra = {}) {
  const r = await call(E, 'RunInstances', {
    RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: sg, ImageId: 'debian_12', ...extra,
  });
  const id = r.InstanceIdSets.InstanceIdSet[0];
  await until(id, 'Running');
  return id;
}

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
  call = h.rpc(d, alice, 'pop-get');
  op = h.rpc(d, d.operator, 'pop-get');
  vpc = (await call(V, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16', EnableIpv6: true })).VpcId;
  await h.waitFor(() => call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc }), (v) => v.Status === 'Available', 'VPC');
  vsw = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc, ZoneId: h.ZONE_A, CidrBlock: '10.0.1.0/24', Ipv6CidrBlock: 1 })).VSwitchId;
  await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vsw }), (v) => v.Status === 'Available', 'vSwitch');
  sg = (await call(E, 'CreateSecurityGroup', { RegionId: R, VpcId: vpc })).SecurityGroupId;
});
after(async () => { await d?.stop(); });

test('NET-5: CreateInstance leaves the NatPublicIp to AllocatePublicIpAddress, which answers the address held', async () => {
  const { InstanceId: id } = await call(E, 'CreateInstance', {
    RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: sg, ImageId: 'debian_12',
    InternetMaxBandwidthOut: 5,
  });
  const i = await until(id, 'Stopped');
  assert.deepEqual(i.PublicIpAddress.IpAddress, [], 'no address at creation');
  const a = await call(E, 'AllocatePublicIpAddress', { InstanceId: id });
  assert.match(a.IpAddress, /^\d+\.\d+\.\d+\.\d+$/);
  // docker-machine's driver calls it again (retries, restarts): the same address.
  const b = await call(E, 'AllocatePublicIpAddress', { InstanceId: id });
  assert.equal(b.IpAddress, a.IpAddress);
  assert.deepEqual((await instance(id)).PublicIpAddress.IpAddress, [a.IpAddress]);
});

test('NET-5: RunInstances assigns the NatPublicIp at creation', async () => {
  const id = await run({ InternetMaxBandwidthOut: 5 });
  assert.equal((await instance(id)).PublicIpAddress.IpAddress.length, 1);
});

test('NET-5: a pay-as-you-go instance created without a public IP never gets a NatPublicIp later', async () => {
  const id = await run();
  await call(E, 'ModifyInstanceNetworkSpec', { InstanceId: id, InternetMaxBandwidthOut: 10 });
  assert.deepEqual((await instance(id)).PublicIpAddress.IpAddress, []);
  await h.expectCode(call(E, 'ModifyInstanceNetworkSpec', { InstanceId: id, InternetMaxBandwidthOut: 10, AllocatePublicIp: true }), 'OperationDenied', 403);
  await h.expectCode(call(E, 'AllocatePublicIpAddress', { InstanceId: id }), 'OperationDenied', 403);
  assert.deepEqual((await instance(id)).PublicIpAddress.IpAddress, []);
  // An EIP is its way to the internet (NET-7).
  const eip = await call(V, 'AllocateEipAddress', { RegionId: R, Bandwidth: 5 });
  await call(V, 'AssociateEipAddress', { RegionId: R, AllocationId: eip.AllocationId, InstanceId: id });
});

test('NET-12: after ConvertNatPublicIpToEip the instance has no public bandwidth of its own', async () => {
  const id = await run({ InternetMaxBandwidthOut: 8 });
  const ip = (await instance(id)).PublicIpAddress.IpAddress[0];
  await call(E, 'ConvertNatPublicIpToEip', { RegionId: R, InstanceId: id });
  const i = await instance(id);
  assert.equal(i.InternetMaxBandwidthOut, 0);
  assert.equal(i.EipAddress.IpAddress, ip);
  assert.equal(i.EipAddress.Bandwidth, 8, 'the EIP carries the bandwidth');
});

test('NET-5a: StoppedMode=StopCharging releases the NatPublicIp for the stop; start brings one back', async () => {
  const id = await run({ InternetMaxBandwidthOut: 5 });
  await h.expectCode(call(E, 'StopInstance', { InstanceId: id, StoppedMode: 'Sometimes' }), 'InvalidParameter', 400);
  await call(E, 'StopInstance', { InstanceId: id, StoppedMode: 'StopCharging' });
  const s = await until(id, 'Stopped');
  assert.deepEqual(s.PublicIpAddress.IpAddress, []);
  assert.equal(s.StoppedMode, 'StopCharging');
  await call(E, 'StartInstance', { InstanceId: id });
  const r = await until(id, 'Running');
  assert.equal(r.PublicIpAddress.IpAddress.length, 1);
  assert.equal(r.StoppedMode, 'Not-applicable');
  await call(E, 'StopInstance', { InstanceId: id, StoppedMode: 'KeepCharging' });
  const k = await until(id, 'Stopped');
  assert.deepEqual(k.PublicIpAddress.IpAddress, r.PublicIpAddress.IpAddress);
  assert.equal(k.StoppedMode, 'KeepCharging');
});

test('G-5: DryRun with an already-used ClientToken answers DryRunOperation, never the stored success', async () => {
  const token = 'dry-run-token-1';
  const first = await call(V, 'CreateVpc', { RegionId: R, CidrBlock: '172.16.0.0/16', ClientToken: token });
  assert.match(first.VpcId, /^vpc-/);
  await h.expectCode(call(V, 'CreateVpc', { RegionId: R, CidrBlock: '172.16.0.0/16', ClientToken: token, DryRun: true }), 'DryRunOperation', 400);
  const again = await call(V, 'CreateVpc', { RegionId: R, CidrBlock: '172.16.0.0/16', ClientToken: token });
  assert.equal(again.VpcId, first.VpcId, 'the plain retry still replays');
});

test('NET-15: RunInstances NetworkInterface.N.Ipv6AddressCount is applied, on the primary or on a secondary NIC', async () => {
  const a = await run({ 'NetworkInterface.1.InstanceType': 'Primary', 'NetworkInterface.1.Ipv6AddressCount': 1 });
  const pa = (await instance(a)).NetworkInterfaces.NetworkInterface.find((n) => n.Type === 'Primary');
  assert.equal(pa.Ipv6Sets.Ipv6Set.length, 1);
  const b = await run({
    'NetworkInterface.1.InstanceType': 'Secondary', 'NetworkInterface.1.VSwitchId': vsw,
    'NetworkInterface.1.SecurityGroupId': sg, 'NetworkInterface.1.Ipv6AddressCount': 1,
  });
  const nics = (await instance(b)).NetworkInterfaces.NetworkInterface;
  assert.equal(nics.find((n) => n.Type === 'Primary').Ipv6Sets.Ipv6Set.length, 0);
  assert.equal(nics.find((n) => n.Type === 'Secondary').Ipv6Sets.Ipv6Set.length, 1);
});

test('NET-15: RunInstances refuses NetworkInterface.N parameters it does not implement, and too many IPv6', async () => {
  const base = { RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: sg, ImageId: 'debian_12' };
  await h.expectCode(call(E, 'RunInstances', { ...base, 'NetworkInterface.1.InstanceType': 'Primary', 'NetworkInterface.1.Ipv6AddressCount': 2 }), 'InvalidOperation.Ipv6CountExceeded', 403);
  // NET-15: one IPv6 address per instance, over all its NICs.
  await h.expectCode(call(E, 'RunInstances', {
    ...base, 'NetworkInterface.1.InstanceType': 'Primary', 'NetworkInterface.1.Ipv6AddressCount': 1,
    'NetworkInterface.2.InstanceType': 'Secondary', 'NetworkInterface.2.Ipv6AddressCount': 1,
  }), 'InvalidOperation.Ipv6CountExceeded', 403);
  await h.expectCode(call(E, 'RunInstances', { ...base, 'NetworkInterface.1.InstanceType': 'Secondary', 'NetworkInterface.1.SourceDestCheck': false }), 'InvalidParameter', 400);
  await h.expectCode(call(E, 'RunInstances', { ...base, Ipv6AddressCount: 1, 'NetworkInterface.1.InstanceType': 'Primary', 'NetworkInterface.1.Ipv6AddressCount': 1 }), 'InvalidParameter', 400);
});

test('NET-29: ExportPublicTraffic for an unknown account is an error', async () => {
  await h.expectCode(op(O, 'ExportPublicTraffic', { AccountId: 987654321 }), 'InvalidAccountId.NotFound', 404);
  const ok = await op(O, 'ExportPublicTraffic', { AccountId: alice.AccountId });
  assert.match(ok.Csv, /^[^\n]+\n/);
});

test('G-5: action names match regardless of case, as the cloud gateway does (fog-aliyun sends DescribeVrouters)', async () => {
  const r = await call(E, 'DescribeVrouters', { RegionId: R });
  assert.ok(r.VRouters.VRouter.some((v) => v.VpcId === vpc));
  await h.expectCode(call(E, 'DescribeNoSuchThing', { RegionId: R }), 'InvalidApi.NotFound', 404);
});

test('NET-28: a temporary bandwidth upgrade (StartTime/EndTime) is refused, never made permanent', async () => {
  const id = await run({ InternetMaxBandwidthOut: 2 });
  await h.expectCode(call(E, 'ModifyInstanceNetworkSpec', { InstanceId: id, InternetMaxBandwidthOut: 50, StartTime: '2027-01-01T00:00Z', EndTime: '2027-01-02T00:00Z' }), 'InvalidParameter', 400);
  assert.equal((await instance(id)).InternetMaxBandwidthOut, 2);
});

test('NET-1: RunInstances refuses network options it does not implement (NetworkOptions.*, HostNames.N), never ignores them', async () => {
  const base = { RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: sg, ImageId: 'debian_12' };
  await h.expectCode(call(E, 'RunInstances', { ...base, 'NetworkOptions.EnableJumboFrame': true }), 'InvalidParameter', 400);
  await h.expectCode(call(E, 'RunInstances', { ...base, Amount: 2, 'HostNames.1': 'a1', 'HostNames.2': 'a2' }), 'InvalidParameter', 400);
  await h.expectCode(call(E, 'RunInstances', { ...base, Amount: 1, MinAmount: 2 }), 'InvalidParameter', 400);
  const ok = await call(E, 'RunInstances', { ...base, Amount: 2, MinAmount: 1 });
  assert.equal(ok.InstanceIdSets.InstanceIdSet.length, 2);
});
