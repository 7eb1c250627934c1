/*
 * ctl: the control socket of openvpc-bgpd.  A client connects to a unix
 * stream socket, sends one command line, and reads one JSON document (then
 * the server closes).  Commands:
 *
 *   summary                               counts, memory, uptime
 *   neighbors                             sessions, negotiated capabilities, counters
 *   routes [best|received|accepted|advertised] [NEIGHBOR]
 *   networks                              what we announce
 *   network add|del PREFIX
 *   refresh NEIGHBOR                      send ROUTE-REFRESH
 *   reset NEIGHBOR                        Cease/4 and restart (also after a limit teardown)
 *
 * Errors are {"error": "..."}.
 */
#ifndef OPENVPC_BGP_CTL_H
#define OPENVPC_BGP_CTL_H

#include "bgp/speaker.h"

struct bgp_ctl;

/* Listens on path (an existing socket file is replaced).  NULL on failure. */
struct bgp_ctl *bgp_ctl_create(struct event_base *base, struct bgp_speaker *sp, const char *path);
/* Closes the socket and removes the file (accepts NULL). */
void bgp_ctl_destroy(struct bgp_ctl *ctl);

/* Runs one command; returns the JSON reply (owned by the caller: free()). */
char *bgp_ctl_command(struct bgp_speaker *sp, const char *line);

#endif
