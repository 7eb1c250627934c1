// ClassicLink (NET-27) and classic-to-VPC migration (NET-26) through the SDKs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

let d, alice, call, ecs;
let vpc, vsw, vswB, vpcSg, classicSg, classicInst, vpcInst;

const V = h.V_VPC, E = h.V_ECS, R = h.REGION;

async function available(id) {
  return h.waitFor(() => call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: id }), (v) => v.Status === 'Available', 'VPC Available');
}
async function instance(id) {
  const r = await call(E, 'DescribeInstances', { RegionId: R, InstanceIds: JSON.stringify([id]) });
  return r.Instances.Instance[0];
}
async function runClassic(bw = 0) {
  const r = await call(E, 'RunInstances', {
    RegionId: R, ZoneId: h.ZONE_A, InstanceType: 'ecs.g6.large', ImageId: 'debian_12',
    SecurityGroupId: classicSg, InternetMaxBandwidthOut: bw,
  });
  const id = r.InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => instance(id), (i) => i.Status === 'Running', 'classic instance Running');
  return id;
}
async function events(id) {
  const r = await call(E, 'DescribeClassicMigrations', { RegionId: R, EventId: id });
  return r.Events.Event[0];
}

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
  call = h.rpc(d, alice, 'v3');
  ecs = h.ecsClient(d, alice);
  vpc = (await call(V, 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16' })).VpcId;
  await available(vpc);
  vsw = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc, ZoneId: h.ZONE_A, CidrBlock: '10.0.1.0/24' })).VSwitchId;
  vswB = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc, ZoneId: h.ZONE_B, CidrBlock: '10.0.2.0/24' })).VSwitchId;
  for (const id of [vsw, vswB])
    await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: id }), (v) => v.Status === 'Available', 'vSwitch Available');
  vpcSg = (await call(E, 'CreateSecurityGroup', { RegionId: R, VpcId: vpc, SecurityGroupName: 'vpc-web' })).SecurityGroupId;
  classicSg = (await call(E, 'CreateSecurityGroup', { RegionId: R, SecurityGroupName: 'classic-web' })).SecurityGroupId;
  classicInst = await runClassic(5);
  const r = await call(E, 'RunInstances', { RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: vpcSg, ImageId: 'debian_12' });
  vpcInst = r.InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => instance(vpcInst), (i) => i.Status === 'Running', 'VPC instance Running');
});
after(async () => { await d?.stop(); });

test('NET-27: a classic instance links only to a VPC with ClassicLink enabled', async () => {
  await h.expectCode(call(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: classicInst, VpcId: vpc }), 'OperationDenied', 403);
  await call(V, 'EnableVpcClassicLink', { RegionId: R, VpcId: vpc });
  const attr = await call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc });
  assert.equal(attr.ClassicLinkEnabled, true);
  // The typed ECS SDK drives the link.
  const res = await ecs.attachClassicLinkVpc(new h.EcsSdk.AttachClassicLinkVpcRequest({ regionId: R, instanceId: classicInst, vpcId: vpc }));
  assert.equal(res.statusCode, 200);
  const links = await ecs.describeClassicLinkInstances(new h.EcsSdk.DescribeClassicLinkInstancesRequest({ regionId: R, vpcId: vpc }));
  assert.equal(links.body.totalCount, 1);
  assert.equal(links.body.links.link[0].instanceId, classicInst);
  const raw = await call(E, 'DescribeClassicLinkInstances', { RegionId: R, InstanceId: classicInst });
  assert.equal(raw.Links.Link[0].ConnectionStatus, 'Connected');
});

test('NET-27: one VPC per instance, classic instances only, and the VPC cannot drop ClassicLink while linked', async () => {
  await h.expectCode(call(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: classicInst, VpcId: vpc }), 'InvalidParameter.InvalidInstanceIdAndVpcId', 403);
  await h.expectCode(call(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: vpcInst, VpcId: vpc }), 'OperationDenied', 403);
  await h.expectCode(call(V, 'DisableVpcClassicLink', { RegionId: R, VpcId: vpc }), 'DependencyViolation.ClassicLink', 400);
  await h.expectCode(call(V, 'DeleteVpc', { RegionId: R, VpcId: vpc }), 'DependencyViolation.VSwitch', 400);
  // Another account cannot see or use the link.
  const bob = h.rpc(d, await h.newAccount(d, 'bob'), 'pop-get');
  await h.expectCode(bob(E, 'DetachClassicLinkVpc', { RegionId: R, InstanceId: classicInst, VpcId: vpc }), 'InvalidInstanceId.NotFound', 404);
  const theirs = await bob(E, 'DescribeClassicLinkInstances', { RegionId: R, VpcId: vpc });
  assert.equal(theirs.TotalCount, 0);
});

