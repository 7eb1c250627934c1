/*
 * commands: the table of `openvpc GROUP VERB` commands (see commands.h).
 *
 * Parameter lists come from shared/reference/alibaba-api.md section 5 (the
 * SDK models), trimmed to what openvpc serves; a word's suffix is its kind
 * (flags.h): ".N" flattens to Name.1, Name.2; "[]" is a JSON array string;
 * "," a comma list; "Tag.N" is filled by --tag key=value.
 */
#include "cli/commands.h"

#include <string.h>

#define V CLI_V_VPC
#define E CLI_V_ECS
#define O CLI_V_OPS

/* Accepted by every command (and never reported as unknown). */
const char cli_common_params[] = "RegionId DryRun ClientToken OwnerId OwnerAccount ResourceOwnerId "
				 "ResourceOwnerAccount PageNumber PageSize MaxResults NextToken";

const struct cli_group cli_groups[] = {
    {"region", "regions of the cloud, and whether a region offers the classic network"},
    {"zone", "zones of the current region"},
    {"instance-type", "instance types and their network limits"},
    {"vpc", "virtual private clouds"},
    {"vswitch", "vSwitches (subnets of a VPC in one zone)"},
    {"route-table", "route tables of VPCs"},
    {"route", "route entries of a route table"},
    {"sg", "security groups and their rules"},
    {"instance", "ECS instances (their network side)"},
    {"eni", "elastic network interfaces"},
    {"eip", "elastic IP addresses"},
    {"ipv6gw", "IPv6 gateways"},
    {"ipv6", "IPv6 addresses and their Internet bandwidth"},
    {"classiclink", "ClassicLink between classic instances and VPCs"},
    {"account", "accounts (operator)"},
    {"key", "AccessKey pairs of accounts (operator)"},
    {"quota", "quotas of accounts"},
    {"clock", "the daemon's test clock"},
    {"rdns", "reverse DNS names of public addresses (operator)"},
    {"traffic", "public traffic records (operator)"},
};
const size_t cli_n_groups = sizeof(cli_groups) / sizeof(cli_groups[0]);

/* Columns and parameter lists shared by several rows. */
#define SG_RULE_IN                                                                                 \
	"IpProtocol PortRange SourceCidrIp Ipv6SourceCidrIp SourceGroupId SourceGroupOwnerId "     \
	"SourceGroupOwnerAccount SourcePrefixListId SourcePortRange DestCidrIp Ipv6DestCidrIp "    \
	"Policy Priority NicType Description"
#define SG_RULE_OUT                                                                                \
	"IpProtocol PortRange DestCidrIp Ipv6DestCidrIp DestGroupId DestGroupOwnerId "             \
	"DestGroupOwnerAccount DestPrefixListId SourceCidrIp Ipv6SourceCidrIp SourcePortRange "    \
	"Policy Priority NicType Description"
#define INSTANCE_COLS                                                                              \
	{                                                                                          \
		{"ID", "InstanceId"}, {"NAME", "InstanceName"}, {"STATUS", "Status"},              \
		    {"TYPE", "InstanceType"}, {"ZONE", "ZoneId"}, {"VPC", "VpcAttributes.VpcId"},  \
		    {"VSWITCH", "VpcAttributes.VSwitchId"},                                        \
		    {"PRIVATE-IP", "VpcAttributes.PrivateIpAddress|InnerIpAddress"},               \
		    {"PUBLIC-IP", "PublicIpAddress|EipAddress.IpAddress"},                         \
		{                                                                                  \
			NULL, NULL                                                                 \
		}                                                                                  \
	}
#define EIP_COLS                                                                                   \
	{                                                                                          \
		{"ID", "AllocationId"}, {"IP", "IpAddress"}, {"NAME", "Name"},                     \
		    {"STATUS", "Status"}, {"BANDWIDTH", "Bandwidth"}, {"INSTANCE", "InstanceId"},  \
		    {"INSTANCE-TYPE", "InstanceType"}, {"PRIVATE-IP", "PrivateIpAddress"},         \
		{                                                                                  \
			NULL, NULL                                                                 \
		}                                                                                  \
	}

