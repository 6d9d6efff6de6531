// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim export --format=otlp: each event an OpenTelemetry log record with
 * the semantic-convention attribute names (network.*, server.*, error.type)
 * and netshim's own under netshim.*, one OTLP/JSON request a line. */
#include "cli.h"
#include "export.h"
#include "jout.h"
#include "track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records per request line: consecutive events of one process. */
#define BATCH 512

static long long cur_pid = -1;
static unsigned nrec;

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void close_batch(void)
{
	if (cur_pid >= 0)
		printf("]}]}]}\n");
	cur_pid = -1;
	nrec = 0;
}

static void attr_str(bool *first, const char *key, const char *v)
{
	if (!v)
		return;
	printf("%s{\"key\": \"%s\", \"value\": {\"stringValue\": ",
	       *first ? "" : ", ", key);
	cli_jput(v);
	printf("}}");
	*first = false;
}

/* int64 as a string, as the protobuf JSON mapping of OTLP writes it. */
static void attr_int(bool *first, const char *key, long long v)
{
	printf("%s{\"key\": \"%s\", \"value\": {\"intValue\": \"%lld\"}}",
	       *first ? "" : ", ", key, v);
	*first = false;
}

/* A resource per process: service.name is the program (OpenTelemetry's
 * resource semantic conventions: process.pid, process.executable.name). */
static void open_batch(const struct cli_ev *ev)
{
	bool first = true;

	printf("{\"resourceLogs\": [{\"resource\": {\"attributes\": [");
	attr_str(&first, "service.name", ev->prog);
	attr_str(&first, "process.executable.name", ev->prog);
	attr_int(&first, "process.pid", ev->pid);
	printf("]}, \"scopeLogs\": [{\"scope\": {\"name\": \"netshim\", "
	       "\"version\": \"%s\"}, \"logRecords\": [", PACKAGE_VERSION);
	cur_pid = ev->pid;
}

static const char *transport(const struct cli_ev *ev)
{
	if (is(ev->family, "AF_UNIX"))
		return "unix";
	if (is(ev->proto, "IPPROTO_TCP") || is(ev->proto, "IPPROTO_MPTCP"))
		return "tcp";
	if (is(ev->proto, "IPPROTO_UDP") || is(ev->proto, "IPPROTO_UDPLITE"))
		return "udp";
	return NULL;
}

static void peer(bool *first, const struct cli_ev *ev)
{
	char host[72];
	const char *port;

	if (!ev->addr || !ev->addr[0] || ev->addr[0] == '/' ||
	    ev->addr[0] == '@' || !strncmp(ev->addr, "0x", 2))
		return;
	cli_addr_host(ev->addr, host, sizeof(host));
	attr_str(first, "network.peer.address", host);
	port = strrchr(ev->addr, ':');
	if (port && port[1] && strspn(port + 1, "0123456789") ==
	    strlen(port + 1) && (ev->addr[0] == '[' ? port[-1] == ']' : 1))
		attr_int(first, "network.peer.port", atoll(port + 1));
}

void cli_otlp_event(const struct cli_ev *ev)
{
	const char *fam = ev->family;
	bool first = true, bad = cli_export_failed(ev);
	const char *node, *service;

	if (ev->pid != cur_pid || nrec == BATCH)
		close_batch();
	if (cur_pid < 0)
		open_batch(ev);
	printf("%s{\"timeUnixNano\": \"%lld\", \"observedTimeUnixNano\": "
	       "\"%lld\", \"severityNumber\": %d, \"severityText\": \"%s\", "
	       "\"body\": {\"stringValue\": ", nrec ? ", " : "",
	       ev->t_us * 1000, ev->t_us * 1000, bad ? 17 : 9,
	       bad ? "ERROR" : "INFO");
	cli_jput(cli_export_line(ev));
	printf("}, \"attributes\": [");
	nrec++;
	if (!fam && is(ev->call, "socket"))
		fam = cli_json_str(ev->j, cli_json_get(ev->j, 0, "family"));
	if (is(fam, "AF_INET") || is(fam, "AF_INET6"))
		attr_str(&first, "network.type", is(fam, "AF_INET") ?
			 "ipv4" : "ipv6");
	attr_str(&first, "network.transport", transport(ev));
	if (is(ev->call, "connect") || is(ev->call, "sendto") ||
	    is(ev->call, "sendmsg") || is(ev->call, "accept") ||
	    is(ev->call, "accept4"))
		peer(&first, ev);
	node = cli_json_str(ev->j, cli_json_get(ev->j, 0, "node"));
	attr_str(&first, "server.address", node);
	service = cli_json_str(ev->j, cli_json_get(ev->j, 0, "service"));
	if (node && service && service[0] &&
	    strspn(service, "0123456789") == strlen(service))
		attr_int(&first, "server.port", atoll(service));
	if (bad)
		attr_str(&first, "error.type", ev->gai ? ev->gai : ev->err);
	attr_int(&first, "thread.id", ev->tid);
	attr_str(&first, "netshim.call", ev->call);
	attr_int(&first, "netshim.ret", ev->ret);
	attr_str(&first, "netshim.errno", ev->err);
	attr_str(&first, "netshim.error", ev->gai);
	if (ev->has_fd)
		attr_int(&first, "netshim.fd", ev->fd);
	attr_str(&first, "netshim.sock.family", ev->family);
	attr_str(&first, "netshim.sock.protocol", ev->proto);
	attr_str(&first, "netshim.addr", ev->addr);
	attr_int(&first, "netshim.dur_ns", ev->dur_ns);
	attr_str(&first, "netshim.policy", ev->policy);
	attr_str(&first, "netshim.injected", ev->injected);
	attr_str(&first, "netshim.trace.file", ev->file);
	attr_int(&first, "netshim.trace.line", (long long)ev->line);
	printf("]}");
}

void cli_otlp_end(void)
{
	close_batch();
}