test('NET-27: ClassicLink rules open the groups in the chosen direction', async () => {
  const r = await call(E, 'CreateClassicLinkRule', {
    RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg,
    Direction: 'classic=>vpc', IpProtocol: 'tcp', PortRange: '22/22', Priority: 5,
  });
  assert.match(r.RuleId, /^clr-/);
  const vpcRules = (await call(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: vpcSg })).Permissions.Permission;
  const rule = vpcRules.find((p) => p.SourceGroupId === classicSg);
  assert.ok(rule, 'the VPC group admits the classic group');
  assert.equal(rule.PortRange, '22/22');
  assert.equal(String(rule.Priority), '5');
  const classicRules = (await call(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: classicSg })).Permissions.Permission;
  assert.equal(classicRules.filter((p) => p.SourceGroupId === vpcSg).length, 0, 'classic=>vpc opens one way only');
  const both = await call(E, 'CreateClassicLinkRule', {
    RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg,
    Direction: 'classic<=>vpc', IpProtocol: 'icmp', PortRange: '-1/-1',
  });
  const after2 = (await call(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: classicSg })).Permissions.Permission;
  assert.equal(after2.filter((p) => p.SourceGroupId === vpcSg).length, 1);
  await h.expectCode(call(E, 'CreateClassicLinkRule', {
    RegionId: R, ClassicSecurityGroupId: vpcSg, VpcSecurityGroupId: classicSg, Direction: 'classic=>vpc', IpProtocol: 'tcp', PortRange: '22/22',
  }), 'InvalidSecurityGroup.InvalidNetworkType', 400);
  await h.expectCode(call(E, 'CreateClassicLinkRule', {
    RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg, Direction: 'sideways', IpProtocol: 'tcp', PortRange: '22/22',
  }), 'InvalidParameter', 400);
  await h.expectCode(call(E, 'CreateClassicLinkRule', {
    RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg, Direction: 'classic=>vpc', IpProtocol: 'tcp', PortRange: '0/70000',
  }), 'InvalidIpPortRange.Malformed', 400);
  await call(E, 'DeleteClassicLinkRule', { RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg, RuleId: both.RuleId });
  await call(E, 'DeleteClassicLinkRule', { RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg, RuleId: r.RuleId });
  const gone = (await call(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: vpcSg })).Permissions.Permission;
  assert.equal(gone.filter((p) => p.SourceGroupId === classicSg).length, 0);
  await h.expectCode(call(E, 'DeleteClassicLinkRule', { RegionId: R, ClassicSecurityGroupId: classicSg, VpcSecurityGroupId: vpcSg, RuleId: r.RuleId }), 'InvalidGroupAuthItem.NotFound', 403);
});

test('NET-27: detaching ends the link', async () => {
  await h.expectCode(call(E, 'DetachClassicLinkVpc', { RegionId: R, InstanceId: classicInst, VpcId: 'vpc-00000000000000000000' }), 'InvalidParameter.InvalidInstanceIdAndVpcId', 403);
  await call(E, 'DetachClassicLinkVpc', { RegionId: R, InstanceId: classicInst, VpcId: vpc });
  const links = await call(E, 'DescribeClassicLinkInstances', { RegionId: R, VpcId: vpc });
  assert.equal(links.TotalCount, 0);
  await call(V, 'DisableVpcClassicLink', { RegionId: R, VpcId: vpc });
});

