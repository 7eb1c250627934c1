// README's walk-through, run as written: the first ```sh block of README.md is
// executed by bash against a real openvpcd with the CLI configured as
// quickstart.sh configures it.  A line ending in "# Error: CODE" must fail
// (exit 1) with that code on stderr and change nothing; every other line must
// succeed.  Then the same user story through the SDK (typed V3 clients).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './lib/harness.mjs';

let d, home;
const cli = join(h.BUILD, 'cli', 'openvpc');

before(async () => {
  d = await h.startDaemon();
  home = mkdtempSync(join(tmpdir(), 'openvpc-walk-'));
});
after(async () => {
  await d?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function readmeBlock() {
  const md = readFileSync(join(h.ROOT, 'README.md'), 'utf8');
  const m = md.match(/```sh\n([\s\S]*?)```/);
  assert.ok(m, 'README.md has a ```sh walk-through block');
  return m[1];
}

// Turns the block into a checked script: refused lines become assertions.
function toScript(block) {
  const out = ['set -euo pipefail', `cd ${JSON.stringify(h.ROOT)}`];
  let refused = 0;
  for (const line of block.split('\n')) {
    const m = line.match(/^(.*?)\s+# Error: ([A-Za-z0-9_.]+)\s*$/);
    if (!m) { out.push(line.replace(/\$PWD\/build\/cli/, JSON.stringify(join(h.BUILD, 'cli')))); continue; }
    refused++;
    const cmd = m[1], code = m[2];
    out.push(`if out=$(${cmd} 2>&1); then echo "UNEXPECTED SUCCESS: ${cmd.replace(/"/g, '\\"')}"; exit 1; fi`);
    out.push(`case "$out" in *"Error: ${code}"*) echo "refused as documented: ${code}";; *) echo "WRONG ERROR for ${cmd.replace(/"/g, '\\"')}: $out"; exit 1;; esac`);
  }
  return { script: out.join('\n') + '\necho WALKTHROUGH-DONE\n', refused };
}

test('README walk-through runs as written with the CLI (NET-1, NET-3, NET-7, NET-15, NET-18..22, NET-25, NET-27, G-5, G-6)', () => {
  const env = { ...process.env, OPENVPC_CONFIG: join(home, 'config'), HOME: home };
  for (const k of ['OPENVPC_PROFILE', 'OPENVPC_ACCESS_KEY_ID', 'OPENVPC_ACCESS_KEY_SECRET', 'OPENVPC_ENDPOINT'])
    delete env[k];
  // What quickstart.sh does after starting the daemon.
  execFileSync(cli, ['configure', '--profile', 'operator', '--endpoint', d.endpoint, '--region', h.REGION,
    '--from-operator-file', join(d.dir, 'operator.json')], { env });
  execFileSync(cli, ['--profile', 'operator', 'account', 'create', '--account-name', 'demo', '--save-profile', 'default'], { env });
  const { script, refused } = toScript(readmeBlock());
  assert.ok(refused >= 4, 'the walk-through shows refused operations');
  const file = join(home, 'walk.sh');
  writeFileSync(file, script);
  const r = spawnSync('bash', [file], { env, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `walk-through failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /WALKTHROUGH-DONE/);
  assert.equal((r.stdout.match(/refused as documented/g) || []).length, refused);
  // What the user sees at the end: the instance holds its EIP, the ENI is attached.
  const show = execFileSync(cli, ['--json', 'instance', 'list'], { env, encoding: 'utf8' });
  const insts = JSON.parse(show).Instances.Instance;
  assert.equal(insts.length, 2);
  const vpcInst = insts.find((i) => i.InstanceNetworkType === 'vpc');
  assert.ok(vpcInst.EipAddress.IpAddress, 'the VPC instance shows its EIP');
  assert.equal(vpcInst.NetworkInterfaces.NetworkInterface.length, 2, 'primary + secondary ENI');
  const classic = insts.find((i) => i.InstanceNetworkType === 'classic');
  assert.ok(classic, 'the classic instance exists');
});

test('the same user story through the SDK (V3 typed clients)', async () => {
  const acct = await h.newAccount(d, 'sdk-user');
  const vpc = h.vpcClient(d, acct);
  const ecs = h.ecsClient(d, acct);
  const V = h.VpcSdk, E = h.EcsSdk, R = h.REGION;
  const vpcId = (await vpc.createVpc(new V.CreateVpcRequest({ regionId: R, cidrBlock: '10.0.0.0/16', enableIpv6: true }))).body.vpcId;
  await h.waitFor(() => vpc.describeVpcAttribute(new V.DescribeVpcAttributeRequest({ regionId: R, vpcId })), (r) => r.body.status === 'Available', 'VPC');
  const vswA = (await vpc.createVSwitch(new V.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: h.ZONE_A, cidrBlock: '10.0.1.0/24', ipv6CidrBlock: 1 }))).body.vSwitchId;
  const vswB = (await vpc.createVSwitch(new V.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: h.ZONE_B, cidrBlock: '10.0.2.0/24' }))).body.vSwitchId;
  await h.waitFor(() => vpc.describeVSwitchAttributes(new V.DescribeVSwitchAttributesRequest({ regionId: R, vSwitchId: vswA })), (r) => r.body.status === 'Available', 'vSwitch');
  const sg = (await ecs.createSecurityGroup(new E.CreateSecurityGroupRequest({ regionId: R, vpcId, securityGroupName: 'web' }))).body.securityGroupId;
  await ecs.authorizeSecurityGroup(new E.AuthorizeSecurityGroupRequest({ regionId: R, securityGroupId: sg, permissions: [
    new E.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '203.0.113.0/24' }),
    new E.AuthorizeSecurityGroupRequestPermissions({ ipProtocol: 'TCP', portRange: '443/443', sourceCidrIp: '0.0.0.0/0', priority: '10' }),
  ] }));
  const perms = (await ecs.describeSecurityGroupAttribute(new E.DescribeSecurityGroupAttributeRequest({ regionId: R, securityGroupId: sg }))).body.permissions.permission;
  assert.equal(perms.length, 2);
  const inst = (await ecs.runInstances(new E.RunInstancesRequest({ regionId: R, vSwitchId: vswA, instanceType: 'ecs.g6.large', securityGroupId: sg, imageId: 'debian_12' }))).body.instanceIdSets.instanceIdSet[0];
  const running = await h.waitFor(() => ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([inst]) })),
    (r) => r.body.instances.instance[0]?.status === 'Running', 'instance Running');
  assert.match(running.body.instances.instance[0].vpcAttributes.privateIpAddress.ipAddress[0], /^10\.0\.1\./);
  const eip = (await vpc.allocateEipAddress(new V.AllocateEipAddressRequest({ regionId: R, bandwidth: '10' }))).body.allocationId;
  await vpc.associateEipAddress(new V.AssociateEipAddressRequest({ regionId: R, allocationId: eip, instanceId: inst }));
  const eni = (await ecs.createNetworkInterface(new E.CreateNetworkInterfaceRequest({ regionId: R, vSwitchId: vswA, securityGroupId: sg, secondaryPrivateIpAddressCount: 2 }))).body.networkInterfaceId;
  await ecs.attachNetworkInterface(new E.AttachNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni, instanceId: inst }));
  const attached = await h.waitFor(() => ecs.describeNetworkInterfaces(new E.DescribeNetworkInterfacesRequest({ regionId: R, instanceId: inst })),
    (r) => r.body.networkInterfaceSets.networkInterfaceSet.every((n) => n.status === 'InUse') && r.body.networkInterfaceSets.networkInterfaceSet.length === 2, 'ENIs InUse');
  const nics = attached.body.networkInterfaceSets.networkInterfaceSet;
  const secondary = nics.find((n) => n.type === 'Secondary');
  assert.equal(secondary.privateIpSets.privateIpSet.length, 3, 'primary + 2 secondary IPs');
  const primary = nics.find((n) => n.type === 'Primary');
  const v6 = await ecs.assignIpv6Addresses(new E.AssignIpv6AddressesRequest({ regionId: R, networkInterfaceId: primary.networkInterfaceId, ipv6AddressCount: 1 }));
  assert.equal(v6.body.ipv6Sets.ipv6Address.length, 1);
  const csg = (await ecs.createSecurityGroup(new E.CreateSecurityGroupRequest({ regionId: R, securityGroupName: 'classic' }))).body.securityGroupId;
  const ci = (await ecs.runInstances(new E.RunInstancesRequest({ regionId: R, zoneId: h.ZONE_A, instanceType: 'ecs.g6.large', securityGroupId: csg, imageId: 'debian_12' }))).body.instanceIdSets.instanceIdSet[0];
  await h.waitFor(() => ecs.describeInstances(new E.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([ci]) })), (r) => r.body.instances.instance[0]?.status === 'Running', 'classic Running');
  await vpc.enableVpcClassicLink(new V.EnableVpcClassicLinkRequest({ regionId: R, vpcId }));
  await ecs.attachClassicLinkVpc(new E.AttachClassicLinkVpcRequest({ regionId: R, instanceId: ci, vpcId }));
  const links = await ecs.describeClassicLinkInstances(new E.DescribeClassicLinkInstancesRequest({ regionId: R, vpcId }));
  assert.equal(links.body.links.link[0].instanceId, ci);
  // Refusals, as the SDK reports them.
  await h.expectCode(vpc.deleteVpc(new V.DeleteVpcRequest({ regionId: R, vpcId })), 'DependencyViolation.VSwitch', 400);
  await h.expectCode(vpc.createVSwitch(new V.CreateVSwitchRequest({ regionId: R, vpcId, zoneId: h.ZONE_A, cidrBlock: '10.0.1.128/25' })), 'InvalidCidrBlock.Overlapped', 400);
  await h.expectCode(ecs.deleteNetworkInterface(new E.DeleteNetworkInterfaceRequest({ regionId: R, networkInterfaceId: eni })), 'InvalidOperation.InvalidEniState', 400);
  assert.ok(vswB);
});
