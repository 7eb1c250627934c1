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
