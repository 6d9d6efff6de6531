// SPDX-License-Identifier: LGPL-2.1-or-later
/* Drives the lookup hooks (getaddrinfo, freeaddrinfo, gethostbyname*, getnameinfo) and prints what the program saw. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "calls.h"

static void gai_say(const char *label, int ret, int err)
{
	/* errno only means something with EAI_SYSTEM. */
	printf("%s ret=%d eai=%s errno=%s\n", label, ret,
	       ret ? gai_strerror(ret) : "0",
	       ret == EAI_SYSTEM ? ename(err) : "-");
	fflush(stdout);
}

static void he_say(const char *label, struct hostent *he)
{
	char ip[INET6_ADDRSTRLEN] = "";
	int err = errno;

	if (he && he->h_addr_list[0])
		inet_ntop(he->h_addrtype, he->h_addr_list[0], ip, sizeof(ip));
	printf("%s he=%s first=%s h_errno=%d errno=%s\n", label,
	       he ? "yes" : "NULL", ip, he ? 0 : h_errno, ename(err));
	fflush(stdout);
}

static void basic(void)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST }, *res = NULL;
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(80) };
	char host[64] = "", serv[32] = "";
	int ret;

	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = SENTINEL;
	ret = getaddrinfo("127.0.0.1", "80", &hints, &res);
	gai_say("getaddrinfo-numeric", ret, errno);
	errno = SENTINEL;
	freeaddrinfo(res);
	say("freeaddrinfo", 0, errno);
	errno = SENTINEL;
	ret = getaddrinfo("nonexistent.invalid", "80", NULL, &res);
	gai_say("getaddrinfo-invalid", ret, errno);
	errno = SENTINEL;
	ret = getaddrinfo("not-a-number", NULL, &hints, &res);
	gai_say("getaddrinfo-numeric-fail", ret, errno);

	h_errno = 0;
	errno = SENTINEL;
	he_say("gethostbyname-ok", gethostbyname("127.0.0.1"));
	h_errno = 0;
	errno = SENTINEL;
	he_say("gethostbyname-invalid", gethostbyname("nonexistent.invalid"));
	h_errno = 0;
	errno = SENTINEL;
	he_say("gethostbyname2-ok", gethostbyname2("::1", AF_INET6));
	h_errno = 0;
	errno = SENTINEL;
	he_say("gethostbyname2-invalid",
	       gethostbyname2("nonexistent.invalid", AF_INET6));

	errno = SENTINEL;
	ret = getnameinfo((void *)&a4, sizeof(a4), host, sizeof(host), serv,
			  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
	gai_say("getnameinfo-ok", ret, errno);
	printf("host %s serv %s\n", host, serv);
	errno = SENTINEL;
	ret = getnameinfo((void *)&a4, 1, host, sizeof(host), serv,
			  sizeof(serv), NI_NUMERICHOST);
	gai_say("getnameinfo-short", ret, errno);
}

/* getaddrinfo(NODE, SERVICE) with AF_INET6 hints: strange node strings
 * for the formatters, or a name with many addresses. */
static void lookup(const char *node, const char *service)
{
	struct addrinfo hints = { .ai_family = AF_INET6,
				  .ai_socktype = SOCK_STREAM }, *res = NULL;
	int ret, n = 0;

	errno = SENTINEL;
	ret = getaddrinfo(node, service, &hints, &res);
	gai_say("getaddrinfo", ret, errno);
	for (struct addrinfo *r = res; !ret && r; r = r->ai_next)
		n++;
	printf("results %d\n", n);
	if (!ret)
		freeaddrinfo(res);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "basic")) {
		basic();
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "lookup")) {
		lookup(argv[2], argv[3]);
		return 0;
	}
	fprintf(stderr, "usage: calls_dns basic | lookup NODE SERVICE\n");
	return 2;
}
