/*
 * Unit tests of cli/render: cells found by path in response bodies shaped
 * like the SDK models (list wrappers, nested objects, arrays of objects),
 * aligned tables with UTF-8 text, and "Field: value" blocks.  The sample
 * bodies copy shared/reference/alibaba-api.md section 5.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cli/render.h"

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	cr_assert_not_null(j, "bad sample JSON: %s", e.text);
	return j;
}

static void expect_cell(const json_t *v, const char *path, const char *want)
{
	char *got = cli_cell(v, path);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want, "path %s", path);
	free(got);
}

static const char vpcs[] =
    "{\"RequestId\":\"R\",\"TotalCount\":2,\"PageNumber\":1,\"PageSize\":10,"
    "\"Vpcs\":{\"Vpc\":["
    "{\"VpcId\":\"vpc-1\",\"VpcName\":\"web\",\"CidrBlock\":\"10.0.0.0/16\","
    "\"Status\":\"Available\",\"IsDefault\":false,\"OwnerId\":1234567890123,"
    "\"VSwitchIds\":{\"VSwitchId\":[\"vsw-a\",\"vsw-b\"]},"
    "\"Tags\":{\"Tag\":[{\"Key\":\"env\",\"Value\":\"prod\"}]}},"
    "{\"VpcId\":\"vpc-22222\",\"VpcName\":\"d\\u00e9v\",\"CidrBlock\":\"172.16.0.0/12\","
    "\"Status\":\"Pending\",\"IsDefault\":true,\"OwnerId\":7,"
    "\"VSwitchIds\":{\"VSwitchId\":[]},\"Tags\":{\"Tag\":[]}}]}}";

Test(render, cells)
{
	json_t *b = load(vpcs);
	json_t *v = json_array_get(cli_list_at(b, "Vpcs.Vpc"), 0);
	cr_assert_not_null(v);
	expect_cell(v, "VpcId", "vpc-1");
	expect_cell(v, "IsDefault", "false");
	expect_cell(v, "OwnerId", "1234567890123");
	/* A list wrapper is looked through and joined. */
	expect_cell(v, "VSwitchIds", "vsw-a,vsw-b");
	expect_cell(v, "VSwitchIds.VSwitchId", "vsw-a,vsw-b");
	expect_cell(v, "Tags", "env=prod");
	expect_cell(v, "Missing", "");
	expect_cell(v, "Missing|VpcName", "web");
	expect_cell(v, "VpcName|VpcId", "web");
	/* Across the list: every item's value. */
	expect_cell(b, "Vpcs.Vpc.VpcId", "vpc-1,vpc-22222");
	expect_cell(b, "Vpcs.VpcId", "vpc-1,vpc-22222");
	json_decref(b);
}

Test(render, nested_objects_and_arrays_of_objects)
{
	json_t *i =
	    load("{\"InstanceId\":\"i-1\",\"PublicIpAddress\":{\"IpAddress\":[]},"
		 "\"EipAddress\":{\"IpAddress\":\"198.18.0.9\",\"AllocationId\":\"eip-1\"},"
		 "\"VpcAttributes\":{\"VpcId\":\"vpc-1\",\"VSwitchId\":\"vsw-1\","
		 "\"PrivateIpAddress\":{\"IpAddress\":[\"10.0.0.5\"]}},"
		 "\"NetworkInterfaces\":{\"NetworkInterface\":["
		 "{\"NetworkInterfaceId\":\"eni-1\",\"Ipv6Sets\":{\"Ipv6Set\":[{\"Ipv6Address\":"
		 "\"2001:db8::1\"}]}},"
		 "{\"NetworkInterfaceId\":\"eni-2\",\"Ipv6Sets\":{\"Ipv6Set\":[]}}]},"
		 "\"Ratio\":0.5,\"Nothing\":null,"
		 "\"RouteTable\":{\"RouteTableId\":\"vtb-1\",\"RouteTableType\":\"System\"}}");
	expect_cell(i, "VpcAttributes.PrivateIpAddress", "10.0.0.5");
	expect_cell(i, "PublicIpAddress|EipAddress.IpAddress", "198.18.0.9");
	expect_cell(i, "NetworkInterfaces.NetworkInterface.NetworkInterfaceId", "eni-1,eni-2");
	expect_cell(i, "NetworkInterfaces.NetworkInterface.Ipv6Sets.Ipv6Set.Ipv6Address",
		    "2001:db8::1");
	expect_cell(i, "Ratio", "0.5");
	expect_cell(i, "Nothing", "");
	expect_cell(i, "RouteTable", "RouteTableId=vtb-1,RouteTableType=System");
	/* ECS tags are TagKey/TagValue. */
	json_t *t = load("{\"Tags\":{\"Tag\":[{\"TagKey\":\"a\",\"TagValue\":\"1\"},"
			 "{\"TagKey\":\"b\",\"TagValue\":\"\"}]}}");
	expect_cell(t, "Tags", "a=1,b=");
	json_decref(t);
	json_decref(i);
}

