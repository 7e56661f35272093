/* dircache.c - the ACME directory of each server kept between runs: read
 * back as untrusted input, used for DIRCACHE_MAX_AGE_S, replaced when the
 * CA is asked again (too old, unusable, or a URL in it moved). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ari.h"
#include "dircache.h"
#include "err.h"
#include "fileio.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* A directory's resources: every URL acmectl sends a request to. */
static const char *const resources[] = {
	"newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo",
};

/* The length of url's "host[:port]" after "https://"; 0 when url is not
 * https or has userinfo. */
static size_t https_authority(const char *url)
{
	size_t n;

	if (strncasecmp(url, "https://", 8) != 0)
		return 0;
	n = strcspn(url + 8, "/?#");
	if (memchr(url + 8, '@', n) != NULL)
		return 0;
	return n;
}

/* True when url is an https URL of the host and port of server_url. */
static bool same_origin(const char *url, const char *server_url)
{
	size_t n = https_authority(url);

	return n > 0 && n == https_authority(server_url) &&
	    strncasecmp(url + 8, server_url + 8, n) == 0;
}

json_t *dircache_parse(const char *text, size_t len, const char *server_url, time_t now,
    const char **why)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *dir = NULL, *v;
	const char *url, *fetched;
	time_t at;

	*why = NULL;
	url = json_string_value(json_object_get(doc, "url"));
	fetched = json_string_value(json_object_get(doc, "fetched"));
	dir = json_object_get(doc, "directory");
	if (!json_is_object(doc) || url == NULL || fetched == NULL || !json_is_object(dir))
		*why = "not a kept directory";
	else if (strcmp(url, server_url) != 0)
		*why = "kept for another server URL";
	else if (ari_parse_time(fetched, &at) != 0 || at > now)
		*why = "no usable fetch time";
	else if (now - at >= DIRCACHE_MAX_AGE_S)
		*why = "fetched a day ago or more";
	for (size_t i = 0; *why == NULL && i < nitems(resources); i++) {
		if ((v = json_object_get(dir, resources[i])) == NULL)
			continue;
		if (!json_is_string(v) || !same_origin(json_string_value(v), server_url))
			*why = "a resource that is not an https URL of the server's host";
	}
	dir = *why == NULL ? json_incref(dir) : NULL;
	json_decref(doc);
	return dir;
}

/* The kept directory of server when usable (new reference), else NULL,
 * saying why at -v unless there is none. */
static json_t *read_kept(const char *path, const char *server)
{
	const char *why;
	json_t *dir = NULL;
	char *text;
	size_t len;

	if ((text = file_read(path, DIRCACHE_MAX_BYTES, ERR_STORAGE, &len)) == NULL) {
		if (errno != ENOENT)
			logmsg(LOG_VERBOSE, "not using the kept directory: %s", err_message());
		err_clear();
		return NULL;
	}
	if ((dir = dircache_parse(text, len, server, time(NULL), &why)) == NULL)
		logmsg(LOG_VERBOSE, "not using the kept directory %s: %s", path, why);
	free(text);
	return dir;
}

/* acme_directory_cb: keeps doc, just fetched from url, at path (arg),
 * when url's account directory exists and doc would be used again. A
 * failure only costs the next run a round trip: logged at -v. */
static void keep(void *arg, const char *url, json_t *doc)
{
	const char *path = arg, *why;
	char when[32], *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	json_t *kept = json_pack("{s:s,s:s,s:O}", "url", url, "fetched",
	    ari_format_time(time(NULL), when, sizeof(when)), "directory", doc);
	char *text = json_dumps(kept, JSON_COMPACT);
	json_t *check = NULL;
	struct stat st;

	if (text == NULL || lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		goto out;
	if ((check = dircache_parse(text, strlen(text), url, time(NULL), &why)) == NULL) {
		logmsg(LOG_VERBOSE, "not keeping the directory of %s: %s", url, why);
		goto out;
	}
	if (store_write_json(path, kept, 0644) != 0) {
		logmsg(LOG_VERBOSE, "not keeping the directory of %s: %s", url, err_message());
		err_clear();
	}
out:
	json_decref(check);
	json_decref(kept);
	free(text);
	free(dir);
}

int dircache_load(struct acme *a, const char *state, const char *server)
{
	char *path = store_directory_path(state, server);
	const char *why;
	json_t *dir;
	int rc;

	if (path == NULL)
		return -1;
	if ((dir = read_kept(path, server)) != NULL) {
		rc = acme_use_directory(a, dir, &why);
		json_decref(dir);
		if (rc == 0) {
			logmsg(LOG_DEBUG, "using the directory kept in %s", path);
			acme_on_directory(a, keep, path, free);
			return 0;
		}
		logmsg(LOG_VERBOSE, "not using the kept directory %s: %s", path, why);
	}
	acme_on_directory(a, keep, path, free);
	return acme_load_directory(a);
}
