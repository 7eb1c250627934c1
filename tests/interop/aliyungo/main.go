// The user story of issue 7 driven by aliyungo (Debian's
// golang-github-denverdino-aliyungo-dev), the Go SDK behind docker-machine's
// and Kubernetes' Alibaba drivers, against a real openvpcd: create a VPC, a
// vSwitch, a security group and a rule, describe them, delete everything.
// aliyungo speaks ECS 2014-05-26 for the VPC actions and decodes numbers
// strictly, so this checks both (NET-1, NET-25, EC-9).
//
// Usage: OPENVPC_ENDPOINT=127.0.0.1:port OPENVPC_AK=... OPENVPC_SK=... go run main.go
// Prints "ok <step>" or "FAIL <step>: <error>" per step, then "N passed, M failed".
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/denverdino/aliyungo/common"
	"github.com/denverdino/aliyungo/ecs"
)

const region = common.Region("cn-hangzhou")

var passed, failed int

func step(name string, err error) bool {
	if err != nil {
		failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return false
	}
	passed++
	fmt.Printf("ok %s\n", name)
	return true
}

func check(name string, cond bool, format string, a ...interface{}) bool {
	if cond {
		return step(name, nil)
	}
	return step(name, fmt.Errorf(format, a...))
}

func main() {
	defer func() { fmt.Printf("%d passed, %d failed\n", passed, failed) }()
	endpoint := "http://" + os.Getenv("OPENVPC_ENDPOINT")
	c := ecs.NewClientWithEndpoint(endpoint, os.Getenv("OPENVPC_AK"), os.Getenv("OPENVPC_SK"))

	vpc, err := c.CreateVpc(&ecs.CreateVpcArgs{RegionId: region, CidrBlock: "10.0.0.0/16", VpcName: "aliyungo"})
	if !step("NET-1 CreateVpc", err) {
		return
	}
	step("NET-1 WaitForVpcAvailable", c.WaitForVpcAvailable(region, vpc.VpcId, 60))
	vpcs, _, err := c.DescribeVpcs(&ecs.DescribeVpcsArgs{RegionId: region, VpcId: vpc.VpcId})
	if step("NET-1 DescribeVpcs", err) {
		check("NET-1 DescribeVpcs finds the VPC", len(vpcs) == 1 && vpcs[0].VpcName == "aliyungo" &&
			vpcs[0].CidrBlock == "10.0.0.0/16", "got %+v", vpcs)
	}
	routers, _, err := c.DescribeVRouters(&ecs.DescribeVRoutersArgs{RegionId: region, VRouterId: vpc.VRouterId})
	if step("EC-9 DescribeVRouters", err) {
		check("EC-9 DescribeVRouters finds the VRouter", len(routers) == 1 && routers[0].VpcId == vpc.VpcId,
			"got %+v", routers)
	}
	tables, _, err := c.DescribeRouteTables(&ecs.DescribeRouteTablesArgs{VRouterId: vpc.VRouterId})
	if step("EC-9 DescribeRouteTables", err) {
		check("EC-9 DescribeRouteTables finds the System table", len(tables) == 1 &&
			tables[0].RouteTableId == vpc.RouteTableId, "got %+v", tables)
	}

	vsw, err := c.CreateVSwitch(&ecs.CreateVSwitchArgs{ZoneId: "cn-hangzhou-a", CidrBlock: "10.0.1.0/24",
		VpcId: vpc.VpcId, VSwitchName: "aliyungo-a"})
	if step("NET-3 CreateVSwitch", err) {
		step("NET-3 WaitForVSwitchAvailable", c.WaitForVSwitchAvailable(vpc.VpcId, vsw, 60))
		vsws, _, err := c.DescribeVSwitches(&ecs.DescribeVSwitchesArgs{RegionId: region, VpcId: vpc.VpcId})
		if step("NET-3 DescribeVSwitches", err) {
			check("NET-3 DescribeVSwitches finds the vSwitch", len(vsws) == 1 && vsws[0].VSwitchId == vsw &&
				vsws[0].AvailableIpAddressCount > 0, "got %+v", vsws)
		}
	}

	sg, err := c.CreateSecurityGroup(&ecs.CreateSecurityGroupArgs{RegionId: region, VpcId: vpc.VpcId,
		SecurityGroupName: "aliyungo-web"})
	if step("NET-25 CreateSecurityGroup", err) {
		step("NET-25 AuthorizeSecurityGroup", c.AuthorizeSecurityGroup(&ecs.AuthorizeSecurityGroupArgs{
			SecurityGroupId: sg, RegionId: region, IpProtocol: ecs.IpProtocolTCP, PortRange: "22/22",
			SourceCidrIp: "203.0.113.0/24", Policy: ecs.PermissionPolicyAccept, Priority: 7,
			NicType: ecs.NicTypeIntranet}))
		attr, err := c.DescribeSecurityGroupAttribute(&ecs.DescribeSecurityGroupAttributeArgs{
			SecurityGroupId: sg, RegionId: region})
		if step("NET-25 DescribeSecurityGroupAttribute", err) {
			perms := attr.Permissions.Permission
			check("NET-25 the rule reads back with its Priority", len(perms) == 1 && perms[0].Priority == 7 &&
				perms[0].PortRange == "22/22" && perms[0].SourceCidrIp == "203.0.113.0/24", "got %+v", perms)
		}
		groups, _, err := c.DescribeSecurityGroups(&ecs.DescribeSecurityGroupsArgs{RegionId: region, VpcId: vpc.VpcId})
		if step("NET-25 DescribeSecurityGroups", err) {
			check("NET-25 DescribeSecurityGroups finds the group", len(groups) == 1 &&
				groups[0].SecurityGroupId == sg, "got %+v", groups)
		}
		if vsw != "" {
			machine(c, sg, vsw)
		}
		step("NET-25 DeleteSecurityGroup", c.DeleteSecurityGroup(region, sg))
	}
	if vsw != "" {
		step("NET-3 DeleteVSwitch", c.DeleteVSwitch(vsw))
		// The delete settles asynchronously (G-6): wait until it is gone.
		gone := false
		for i := 0; i < 100 && !gone; i++ {
			vsws, _, err := c.DescribeVSwitches(&ecs.DescribeVSwitchesArgs{RegionId: region, VpcId: vpc.VpcId})
			gone = err == nil && len(vsws) == 0
			if !gone {
				time.Sleep(100 * time.Millisecond)
			}
		}
		check("NET-3 the vSwitch is gone", gone, "still listed")
	}
	step("NET-1 DeleteVpc", c.DeleteVpc(vpc.VpcId))
}

