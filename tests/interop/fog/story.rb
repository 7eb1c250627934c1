# The user story of issue 7 driven by Fog's Aliyun provider (Debian's
# ruby-fog-aliyun) against a real openvpcd: create a VPC, a vSwitch, a
# security group and a rule, describe them, delete everything.  Fog sends
# ECS 2014-05-26 for the VPC actions, signs V1 GET requests itself, and its
# endpoint override is :aliyun_url (NET-1, NET-25, EC-9).
#
# Usage: OPENVPC_ENDPOINT=127.0.0.1:port OPENVPC_AK=... OPENVPC_SK=... ruby story.rb
# Prints "ok <step>" or "FAIL <step>: <error>" per step, then "N passed, M failed".
require 'uri'

# Debian 12's ruby-fog-aliyun 0.3.2 calls URI.encode, which Ruby 3.0 removed.
# Restore the Ruby 2.7 method (the same escaping) so the provider runs
# unmodified; a client that cannot run fails the steps below, never skips.
unless URI.respond_to?(:encode)
  def URI.encode(str, unsafe = URI::RFC2396_Parser.new.regexp[:UNSAFE])
    URI::RFC2396_Parser.new.escape(str, unsafe)
  end
end

require 'fog/aliyun'

$passed = 0
$failed = 0

def step(name)
  yield
  $passed += 1
  puts "ok #{name}"
  true
rescue StandardError => e
  $failed += 1
  puts "FAIL #{name}: #{e.class}: #{e.message.lines.first(3).join(' ')}"
  false
end

def expect(cond, what)
  raise "expected #{what}" unless cond
end

def wait_for(what, tries = 100)
  tries.times do
    return if yield
    sleep 0.1
  end
  raise "timed out waiting for #{what}"
end

def body(resp)
  Fog::JSON.decode(resp.body)
end

compute = nil
vpc_id = vsw_id = sg_id = nil
at_exit { puts "#{$passed} passed, #{$failed} failed" }

step('NET-1 connect with :aliyun_url') do
  compute = Fog::Compute::Aliyun.new(
    aliyun_url: "http://#{ENV.fetch('OPENVPC_ENDPOINT')}",
    aliyun_accesskey_id: ENV.fetch('OPENVPC_AK'),
    aliyun_accesskey_secret: ENV.fetch('OPENVPC_SK'),
    aliyun_region_id: 'cn-hangzhou',
    aliyun_zone_id: 'cn-hangzhou-a'
  )
end
exit 1 unless compute

step('NET-1 CreateVpc') do
  r = body(compute.create_vpc('10.1.0.0/16', name: 'fogvpc'))
  vpc_id = r['VpcId']
  expect(vpc_id.to_s.start_with?('vpc-'), "a VpcId, got #{r}")
end
exit 1 unless vpc_id

step('NET-1 the VPC becomes Available (vpcs collection)') do
  wait_for('VPC Available') { (v = compute.vpcs.get(vpc_id)) && v.ready? }
  v = compute.vpcs.get(vpc_id)
  expect(v.id == vpc_id && v.name == 'fogvpc' && v.cidr_block == '10.1.0.0/16', "the VPC, got #{v.inspect}")
end

step('EC-9 DescribeVRouters (vpc.vrouter)') do
  vr = compute.vpcs.get(vpc_id).vrouter
  expect(vr && vr.vpc_id == vpc_id, "the VPC's VRouter, got #{vr.inspect}")
end

step('NET-3 CreateVSwitch') do
  r = body(compute.create_vswitch(vpc_id, '10.1.1.0/24', name: 'fogvsw'))
  vsw_id = r['VSwitchId']
  expect(vsw_id.to_s.start_with?('vsw-'), "a VSwitchId, got #{r}")
end

step('NET-3 DescribeVSwitches shows it Available') do
  wait_for('vSwitch Available') do
    body(compute.list_vswitchs(vpc_id))['VSwitches']['VSwitch'].any? { |s| s['VSwitchId'] == vsw_id && s['Status'] == 'Available' }
  end
end

step('NET-25 CreateSecurityGroup') do
  r = body(compute.create_security_group(name: 'fogweb', vpcId: vpc_id))
  sg_id = r['SecurityGroupId']
  expect(sg_id.to_s.start_with?('sg-'), "a SecurityGroupId, got #{r}")
end

step('NET-25 AuthorizeSecurityGroup') do
  compute.create_security_group_ip_rule(sg_id, '198.51.100.0/24', 'intranet',
                                        portRange: '443/443', protocol: 'tcp', priority: '3')
end

step('NET-25 DescribeSecurityGroupAttribute (security_group_rules)') do
  rules = compute.security_group_rules.get(sg_id)
  expect(rules.size == 1 && rules.first.source_cidr_ip == '198.51.100.0/24', "one rule, got #{rules.inspect}")
  perm = body(compute.list_security_group_rules(sg_id))['Permissions']['Permission'].first
  expect(perm['PortRange'] == '443/443' && perm['Priority'].to_i == 3, "the rule's fields, got #{perm}")
end

step('NET-25 DescribeSecurityGroups (security_groups collection)') do
  groups = compute.security_groups.all(vpcId: vpc_id)
  expect(groups.map(&:id).include?(sg_id), "the group listed, got #{groups.map(&:id)}")
end

step('NET-25 DeleteSecurityGroup') { compute.delete_security_group(sg_id) }

step('NET-3 DeleteVSwitch') do
  compute.delete_vswitch(vsw_id)
  wait_for('vSwitch gone') { body(compute.list_vswitchs(vpc_id))['VSwitches']['VSwitch'].empty? }
end

step('NET-1 DeleteVpc') do
  compute.delete_vpc(vpc_id)
  wait_for('VPC gone') { body(compute.list_vpcs)['Vpcs']['Vpc'].none? { |v| v['VpcId'] == vpc_id } }
end