function iso(ms) { return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'); }
async function daemonNow() {
  const c = await h.rpc(d, d.operator, 'pop-get')(h.V_OPS, 'DescribeClock', {});
  return c.NowUnix * 1000;
}

test('NET-26: a scheduled migration runs at its time and ends Executed, keeping id and public IP', async () => {
  const before = await instance(classicInst);
  assert.equal(before.InstanceNetworkType, 'classic');
  const publicIp = before.PublicIpAddress.IpAddress[0];
  const innerIp = before.InnerIpAddress.IpAddress[0];
  assert.ok(publicIp, 'the classic instance has a public IP (NET-9)');
  const now = await daemonNow();
  await h.expectCode(call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': classicInst, VSwitchId: vsw, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now - 3600e3) }), 'InvalidParameter.ExecuteTime', 400);
  await h.expectCode(call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': classicInst, VSwitchId: vswB, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 3600e3) }), 'ResourcesNotInSameZone', 403);
  await h.expectCode(call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': vpcInst, VSwitchId: vsw, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 3600e3) }), 'OperationDenied', 403);
  const r = await call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': classicInst, VSwitchId: vsw, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 3600e3) });
  const ev = r.EventIds.EventId[0];
  assert.equal((await events(ev)).Status, 'Scheduled');
  await h.expectCode(call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': classicInst, VSwitchId: vsw, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 7200e3) }), 'InvalidInstanceId.MigrationScheduled', 403);
  // Nothing happens before the time.
  await new Promise((res) => setTimeout(res, 700));
  assert.equal((await events(ev)).Status, 'Scheduled');
  assert.equal((await instance(classicInst)).InstanceNetworkType, 'classic');
  await h.advanceClock(d, 3601);
  await h.waitFor(() => events(ev), (e) => e.Status === 'Executing', 'migration Executing');
  await h.advanceClock(d, 301); // about 5 minutes of migration
  const done = await h.waitFor(() => events(ev), (e) => e.Status === 'Executed', 'migration Executed');
  const afterI = await instance(classicInst);
  assert.equal(afterI.InstanceId, classicInst);
  assert.equal(afterI.InstanceNetworkType, 'vpc');
  assert.equal(afterI.VpcAttributes.VpcId, vpc);
  assert.equal(afterI.VpcAttributes.VSwitchId, vsw);
  const newIp = afterI.VpcAttributes.PrivateIpAddress.IpAddress[0];
  assert.match(newIp, /^10\.0\.1\./, 'the private IP changes to one of the vSwitch');
  assert.notEqual(newIp, innerIp);
  assert.equal(done.NewPrivateIpAddress, newIp);
  const pub = afterI.PublicIpAddress?.IpAddress?.[0] || afterI.VpcAttributes.NatIpAddress;
  assert.equal(pub, publicIp, 'the public IP is unchanged');
  assert.deepEqual(afterI.SecurityGroupIds.SecurityGroupId, [vpcSg]);
});

test('NET-26: a migration whose target vanished ends Failed with a reason, and nothing is lost', async () => {
  const other = await runClassic(0);
  const before = await instance(other);
  const spare = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc, ZoneId: h.ZONE_A, CidrBlock: '10.0.9.0/24' })).VSwitchId;
  await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: spare }), (v) => v.Status === 'Available', 'vSwitch Available');
  const now = await daemonNow();
  const ev = (await call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': other, VSwitchId: spare, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 60e3) })).EventIds.EventId[0];
  await call(V, 'DeleteVSwitch', { RegionId: R, VSwitchId: spare });
  await h.advanceClock(d, 61);
  const failed = await h.waitFor(() => events(ev), (e) => e.Status === 'Failed', 'migration Failed');
  assert.match(failed.Reason, /VSwitch/);
  const afterI = await instance(other);
  assert.equal(afterI.InstanceNetworkType, 'classic');
  assert.deepEqual(afterI.InnerIpAddress.IpAddress, before.InnerIpAddress.IpAddress);
});

test('NET-26: a scheduled migration can be cancelled, an executed one cannot', async () => {
  const third = await runClassic(0);
  const now = await daemonNow();
  const ev = (await call(E, 'CreateClassicMigration', { RegionId: R, 'InstanceId.1': third, VSwitchId: vsw, 'SecurityGroupId.1': vpcSg, ExecuteTime: iso(now + 600e3) })).EventIds.EventId[0];
  await call(E, 'CancelClassicMigration', { RegionId: R, EventId: ev });
  assert.equal((await events(ev)).Status, 'Cancelled');
  await h.expectCode(call(E, 'CancelClassicMigration', { RegionId: R, EventId: ev }), 'InvalidStatus.EventStatus', 403);
  await h.advanceClock(d, 601);
  await new Promise((res) => setTimeout(res, 700));
  assert.equal((await instance(third)).InstanceNetworkType, 'classic');
});