// docker-machine's driver flow (NET-5): CreateInstance with bandwidth, then
// AllocatePublicIpAddress (called again on retries: the same address), start,
// describe, stop, delete; plus an EIP and the region catalogue.  Every answer
// is decoded into aliyungo's typed structs, which refuse a mistyped field.
func machine(c *ecs.Client, sg, vsw string) {
	id, err := c.CreateInstance(&ecs.CreateInstanceArgs{RegionId: region, ZoneId: "cn-hangzhou-a",
		ImageId: "debian_12", InstanceType: "ecs.g6.large", SecurityGroupId: sg, VSwitchId: vsw,
		InternetChargeType: common.PayByTraffic, InternetMaxBandwidthOut: 5,
		InstanceChargeType: common.PostPaid})
	if !step("NET-5 CreateInstance", err) {
		return
	}
	step("NET-5 WaitForInstance Stopped", c.WaitForInstance(id, ecs.Stopped, 60))
	ip, err := c.AllocatePublicIpAddress(id)
	if step("NET-5 AllocatePublicIpAddress", err) {
		again, err := c.AllocatePublicIpAddress(id)
		if step("NET-5 AllocatePublicIpAddress again", err) {
			check("NET-5 the same address is answered", again == ip, "%s then %s", ip, again)
		}
	}
	step("NET-5 StartInstance", c.StartInstance(id))
	step("NET-5 WaitForInstance Running", c.WaitForInstance(id, ecs.Running, 60))
	attr, err := c.DescribeInstanceAttribute(id)
	if step("NET-5 DescribeInstanceAttribute", err) {
		check("NET-5 the instance shows its public IP", len(attr.PublicIpAddress.IpAddress) == 1 &&
			attr.PublicIpAddress.IpAddress[0] == ip && attr.VpcAttributes.VSwitchId == vsw,
			"got %+v", attr)
	}
	insts, _, err := c.DescribeInstances(&ecs.DescribeInstancesArgs{RegionId: region, VSwitchId: vsw})
	if step("NET-3 DescribeInstances", err) {
		check("NET-3 DescribeInstances finds it", len(insts) == 1 && insts[0].InstanceId == id, "got %+v", insts)
	}
	step("NET-5 StopInstance", c.StopInstance(id, false))
	step("NET-5 WaitForInstance Stopped again", c.WaitForInstance(id, ecs.Stopped, 60))
	step("NET-5 DeleteInstance", c.DeleteInstance(id))
	gone := false
	for i := 0; i < 100 && !gone; i++ {
		insts, _, err := c.DescribeInstances(&ecs.DescribeInstancesArgs{RegionId: region, VSwitchId: vsw})
		gone = err == nil && len(insts) == 0
		if !gone {
			time.Sleep(100 * time.Millisecond)
		}
	}
	check("NET-5 the instance is gone", gone, "still listed")

	eip, alloc, err := c.AllocateEipAddress(&ecs.AllocateEipAddressArgs{RegionId: region, Bandwidth: 5,
		InternetChargeType: common.PayByTraffic})
	if step("NET-7 AllocateEipAddress", err) {
		eips, _, err := c.DescribeEipAddresses(&ecs.DescribeEipAddressesArgs{RegionId: region, AllocationId: alloc})
		if step("NET-7 DescribeEipAddresses", err) {
			check("NET-7 the EIP is listed", len(eips) == 1 && eips[0].IpAddress == eip, "got %+v", eips)
		}
		step("NET-7 ReleaseEipAddress", c.ReleaseEipAddress(alloc))
	}
	regions, err := c.DescribeRegions()
	if step("G-2 DescribeRegions", err) {
		check("G-2 cn-hangzhou is offered", len(regions) > 0, "got %+v", regions)
	}
	zones, err := c.DescribeZones(region)
	if step("G-2 DescribeZones", err) {
		check("G-2 the region has zones", len(zones) > 0, "got %+v", zones)
	}
}
