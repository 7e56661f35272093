/* curl_route.c - the route the system's libcurl takes for each case of
 * gen_cases.py.
 *
 * Usage: LC_ALL=C.UTF-8 curl_route RESOLVE < CASES > RESULTS
 *
 * The environment is set from the case; libcurl reads it on every
 * transfer. Every host name of the cases is pinned to a loopback address
 * of its own with CURLOPT_RESOLVE (the lines of RESOLVE), and the
 * CURLOPT_OPENSOCKETFUNCTION callback records the address libcurl wants to
 * connect to and refuses the socket, so no packet is sent anywhere. Each
 * result line is "ID<TAB>dial ADDR:PORT" or "ID<TAB>error CODE TEXT".
 */
#include <arpa/inet.h>
#include <locale.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

static const char *const variables[] = { "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
	"http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD" };

/* The first address libcurl asked for: "ADDR:PORT" or "[ADDR]:PORT". */
struct dial {
	char addr[INET6_ADDRSTRLEN + 8];
};

static curl_socket_t refuse_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct dial *d = arg;
	char text[INET6_ADDRSTRLEN];
	const struct sockaddr_in *v4 = (const void *)&a->addr;
	const struct sockaddr_in6 *v6 = (const void *)&a->addr;

	if (purpose != CURLSOCKTYPE_IPCXN || d->addr[0] != '\0')
		return CURL_SOCKET_BAD;
	if (a->family == AF_INET && inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text)))
		snprintf(d->addr, sizeof(d->addr), "%s:%u", text, ntohs(v4->sin_port));
	else if (a->family == AF_INET6 && inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text)))
		snprintf(d->addr, sizeof(d->addr), "[%s]:%u", text, ntohs(v6->sin6_port));
	else
		snprintf(d->addr, sizeof(d->addr), "family-%d", a->family);
	return CURL_SOCKET_BAD;
}

static struct curl_slist *read_resolve(const char *path)
{
	struct curl_slist *list = NULL;
	char line[512];
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			list = curl_slist_append(list, line);
	}
	fclose(f);
	return list;
}

static void set_env(char *fields)
{
	char *field, *eq, *save = NULL;

	for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
		unsetenv(variables[i]);
	for (field = strtok_r(fields, "\t", &save); field != NULL;
	    field = strtok_r(NULL, "\t", &save))
		if ((eq = strchr(field, '=')) != NULL) {
			*eq = '\0';
			setenv(field, eq + 1, 1);
		}
}

static void route(const char *id, const char *url, const struct curl_slist *resolve)
{
	struct dial d = { "" };
	CURL *h = curl_easy_init();
	CURLcode rc;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, refuse_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &d);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	rc = curl_easy_perform(h);
	if (d.addr[0] != '\0')
		printf("%s\tdial %s\n", id, d.addr);
	else
		printf("%s\terror %d %s\n", id, (int)rc, curl_easy_strerror(rc));
	curl_easy_cleanup(h);
}

int main(int argc, char **argv)
{
	struct curl_slist *resolve;
	char *line = NULL, *id, *url, *rest;
	size_t cap = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: curl_route RESOLVE < CASES\n");
		return 2;
	}
	/* libcurl converts Unicode host names to IDNA (libidn2) from the
	 * locale's character set, as the curl tool does after setlocale(). */
	setlocale(LC_ALL, "");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	resolve = read_resolve(argv[1]);
	while (getline(&line, &cap, stdin) != -1) {
		line[strcspn(line, "\n")] = '\0';
		id = line;
		if ((url = strchr(id, '\t')) == NULL)
			continue;
		*url++ = '\0';
		rest = url + strcspn(url, "\t");
		if (*rest != '\0')
			*rest++ = '\0';
		set_env(rest);
		route(id, url, resolve);
	}
	free(line);
	curl_slist_free_all(resolve);
	curl_global_cleanup();
	return 0;
}