const struct cli_cmd cli_cmds[] = {
    /* region, zone, instance-type */
    {.group = "region", .verb = "list", .version = V, .action = "DescribeRegions",
     .out = CLI_OUT_TABLE, .list = "Regions.Region", .params = "AcceptLanguage",
     .cols = {{"REGION", "RegionId"}, {"NAME", "LocalName"}},
     .help = "list the regions", .example = "openvpc region list"},
    {.group = "region", .verb = "classic-offered", .version = O,
     .action = "SetClassicNetworkOffered", .pos = "Offered", .metavar = "true|false",
     .flags = CLI_POS_REQUIRED, .params = "Offered",
     .help = "offer (true) or stop offering (false) the classic network in the region",
     .example = "openvpc region classic-offered false"},
    {.group = "zone", .verb = "list", .version = V, .action = "DescribeZones",
     .out = CLI_OUT_TABLE, .list = "Zones.Zone", .params = "ZoneType AcceptLanguage",
     .cols = {{"ZONE", "ZoneId"}, {"NAME", "LocalName"}},
     .help = "list the zones of the region", .example = "openvpc zone list"},
    {.group = "instance-type", .verb = "list", .version = E, .action = "DescribeInstanceTypes",
     .out = CLI_OUT_TABLE, .list = "InstanceTypes.InstanceType",
     .params = "InstanceTypeFamily InstanceTypes.N",
     .cols = {{"TYPE", "InstanceTypeId"},
	      {"FAMILY", "InstanceTypeFamily"},
	      {"CPU", "CpuCoreCount"},
	      {"MEMORY-GIB", "MemorySize"},
	      {"ENIS", "EniQuantity"},
	      {"IPS/ENI", "EniPrivateIpAddressQuantity"},
	      {"IPV6/ENI", "EniIpv6AddressQuantity"},
	      {"QUEUES", "MaximumQueueNumberPerEni"}},
     .help = "list instance types with their ENI and address limits",
     .example = "openvpc instance-type list --instance-type-family ecs.g7"},

    /* vpc */
    {.group = "vpc", .verb = "create", .version = V, .action = "CreateVpc", .out = CLI_OUT_ID,
     .id = "VpcId", .name = "VpcName",
     .params = "CidrBlock VpcName Description EnableIpv6 Ipv6CidrBlock Ipv6Isp UserCidr "
	       "ResourceGroupId EnableDnsHostname Ipv4CidrMask Ipv6CidrMask Tag.N",
     .help = "create a VPC; prints its id",
     .example = "vpc=$(openvpc vpc create --cidr-block 10.0.0.0/16 --name web)"},
    {.group = "vpc", .verb = "list", .version = V, .action = "DescribeVpcs",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "Vpcs.Vpc", .name = "VpcName",
     .params = "VpcId, VpcName IsDefault EnableIpv6 ResourceGroupId DhcpOptionsSetId "
	       "VpcOwnerId Tag.N",
     .cols = {{"ID", "VpcId"},
	      {"NAME", "VpcName"},
	      {"CIDR", "CidrBlock"},
	      {"IPV6", "Ipv6CidrBlock"},
	      {"STATUS", "Status"},
	      {"VSWITCHES", "VSwitchIds"},
	      {"CREATED", "CreationTime"}},
     .help = "list VPCs", .example = "openvpc vpc list --vpc-id vpc-1 --vpc-id vpc-2"},
    {.group = "vpc", .verb = "show", .version = V, .action = "DescribeVpcAttribute",
     .pos = "VpcId", .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED, .out = CLI_OUT_SHOW,
     .params = "IsDefault", .help = "show one VPC", .example = "openvpc vpc show $vpc"},
    {.group = "vpc", .verb = "modify", .version = V, .action = "ModifyVpcAttribute",
     .pos = "VpcId", .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED, .name = "VpcName",
     .params = "VpcName Description CidrBlock EnableIPv6 Ipv6CidrBlock Ipv6Isp EnableDnsHostname",
     .help = "change a VPC's name, description, CIDR block or IPv6",
     .example = "openvpc vpc modify $vpc --name web2 --enable-ipv6 true"},
    {.group = "vpc", .verb = "delete", .version = V, .action = "DeleteVpc", .pos = "VpcId",
     .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED, .params = "ForceDelete",
     .help = "delete a VPC", .example = "openvpc vpc delete $vpc"},
    {.group = "vpc", .verb = "add-cidr", .version = V, .action = "AssociateVpcCidrBlock",
     .pos = "VpcId", .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED,
     .params = "SecondaryCidrBlock IpVersion IPv6CidrBlock",
     .help = "add a secondary CIDR block to a VPC",
     .example = "openvpc vpc add-cidr $vpc --secondary-cidr-block 172.16.0.0/16"},
    {.group = "vpc", .verb = "remove-cidr", .version = V, .action = "UnassociateVpcCidrBlock",
     .pos = "VpcId", .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED,
     .params = "SecondaryCidrBlock IPv6CidrBlock",
     .help = "remove a secondary CIDR block from a VPC",
     .example = "openvpc vpc remove-cidr $vpc --secondary-cidr-block 172.16.0.0/16"},
    {.group = "vpc", .verb = "enable-classiclink", .version = V, .action = "EnableVpcClassicLink",
     .pos = "VpcId", .metavar = "VPC_ID", .flags = CLI_POS_REQUIRED,
     .help = "let classic instances link to a VPC",
     .example = "openvpc vpc enable-classiclink $vpc"},
    {.group = "vpc", .verb = "disable-classiclink", .version = V,
     .action = "DisableVpcClassicLink", .pos = "VpcId", .metavar = "VPC_ID",
     .flags = CLI_POS_REQUIRED, .help = "stop ClassicLink for a VPC",
     .example = "openvpc vpc disable-classiclink $vpc"},

    /* vswitch */
    {.group = "vswitch", .verb = "create", .version = V, .action = "CreateVSwitch",
     .out = CLI_OUT_ID, .id = "VSwitchId", .name = "VSwitchName",
     .params = "VpcId ZoneId CidrBlock VSwitchName Description Ipv6CidrBlock VpcIpv6CidrBlock "
	       "CidrMask Ipv6CidrMask Tag.N",
     .help = "create a vSwitch; prints its id",
     .example = "vsw=$(openvpc vswitch create --vpc-id $vpc --zone-id cn-hangzhou-a "
		"--cidr-block 10.0.1.0/24)"},
    {.group = "vswitch", .verb = "list", .version = V, .action = "DescribeVSwitches",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "VSwitches.VSwitch", .name = "VSwitchName",
     .params = "VpcId ZoneId VSwitchId VSwitchName RouteTableId IsDefault EnableIpv6 "
	       "ResourceGroupId VSwitchOwnerId Tag.N",
     .cols = {{"ID", "VSwitchId"},
	      {"NAME", "VSwitchName"},
	      {"VPC", "VpcId"},
	      {"ZONE", "ZoneId"},
	      {"CIDR", "CidrBlock"},
	      {"IPV6", "Ipv6CidrBlock"},
	      {"FREE-IPS", "AvailableIpAddressCount"},
	      {"STATUS", "Status"}},
     .help = "list vSwitches", .example = "openvpc vswitch list --vpc-id $vpc"},
    {.group = "vswitch", .verb = "show", .version = V, .action = "DescribeVSwitchAttributes",
     .pos = "VSwitchId", .metavar = "VSWITCH_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_SHOW, .params = "", .help = "show one vSwitch",
     .example = "openvpc vswitch show $vsw"},
    {.group = "vswitch", .verb = "modify", .version = V, .action = "ModifyVSwitchAttribute",
     .pos = "VSwitchId", .metavar = "VSWITCH_ID", .flags = CLI_POS_REQUIRED,
     .name = "VSwitchName",
     .params = "VSwitchName Description EnableIPv6 Ipv6CidrBlock VpcIpv6CidrBlock Ipv6CidrMask",
     .help = "change a vSwitch's name, description or IPv6 block",
     .example = "openvpc vswitch modify $vsw --name db"},
    {.group = "vswitch", .verb = "delete", .version = V, .action = "DeleteVSwitch",
     .pos = "VSwitchId", .metavar = "VSWITCH_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "delete a vSwitch", .example = "openvpc vswitch delete $vsw"},

    /* route-table, route */
    {.group = "route-table", .verb = "list", .version = V, .action = "DescribeRouteTableList",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "RouterTableList.RouterTableListType",
     .name = "RouteTableName",
     .params = "VpcId RouteTableId RouteTableName RouteTableType RouterId RouterType "
	       "ResourceGroupId Tag.N",
     .cols = {{"ID", "RouteTableId"},
	      {"NAME", "RouteTableName"},
	      {"VPC", "VpcId"},
	      {"TYPE", "RouteTableType"},
	      {"VSWITCHES", "VSwitchIds"},
	      {"STATUS", "Status"}},
     .help = "list route tables", .example = "openvpc route-table list --vpc-id $vpc"},
    {.group = "route", .verb = "list", .version = V, .action = "DescribeRouteEntryList",
     .pos = "RouteTableId", .metavar = "ROUTE_TABLE_ID", .flags = CLI_POS_REQUIRED | CLI_TOKEN_PAGED,
     .out = CLI_OUT_TABLE, .list = "RouteEntrys.RouteEntry", .name = "RouteEntryName",
     .params = "RouteTableId RouteEntryId RouteEntryName RouteEntryType DestinationCidrBlock "
	       "NextHopId NextHopType IpVersion ServiceType MaxResult DestCidrBlockList.N",
     .cols = {{"ID", "RouteEntryId"},
	      {"DESTINATION", "DestinationCidrBlock"},
	      {"TYPE", "Type"},
	      {"NEXT-HOP-TYPE", "NextHops.NextHop.NextHopType"},
	      {"NEXT-HOP", "NextHops.NextHop.NextHopId"},
	      {"NAME", "RouteEntryName"},
	      {"STATUS", "Status"}},
     .help = "list the entries of a route table",
     .example = "openvpc route list --route-table-id vtb-xxx"},
    {.group = "route", .verb = "add", .version = V, .action = "CreateRouteEntry",
     .out = CLI_OUT_ID, .id = "RouteEntryId", .name = "RouteEntryName",
     .params = "RouteTableId DestinationCidrBlock NextHopType NextHopId RouteEntryName "
	       "Description",
     .help = "add a route entry; prints its id",
     .example = "openvpc route add --route-table-id vtb-xxx --destination-cidr-block "
		"0.0.0.0/0 --next-hop-type Instance --next-hop-id i-xxx"},
    {.group = "route", .verb = "delete", .version = V, .action = "DeleteRouteEntry",
     .pos = "RouteEntryId", .metavar = "[ROUTE_ENTRY_ID]",
     .params = "RouteTableId DestinationCidrBlock NextHopId RouteEntryId",
     .help = "delete a route entry (by id, or by table, destination and next hop)",
     .example = "openvpc route delete --route-table-id vtb-xxx --destination-cidr-block "
		"0.0.0.0/0 --next-hop-id i-xxx"},

    /* sg */
    {.group = "sg", .verb = "create", .version = E, .action = "CreateSecurityGroup",
     .out = CLI_OUT_ID, .id = "SecurityGroupId", .name = "SecurityGroupName",
     .params = "VpcId SecurityGroupName Description SecurityGroupType ResourceGroupId Tag.N",
     .help = "create a security group; prints its id",
     .example = "sg=$(openvpc sg create --vpc-id $vpc --name web)"},
    {.group = "sg", .verb = "list", .version = E, .action = "DescribeSecurityGroups",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "SecurityGroups.SecurityGroup",
     .name = "SecurityGroupName",
     .params = "VpcId SecurityGroupId SecurityGroupIds[] SecurityGroupName SecurityGroupType "
	       "NetworkType ResourceGroupId FuzzyQuery IsQueryEcsCount Tag.N",
     .cols = {{"ID", "SecurityGroupId"},
	      {"NAME", "SecurityGroupName"},
	      {"VPC", "VpcId"},
	      {"TYPE", "SecurityGroupType"},
	      {"DESCRIPTION", "Description"},
	      {"CREATED", "CreationTime"}},
     .help = "list security groups", .example = "openvpc sg list --vpc-id $vpc"},
    {.group = "sg", .verb = "show", .version = E, .action = "DescribeSecurityGroupAttribute",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_SHOW, .params = "Direction NicType Attribute",
     .sub = "Permissions.Permission",
     .sub_cols = {{"RULE", "SecurityGroupRuleId"},
		  {"DIRECTION", "Direction"},
		  {"POLICY", "Policy"},
		  {"PRIORITY", "Priority"},
		  {"PROTOCOL", "IpProtocol"},
		  {"PORTS", "PortRange"},
		  {"SOURCE", "SourceCidrIp|Ipv6SourceCidrIp|SourceGroupId|SourcePrefixListId"},
		  {"DESTINATION", "DestCidrIp|Ipv6DestCidrIp|DestGroupId|DestPrefixListId"},
		  {"DESCRIPTION", "Description"}},
     .help = "show a security group and its rules", .example = "openvpc sg show $sg"},
    {.group = "sg", .verb = "delete", .version = E, .action = "DeleteSecurityGroup",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "delete a security group", .example = "openvpc sg delete $sg"},
    {.group = "sg", .verb = "authorize", .version = E, .action = "AuthorizeSecurityGroup",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = SG_RULE_IN, .help = "add an inbound rule",
     .example = "openvpc sg authorize $sg --ip-protocol tcp --port-range 22/22 "
		"--source-cidr-ip 0.0.0.0/0"},
    {.group = "sg", .verb = "authorize-egress", .version = E,
     .action = "AuthorizeSecurityGroupEgress", .pos = "SecurityGroupId", .metavar = "SG_ID",
     .flags = CLI_POS_REQUIRED, .params = SG_RULE_OUT, .help = "add an outbound rule",
     .example = "openvpc sg authorize-egress $sg --ip-protocol all --port-range -1/-1 "
		"--dest-cidr-ip 0.0.0.0/0 --policy drop"},
    {.group = "sg", .verb = "revoke", .version = E, .action = "RevokeSecurityGroup",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = SG_RULE_IN " SecurityGroupRuleId.N",
     .help = "remove inbound rules (by their fields or --security-group-rule-id)",
     .example = "openvpc sg revoke $sg --ip-protocol tcp --port-range 22/22 "
		"--source-cidr-ip 0.0.0.0/0"},
    {.group = "sg", .verb = "revoke-egress", .version = E, .action = "RevokeSecurityGroupEgress",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = SG_RULE_OUT " SecurityGroupRuleId.N", .help = "remove outbound rules",
     .example = "openvpc sg revoke-egress $sg --security-group-rule-id sgr-xxx"},
    {.group = "sg", .verb = "policy", .version = E, .action = "ModifySecurityGroupPolicy",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = "InnerAccessPolicy",
     .help = "set whether members of the group reach each other (Accept or Drop)",
     .example = "openvpc sg policy $sg --inner-access-policy Drop"},
    {.group = "sg", .verb = "join", .version = E, .action = "JoinSecurityGroup",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId NetworkInterfaceId",
     .help = "put an instance or an ENI into a security group",
     .example = "openvpc sg join $sg --instance-id $i"},
    {.group = "sg", .verb = "leave", .version = E, .action = "LeaveSecurityGroup",
     .pos = "SecurityGroupId", .metavar = "SG_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId NetworkInterfaceId",
     .help = "take an instance or an ENI out of a security group",
     .example = "openvpc sg leave $sg --eni-id $eni"},

    /* instance */
    {.group = "instance", .verb = "run", .version = E, .action = "RunInstances",
     .out = CLI_OUT_ID, .id = "InstanceIdSets.InstanceIdSet", .name = "InstanceName",
     .params = "ZoneId VSwitchId SecurityGroupId SecurityGroupIds.N InstanceType ImageId "
	       "InstanceName HostName HostNames.N Description Amount MinAmount UniqueSuffix "
	       "PrivateIpAddress Ipv6AddressCount Ipv6Address.N InternetChargeType "
	       "InternetMaxBandwidthIn InternetMaxBandwidthOut NetworkInterfaceQueueNumber "
	       "InstanceChargeType Password Tag.N",
     .help = "create and start instances; prints their ids",
     .example = "ids=$(openvpc instance run --vswitch-id $vsw --security-group-id $sg "
		"--instance-type ecs.g7.large --amount 2)"},
    {.group = "instance", .verb = "create", .version = E, .action = "CreateInstance",
     .out = CLI_OUT_ID, .id = "InstanceId", .name = "InstanceName",
     .params = "ZoneId VSwitchId SecurityGroupId InstanceType ImageId InstanceName HostName "
	       "Description PrivateIpAddress InnerIpAddress InternetChargeType "
	       "InternetMaxBandwidthIn InternetMaxBandwidthOut InstanceChargeType Password Tag.N",
     .help = "create one stopped instance; prints its id",
     .example = "i=$(openvpc instance create --vswitch-id $vsw --security-group-id $sg "
		"--instance-type ecs.g7.large)"},
    {.group = "instance", .verb = "list", .version = E, .action = "DescribeInstances",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "Instances.Instance",
     .name = "InstanceName",
     .params = "InstanceIds[] VpcId VSwitchId ZoneId SecurityGroupId InstanceName InstanceType "
	       "InstanceTypeFamily InstanceNetworkType Status PrivateIpAddresses[] "
	       "PublicIpAddresses[] EipAddresses[] InnerIpAddresses[] Ipv6Address.N Tag.N",
     .cols = INSTANCE_COLS, .help = "list instances",
     .example = "openvpc instance list --vpc-id $vpc"},
    {.group = "instance", .verb = "show", .version = E, .action = "DescribeInstances",
     .pos = "InstanceIds[]", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_SHOW, .list = "Instances.Instance", .params = "",
     .not_found = "InvalidInstanceId.NotFound", .help = "show one instance",
     .example = "openvpc instance show $i"},
    {.group = "instance", .verb = "start", .version = E, .action = "StartInstance",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED,
     .params = "InitLocalDisk", .help = "start an instance", .example = "openvpc instance start $i"},
    {.group = "instance", .verb = "stop", .version = E, .action = "StopInstance",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED,
     .params = "ForceStop StoppedMode ConfirmStop Hibernate", .help = "stop an instance",
     .example = "openvpc instance stop $i --force-stop true"},
    {.group = "instance", .verb = "reboot", .version = E, .action = "RebootInstance",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED,
     .params = "ForceStop", .help = "reboot an instance",
     .example = "openvpc instance reboot $i"},
    {.group = "instance", .verb = "delete", .version = E, .action = "DeleteInstance",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED,
     .params = "Force TerminateSubscription", .help = "delete an instance",
     .example = "openvpc instance delete $i --force true"},
    {.group = "instance", .verb = "modify-vpc", .version = E,
     .action = "ModifyInstanceVpcAttribute", .pos = "InstanceId", .metavar = "INSTANCE_ID",
     .flags = CLI_POS_REQUIRED, .params = "VSwitchId VpcId PrivateIpAddress SecurityGroupId.N",
     .help = "move a stopped instance to another vSwitch or private IP",
     .example = "openvpc instance modify-vpc $i --vswitch-id $vsw2 --private-ip-address "
		"10.0.2.10"},
    {.group = "instance", .verb = "modify-network", .version = E,
     .action = "ModifyInstanceNetworkSpec", .pos = "InstanceId", .metavar = "INSTANCE_ID",
     .flags = CLI_POS_REQUIRED,
     .params = "InternetMaxBandwidthOut InternetMaxBandwidthIn NetworkChargeType "
	       "AllocatePublicIp AutoPay StartTime EndTime",
     .help = "change an instance's public bandwidth",
     .example = "openvpc instance modify-network $i --internet-max-bandwidth-out 10"},
    {.group = "instance", .verb = "allocate-public-ip", .version = E,
     .action = "AllocatePublicIpAddress", .pos = "InstanceId", .metavar = "INSTANCE_ID",
     .flags = CLI_POS_REQUIRED, .out = CLI_OUT_ID, .id = "IpAddress", .params = "IpAddress VlanId",
     .help = "give an instance a public IP address; prints it",
     .example = "ip=$(openvpc instance allocate-public-ip $i)"},
    {.group = "instance", .verb = "convert-to-eip", .version = E,
     .action = "ConvertNatPublicIpToEip", .pos = "InstanceId", .metavar = "INSTANCE_ID",
     .flags = CLI_POS_REQUIRED, .params = "",
     .help = "turn an instance's public IP address into an EIP",
     .example = "openvpc instance convert-to-eip $i"},
    {.group = "instance", .verb = "replace-public-ip", .version = E,
     .action = "ReplaceInstancePublicIp", .pos = "InstanceId", .metavar = "INSTANCE_ID",
     .flags = CLI_POS_REQUIRED, .out = CLI_OUT_FIELDS, .params = NULL,
     .help = "give an instance a new public IP address in place of its current one",
     .example = "openvpc instance replace-public-ip $i"},

    /* eni */
    {.group = "eni", .verb = "create", .version = E, .action = "CreateNetworkInterface",
     .out = CLI_OUT_ID, .id = "NetworkInterfaceId", .name = "NetworkInterfaceName",
     .params = "VSwitchId SecurityGroupId SecurityGroupIds.N PrimaryIpAddress "
	       "PrivateIpAddress.N SecondaryPrivateIpAddressCount Ipv6Address.N Ipv6AddressCount "
	       "Ipv4Prefix.N Ipv4PrefixCount Ipv6Prefix.N Ipv6PrefixCount NetworkInterfaceName "
	       "Description InstanceType NetworkInterfaceTrafficMode QueueNumber QueuePairNumber "
	       "SourceDestCheck DeleteOnRelease Visible BusinessType EnablePrimaryIPv6 "
	       "ResourceGroupId Tag.N",
     .help = "create an ENI; prints its id",
     .example = "eni=$(openvpc eni create --vswitch-id $vsw --security-group-id $sg)"},
    {.group = "eni", .verb = "list", .version = E, .action = "DescribeNetworkInterfaces",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "NetworkInterfaceSets.NetworkInterfaceSet",
     .name = "NetworkInterfaceName",
     .params = "NetworkInterfaceId.N VpcId VSwitchId InstanceId SecurityGroupId "
	       "NetworkInterfaceName Type Status PrimaryIpAddress PrivateIpAddress.N "
	       "Ipv6Address.N ServiceManaged ResourceGroupId Tag.N",
     .cols = {{"ID", "NetworkInterfaceId"},
	      {"NAME", "NetworkInterfaceName"},
	      {"STATUS", "Status"},
	      {"TYPE", "Type"},
	      {"INSTANCE", "InstanceId"},
	      {"VSWITCH", "VSwitchId"},
	      {"PRIMARY-IP", "PrivateIpAddress"},
	      {"IPV6", "Ipv6Sets.Ipv6Set.Ipv6Address"},
	      {"MAC", "MacAddress"},
	      {"SECURITY-GROUPS", "SecurityGroupIds"}},
     .help = "list ENIs", .example = "openvpc eni list --instance-id $i"},
    {.group = "eni", .verb = "show", .version = E, .action = "DescribeNetworkInterfaceAttribute",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_SHOW, .params = "Attribute", .help = "show one ENI",
     .example = "openvpc eni show $eni"},
    {.group = "eni", .verb = "attach", .version = E, .action = "AttachNetworkInterface",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId NetworkCardIndex TrunkNetworkInstanceId "
	       "WaitForNetworkConfigurationReady",
     .help = "attach an ENI to an instance",
     .example = "openvpc eni attach $eni --instance-id $i"},
    {.group = "eni", .verb = "detach", .version = E, .action = "DetachNetworkInterface",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId TrunkNetworkInstanceId", .help = "detach an ENI from its instance",
     .example = "openvpc eni detach $eni --instance-id $i"},
    {.group = "eni", .verb = "delete", .version = E, .action = "DeleteNetworkInterface",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "delete an ENI", .example = "openvpc eni delete $eni"},
    {.group = "eni", .verb = "modify", .version = E, .action = "ModifyNetworkInterfaceAttribute",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .name = "NetworkInterfaceName",
     .params = "NetworkInterfaceName Description SecurityGroupId.N SourceDestCheck "
	       "DeleteOnRelease QueueNumber RxQueueSize TxQueueSize EnablePrimaryIPv6",
     .help = "change an ENI's name, description, security groups or source/dest check",
     .example = "openvpc eni modify $eni --security-group-id $sg1 --security-group-id $sg2"},
    {.group = "eni", .verb = "assign-ip", .version = E, .action = "AssignPrivateIpAddresses",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_ID,
     .id = "AssignedPrivateIpAddressesSet.PrivateIpSet.PrivateIpAddress|"
	   "AssignedPrivateIpAddressesSet.Ipv4PrefixSet.Ipv4Prefixes",
     .params = "PrivateIpAddress.N SecondaryPrivateIpAddressCount Ipv4Prefix.N Ipv4PrefixCount",
     .help = "add secondary private IPv4 addresses to an ENI; prints them",
     .example = "openvpc eni assign-ip $eni --secondary-private-ip-address-count 2"},
    {.group = "eni", .verb = "unassign-ip", .version = E, .action = "UnassignPrivateIpAddresses",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .params = "PrivateIpAddress.N Ipv4Prefix.N",
     .help = "remove secondary private IPv4 addresses from an ENI",
     .example = "openvpc eni unassign-ip $eni --private-ip-address 10.0.1.20"},
    {.group = "eni", .verb = "assign-ipv6", .version = E, .action = "AssignIpv6Addresses",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_ID, .id = "Ipv6Sets.Ipv6Address|Ipv6PrefixSets.Ipv6Prefix",
     .params = "Ipv6Address.N Ipv6AddressCount Ipv6Prefix.N Ipv6PrefixCount",
     .help = "add IPv6 addresses to an ENI; prints them",
     .example = "openvpc eni assign-ipv6 $eni --ipv6-address-count 1"},
    {.group = "eni", .verb = "unassign-ipv6", .version = E, .action = "UnassignIpv6Addresses",
     .pos = "NetworkInterfaceId", .metavar = "ENI_ID", .flags = CLI_POS_REQUIRED,
     .params = "Ipv6Address.N Ipv6Prefix.N", .help = "remove IPv6 addresses from an ENI",
     .example = "openvpc eni unassign-ipv6 $eni --ipv6-address 2001:db8::10"},

    /* eip */
    {.group = "eip", .verb = "allocate", .version = V, .action = "AllocateEipAddress",
     .out = CLI_OUT_ID, .id = "AllocationId", .name = "Name",
     .params = "Bandwidth InternetChargeType InstanceChargeType ISP Name Description Netmode "
	       "IpAddress PublicIpAddressPoolId ResourceGroupId Zone Period PricingCycle AutoPay "
	       "SecurityProtectionTypes.N Tag.N",
     .help = "allocate an EIP; prints its allocation id",
     .example = "eip=$(openvpc eip allocate --bandwidth 5)"},
    {.group = "eip", .verb = "list", .version = V, .action = "DescribeEipAddresses",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "EipAddresses.EipAddress",
     .name = "EipName",
     .params = "AllocationId EipAddress EipName Status AssociatedInstanceId "
	       "AssociatedInstanceType ChargeType ISP LockReason ResourceGroupId "
	       "SegmentInstanceId PublicIpAddressPoolId Tag.N",
     .cols = EIP_COLS, .help = "list EIPs", .example = "openvpc eip list --status InUse"},
    {.group = "eip", .verb = "show", .version = V, .action = "DescribeEipAddresses",
     .pos = "AllocationId", .metavar = "EIP_ID", .flags = CLI_POS_REQUIRED, .out = CLI_OUT_SHOW,
     .list = "EipAddresses.EipAddress", .params = "",
     .not_found = "InvalidAllocationId.NotFound", .help = "show one EIP",
     .example = "openvpc eip show $eip"},
    {.group = "eip", .verb = "associate", .version = V, .action = "AssociateEipAddress",
     .pos = "AllocationId", .metavar = "EIP_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId InstanceType PrivateIpAddress Mode VpcId InstanceRegionId",
     .help = "bind an EIP to an instance, ENI or other resource",
     .example = "openvpc eip associate $eip --instance-id $i"},
    {.group = "eip", .verb = "unassociate", .version = V, .action = "UnassociateEipAddress",
     .pos = "AllocationId", .metavar = "EIP_ID", .flags = CLI_POS_REQUIRED,
     .params = "InstanceId InstanceType PrivateIpAddress Force", .help = "unbind an EIP",
     .example = "openvpc eip unassociate $eip --instance-id $i"},
    {.group = "eip", .verb = "release", .version = V, .action = "ReleaseEipAddress",
     .pos = "AllocationId", .metavar = "EIP_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "release an EIP", .example = "openvpc eip release $eip"},
    {.group = "eip", .verb = "modify", .version = V, .action = "ModifyEipAddressAttribute",
     .pos = "AllocationId", .metavar = "EIP_ID", .flags = CLI_POS_REQUIRED, .name = "Name",
     .params = "Bandwidth Name Description", .help = "change an EIP's bandwidth, name or description",
     .example = "openvpc eip modify $eip --bandwidth 10"},

    /* ipv6gw, ipv6 */
    {.group = "ipv6gw", .verb = "create", .version = V, .action = "CreateIpv6Gateway",
     .out = CLI_OUT_ID, .id = "Ipv6GatewayId", .name = "Name",
     .params = "VpcId Name Description Spec ResourceGroupId Tag.N",
     .help = "create the IPv6 gateway of a VPC; prints its id",
     .example = "gw=$(openvpc ipv6gw create --vpc-id $vpc)"},
    {.group = "ipv6gw", .verb = "list", .version = V, .action = "DescribeIpv6Gateways",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "Ipv6Gateways.Ipv6Gateway", .name = "Name",
     .params = "VpcId Ipv6GatewayId Name ResourceGroupId Tags.N",
     .cols = {{"ID", "Ipv6GatewayId"},
	      {"NAME", "Name"},
	      {"VPC", "VpcId"},
	      {"STATUS", "Status"},
	      {"CREATED", "CreationTime"}},
     .help = "list IPv6 gateways", .example = "openvpc ipv6gw list --vpc-id $vpc"},
    {.group = "ipv6gw", .verb = "show", .version = V, .action = "DescribeIpv6GatewayAttribute",
     .pos = "Ipv6GatewayId", .metavar = "IPV6GW_ID", .flags = CLI_POS_REQUIRED,
     .out = CLI_OUT_SHOW, .params = "", .help = "show one IPv6 gateway",
     .example = "openvpc ipv6gw show $gw"},
    {.group = "ipv6gw", .verb = "delete", .version = V, .action = "DeleteIpv6Gateway",
     .pos = "Ipv6GatewayId", .metavar = "IPV6GW_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "delete an IPv6 gateway", .example = "openvpc ipv6gw delete $gw"},
    {.group = "ipv6", .verb = "list", .version = V, .action = "DescribeIpv6Addresses",
     .flags = CLI_PAGED, .out = CLI_OUT_TABLE, .list = "Ipv6Addresses.Ipv6Address",
     .params = "Ipv6AddressId Ipv6Address VpcId VSwitchId AssociatedInstanceId "
	       "AssociatedInstanceType Ipv6InternetBandwidthId NetworkType AddressType Name "
	       "ServiceManaged ResourceGroupId Tag.N",
     .cols = {{"ID", "Ipv6AddressId"},
	      {"ADDRESS", "Ipv6Address"},
	      {"VPC", "VpcId"},
	      {"VSWITCH", "VSwitchId"},
	      {"INSTANCE", "AssociatedInstanceId"},
	      {"STATUS", "Status"},
	      {"INTERNET", "Ipv6InternetBandwidth.Ipv6InternetBandwidthId"},
	      {"BANDWIDTH", "Ipv6InternetBandwidth.Bandwidth"}},
     .help = "list IPv6 addresses", .example = "openvpc ipv6 list --vpc-id $vpc"},
    {.group = "ipv6", .verb = "open-internet", .version = V,
     .action = "AllocateIpv6InternetBandwidth", .pos = "Ipv6AddressId", .metavar = "IPV6_ID",
     .flags = CLI_POS_REQUIRED, .out = CLI_OUT_ID, .id = "InternetBandwidthId",
     .params = "Ipv6GatewayId Bandwidth InternetChargeType",
     .help = "let an IPv6 address reach the Internet; prints the bandwidth id",
     .example = "openvpc ipv6 open-internet ipv6-xxx --ipv6-gateway-id $gw --bandwidth 10"},
    {.group = "ipv6", .verb = "close-internet", .version = V,
     .action = "DeleteIpv6InternetBandwidth", .pos = "Ipv6AddressId", .metavar = "[IPV6_ID]",
     .params = "Ipv6InternetBandwidthId", .help = "take an IPv6 address off the Internet",
     .example = "openvpc ipv6 close-internet ipv6-xxx"},

    /* classiclink */
    {.group = "classiclink", .verb = "attach", .version = E, .action = "AttachClassicLinkVpc",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED, .params = "VpcId",
     .help = "link a classic instance to a VPC",
     .example = "openvpc classiclink attach $i --vpc-id $vpc"},
    {.group = "classiclink", .verb = "detach", .version = E, .action = "DetachClassicLinkVpc",
     .pos = "InstanceId", .metavar = "INSTANCE_ID", .flags = CLI_POS_REQUIRED, .params = "VpcId",
     .help = "unlink a classic instance from a VPC",
     .example = "openvpc classiclink detach $i --vpc-id $vpc"},
    {.group = "classiclink", .verb = "list", .version = E,
     .action = "DescribeClassicLinkInstances", .flags = CLI_PAGED, .out = CLI_OUT_TABLE,
     .list = "Links.Link", .params = "VpcId InstanceId",
     .cols = {{"INSTANCE", "InstanceId"}, {"VPC", "VpcId"}},
     .help = "list ClassicLink links", .example = "openvpc classiclink list --vpc-id $vpc"},

    /* account, key, quota (operator) */
    {.group = "account", .verb = "create", .version = O, .action = "CreateAccount",
     .pos = "AccountName", .metavar = "[NAME]", .flags = CLI_SAVES_KEYS, .out = CLI_OUT_FIELDS,
     .params = "AccountName Operator",
     .help = "create an account and its first AccessKey pair",
     .example = "openvpc account create --account-name demo --save-profile demo"},
    {.group = "account", .verb = "list", .version = O, .action = "DescribeAccounts",
     .out = CLI_OUT_TABLE, .list = "Accounts.Account", .params = "",
     .cols = {{"ID", "AccountId"},
	      {"NAME", "AccountName"},
	      {"OPERATOR", "Operator"},
	      {"IN-ARREARS", "InArrears"},
	      {"ACCESS-KEYS", "AccessKeys.AccessKey.AccessKeyId"}},
     .help = "list accounts", .example = "openvpc account list"},
    {.group = "account", .verb = "set-arrears", .version = O, .action = "SetAccountArrears",
     .pos = "AccountId", .metavar = "ACCOUNT_ID", .flags = CLI_POS_REQUIRED,
     .params = "InArrears", .help = "mark an account in arrears (true) or settled (false)",
     .example = "openvpc account set-arrears 1002 --in-arrears true"},
    {.group = "key", .verb = "create", .version = O, .action = "CreateAccessKey",
     .pos = "AccountId", .metavar = "ACCOUNT_ID", .flags = CLI_POS_REQUIRED | CLI_SAVES_KEYS,
     .out = CLI_OUT_FIELDS, .params = "AccountId",
     .help = "create another AccessKey pair for an account",
     .example = "openvpc key create 1002 --save-profile demo2"},
    {.group = "key", .verb = "delete", .version = O, .action = "DeleteAccessKey",
     .pos = "AccessKeyId", .metavar = "ACCESS_KEY_ID", .flags = CLI_POS_REQUIRED, .params = "",
     .help = "delete an AccessKey pair", .example = "openvpc key delete LTAI..."},
    {.group = "key", .verb = "disable", .version = O, .action = "UpdateAccessKey",
     .pos = "AccessKeyId", .metavar = "ACCESS_KEY_ID", .flags = CLI_POS_REQUIRED,
     .fixed = "Status=Inactive", .params = "", .help = "make an AccessKey pair inactive",
     .example = "openvpc key disable LTAI..."},
    {.group = "key", .verb = "enable", .version = O, .action = "UpdateAccessKey",
     .pos = "AccessKeyId", .metavar = "ACCESS_KEY_ID", .flags = CLI_POS_REQUIRED,
     .fixed = "Status=Active", .params = "", .help = "make an AccessKey pair active again",
     .example = "openvpc key enable LTAI..."},
    {.group = "quota", .verb = "list", .version = O, .action = "DescribeQuotas",
     .pos = "AccountId", .metavar = "[ACCOUNT_ID]", .out = CLI_OUT_TABLE, .list = "Quotas.Quota",
     .params = "AccountId",
     .cols = {{"QUOTA", "QuotaName"}, {"VALUE", "Value"}, {"DEFAULT", "Default"}},
     .help = "list the quotas of your account (or, as operator, of another)",
     .example = "openvpc quota list 1002"},
    {.group = "quota", .verb = "set", .version = O, .action = "SetQuota", .pos = "AccountId",
     .metavar = "ACCOUNT_ID", .flags = CLI_POS_REQUIRED, .params = "AccountId QuotaName Value",
     .help = "set one quota of an account (-1 restores the default)",
     .example = "openvpc quota set 1002 --quota-name vpc --value 20"},

    /* clock, rdns, traffic (operator) */
    {.group = "clock", .verb = "show", .version = O, .action = "DescribeClock",
     .out = CLI_OUT_FIELDS, .params = "", .help = "show the daemon's clock and its offset",
     .example = "openvpc clock show"},
    {.group = "clock", .verb = "advance", .version = O, .action = "SetClock", .pos = "Advance",
     .metavar = "SECONDS", .out = CLI_OUT_FIELDS, .params = "Advance Offset",
     .help = "move the test clock forward (or set --offset); needs openvpcd --test-clock",
     .example = "openvpc clock advance 3600"},
    {.group = "rdns", .verb = "set", .version = O, .action = "SetReverseDns",
     .pos = "IpAddress", .metavar = "IP", .flags = CLI_POS_REQUIRED, .params = "DomainName",
     .help = "set (or with no --domain-name clear) the reverse DNS name of a public address",
     .example = "openvpc rdns set 198.18.0.7 --domain-name www.example.com"},
    {.group = "rdns", .verb = "list", .version = O, .action = "DescribeReverseDns",
     .out = CLI_OUT_TABLE, .list = "ReverseDnsEntries.ReverseDnsEntry", .params = "",
     .cols = {{"IP", "IpAddress"}, {"NAME", "DomainName"}, {"INSTANCE", "InstanceId"}},
     .help = "list reverse DNS names", .example = "openvpc rdns list"},
    {.group = "traffic", .verb = "export", .version = O, .action = "ExportPublicTraffic",
     .out = CLI_OUT_FIELDS, .params = NULL,
     .help = "export the public traffic records (use --json for the records themselves)",
     .example = "openvpc traffic export --json"},
};
const size_t cli_n_cmds = sizeof(cli_cmds) / sizeof(cli_cmds[0]);

const struct cli_cmd *cli_cmd_find(const char *group, const char *verb)
{
	for (size_t i = 0; i < cli_n_cmds; i++)
		if (strcmp(cli_cmds[i].group, group) == 0 && strcmp(cli_cmds[i].verb, verb) == 0)
			return &cli_cmds[i];
	return NULL;
}

const struct cli_group *cli_group_find(const char *name)
{
	for (size_t i = 0; i < cli_n_groups; i++)
		if (strcmp(cli_groups[i].name, name) == 0)
			return &cli_groups[i];
	return NULL;
}
