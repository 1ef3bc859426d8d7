// SPDX-License-Identifier: GPL-2.0-only
/*
 * macflood IFACE COUNT: writes COUNT broadcast Ethernet frames to IFACE,
 * each from another source MAC (02:ff:xx:xx:xx:xx, counting up), as a
 * guest forging sources would.  For the forwarding database's learning
 * limit; Python would take minutes for 100 000 frames under emulation.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	unsigned char frame[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0xff, 0, 0, 0, 0,			/* forged source */
		0x88, 0xb5,				/* local experimental */
	};
	unsigned long i, count;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: macflood IFACE COUNT\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 0);
	to.sll_ifindex = if_nametoindex(argv[1]);
	fd = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
	if (!to.sll_ifindex || fd < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(to.sll_addr, 0xff, 6);
	for (i = 0; i < count; i++) {
		frame[8] = (i >> 24) & 0xff;
		frame[9] = (i >> 16) & 0xff;
		frame[10] = (i >> 8) & 0xff;
		frame[11] = i & 0xff;
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			perror("sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
