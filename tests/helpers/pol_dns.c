// SPDX-License-Identifier: LGPL-2.1-or-later
/* Name lookups for the policy tests, results printed one per line. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: pol_dns gai NODE unspec|inet|inet6|null [v4mapped]\n"
		"       pol_dns ghbn NAME\n"
		"       pol_dns ghbn2 NAME inet|inet6\n");
	exit(2);
}

static int family_arg(const char *s)
{
	if (strcmp(s, "unspec") == 0)
		return AF_UNSPEC;
	if (strcmp(s, "inet") == 0)
		return AF_INET;
	if (strcmp(s, "inet6") == 0)
		return AF_INET6;
	usage();
	return -1;
}

static const char *herr_name(int e)
{
	switch (e) {
	case HOST_NOT_FOUND:
		return "HOST_NOT_FOUND";
	case TRY_AGAIN:
		return "TRY_AGAIN";
	case NO_RECOVERY:
		return "NO_RECOVERY";
	case NO_DATA:
		return "NO_DATA";
	default:
		return "?";
	}
}

/* The address part of an AF_INET or AF_INET6 sockaddr. */
static const void *in_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return &((const struct sockaddr_in6 *)sa)->sin6_addr;
	return &((const struct sockaddr_in *)sa)->sin_addr;
}

static int gai(const char *node, const char *fam, const char *flag)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[INET6_ADDRSTRLEN];
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (flag && strcmp(flag, "v4mapped") == 0)
		hints.ai_flags = AI_V4MAPPED;
	else if (flag)
		usage();
	if (strcmp(fam, "null") == 0) {
		ret = getaddrinfo(node, "80", NULL, &res);
	} else {
		hints.ai_family = family_arg(fam);
		ret = getaddrinfo(node, "80", &hints, &res);
	}
	printf("gai=%d%s%s\n", ret, ret ? " " : "",
	       ret ? gai_strerror(ret) : "");
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = in_addr(ai->ai_addr);

		/* Every entry: NULL hints give one per socket type. */
		if (!inet_ntop(ai->ai_family, a, host, sizeof(host)))
			continue;
		printf("%s %s\n",
		       ai->ai_family == AF_INET6 ? "AF_INET6" : "AF_INET",
		       host);
	}
	if (res)
		freeaddrinfo(res);
	return ret ? 1 : 0;
}

static int ghbn(const char *name, const char *fam)
{
	struct hostent *he;
	char host[INET6_ADDRSTRLEN];

	h_errno = 0;
	he = fam ? gethostbyname2(name, family_arg(fam)) : gethostbyname(name);
	if (!he) {
		printf("%s=fail h_errno=%s\n", fam ? "ghbn2" : "ghbn",
		       herr_name(h_errno));
		return 1;
	}
	printf("%s=ok\n", fam ? "ghbn2" : "ghbn");
	for (char **p = he->h_addr_list; *p; p++)
		if (inet_ntop(he->h_addrtype, *p, host, sizeof(host)))
			printf("%s %s\n",
			       he->h_addrtype == AF_INET6 ? "AF_INET6"
							  : "AF_INET",
			       host);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "gai") == 0)
		return gai(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 3 && strcmp(argv[1], "ghbn") == 0)
		return ghbn(argv[2], NULL);
	if (argc == 4 && strcmp(argv[1], "ghbn2") == 0)
		return ghbn(argv[2], argv[3]);
	usage();
	return 2;
}
