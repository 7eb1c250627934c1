/*
 * bgpctl.c: openvpc-bgpctl, a small client of the openvpc-bgpd control
 * socket.  Sends its arguments as one command line and prints the JSON reply.
 *
 *   openvpc-bgpctl [-s SOCKET] neighbors
 *   openvpc-bgpctl [-s SOCKET] routes [best|received|accepted|advertised] [NEIGHBOR]
 *   openvpc-bgpctl [-s SOCKET] summary | networks | network add|del PREFIX
 *   openvpc-bgpctl [-s SOCKET] refresh|reset NEIGHBOR
 *
 * Exit status: 0 on a reply without "error", 1 otherwise.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = "/run/openvpc-bgpd.sock";
	char cmd[512] = "";
	struct sockaddr_un sun;
	char buf[65536];
	size_t used = 0;
	int i = 1, fd;
	ssize_t r;
	int rc = 0;
	bool first = true;

	if (i + 1 < argc && !strcmp(argv[i], "-s")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: openvpc-bgpctl [-s SOCKET] neighbors|routes "
				"[received|accepted|advertised] [NEIGHBOR]|summary|...\n");
		return 2;
	}
	for (; i < argc; i++) {
		size_t l = strlen(cmd);

		snprintf(cmd + l, sizeof(cmd) - l, "%s%s", l ? " " : "", argv[i]);
	}
	strncat(cmd, "\n", sizeof(cmd) - strlen(cmd) - 1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror(path);
		return 1;
	}
	if (write(fd, cmd, strlen(cmd)) < 0) {
		perror("write");
		return 1;
	}
	/* Print as it arrives; remember the start to look for an error reply. */
	while ((r = read(fd, buf + (first ? used : 0), sizeof(buf) - (first ? used : 0) - 1)) > 0) {
		fwrite(buf + (first ? used : 0), 1, (size_t)r, stdout);
		if (first) {
			used += (size_t)r;
			buf[used] = 0;
			if (strstr(buf, "\"error\"") && used < 200)
				rc = 1;
			if (used > 256)
				first = false;
		}
	}
	close(fd);
	return rc;
}