/* Renders into a string. */
static char *capture_table(const json_t *items, const struct cli_column *cols, int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_eq(cli_render_table(m, items, cols, indent), 0);
	fclose(m);
	return buf;
}

Test(render, table)
{
	json_t *b = load(vpcs);
	static const struct cli_column cols[] = {
	    {"ID", "VpcId"},	      {"NAME", "VpcName"},
	    {"CIDR", "CidrBlock"},    {"VSWITCHES", "VSwitchIds"},
	    {"DEFAULT", "IsDefault"}, {NULL, NULL}};
	char *got = capture_table(cli_list_at(b, "Vpcs.Vpc"), cols, 0);
	/* "dév" is 3 characters wide though 4 bytes long. */
	cr_expect_str_eq(got, "ID         NAME  CIDR           VSWITCHES    DEFAULT\n"
			      "vpc-1      web   10.0.0.0/16    vsw-a,vsw-b  false\n"
			      "vpc-22222  d\xc3\xa9v   172.16.0.0/12               true\n");
	free(got);
	json_decref(b);
}

Test(render, no_trailing_blanks)
{
	json_t *items =
	    load("[{\"A\":\"x\",\"B\":\"\",\"C\":\"\"},{\"A\":\"longer\",\"B\":\"b\",\"C\":\"\"}]");
	static const struct cli_column cols[] = {{"A", "A"}, {"B", "B"}, {"C", "C"}, {NULL, NULL}};
	char *got = capture_table(items, cols, 0);
	cr_expect_str_eq(got, "A       B  C\n"
			      "x\n"
			      "longer  b\n");
	free(got);
	json_decref(items);
}

Test(render, empty_table_is_the_header)
{
	json_t *empty = json_array();
	static const struct cli_column cols[] = {
	    {"ID", "VpcId"}, {"NAME", "VpcName"}, {NULL, NULL}};
	char *got = capture_table(empty, cols, 2);
	cr_expect_str_eq(got, "  ID  NAME\n");
	free(got);
	json_decref(empty);
}

Test(render, cells_stay_on_one_line)
{
	json_t *items = load("[{\"Description\":\"two\\nlines\\tand a tab\"}]");
	static const struct cli_column cols[] = {{"DESCRIPTION", "Description"}, {NULL, NULL}};
	char *got = capture_table(items, cols, 0);
	cr_expect_str_eq(got, "DESCRIPTION\ntwo lines and a tab\n");
	free(got);
	json_decref(items);
}

Test(render, show)
{
	json_t *b =
	    load("{\"RequestId\":\"R\",\"VpcId\":\"vpc-1\",\"Description\":\"\","
		 "\"VSwitchIds\":{\"VSwitchId\":[\"vsw-a\",\"vsw-b\"]},"
		 "\"Tags\":{\"Tag\":[{\"Key\":\"env\",\"Value\":\"prod\"}]},"
		 "\"RouteTable\":{\"RouteTableId\":\"vtb-1\",\"RouteTableType\":\"System\"},"
		 "\"CloudResources\":{\"CloudResourceSetType\":["
		 "{\"ResourceType\":\"VSwitch\",\"ResourceCount\":2}]}}");
	static const char *const skip[] = {"RequestId", NULL};
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_eq(cli_render_show(m, b, skip), 0);
	fclose(m);
	/* Values line up after the longest name; an empty value leaves the
	 * line without trailing blanks. */
	cr_expect_str_eq(buf, "VpcId:                          vpc-1\n"
			      "Description:\n"
			      "VSwitchIds:                     vsw-a,vsw-b\n"
			      "Tags:                           env=prod\n"
			      "RouteTable.RouteTableId:        vtb-1\n"
			      "RouteTable.RouteTableType:      System\n"
			      "CloudResources.1.ResourceType:  VSwitch\n"
			      "CloudResources.1.ResourceCount: 2\n");
	free(buf);
	json_decref(b);
}

Test(render, list_at)
{
	json_t *b = load(vpcs);
	cr_expect_eq(json_array_size(cli_list_at(b, "Vpcs.Vpc")), 2);
	cr_expect_null(cli_list_at(b, "Vpcs"));
	cr_expect_null(cli_list_at(b, "Nope.Vpc"));
	cr_expect_null(cli_list_at(b, "TotalCount"));
	json_decref(b);
}

Test(render, utf8_width)
{
	cr_expect_eq(cli_utf8_width(""), 0);
	cr_expect_eq(cli_utf8_width("abc"), 3);
	cr_expect_eq(cli_utf8_width("d\xc3\xa9v"), 3);
	cr_expect_eq(cli_utf8_width("\xe6\x9d\xad\xe5\xb7\x9e"), 2);
}
