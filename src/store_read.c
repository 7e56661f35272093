/* store_read.c - reading a kept certificate's files: its record
 * (issuance.json), certificate and ARI state, as renew does for every
 * certificate of the state. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "err.h"
#include "fileio.h"
#include "store.h"
#include "util.h"

/* Nothing acmectl keeps is near this; it stops a mistaken path such as a
 * device from being read forever. */
#define READ_MAX ((size_t)64 * 1024 * 1024)

char *store_read_file(const char *path, size_t *lenp)
{
	return file_read(path, READ_MAX, ERR_STORAGE, lenp);
}

/* Reads file of certificate name in state whole through dirfd, a
 * descriptor of its directory, as store_read_file would. NULL with
 * ERR_STORAGE and errno (ENOENT: no such file). */
static char *read_at(int dirfd, const char *state, const char *name, const char *file,
    size_t *lenp)
{
	char *path = store_cert_file(state, name, file), *text;
	int saved;

	text = file_read_at(dirfd, file, path, READ_MAX, ERR_STORAGE, lenp);
	saved = errno;
	free(path);
	errno = saved;
	return text;
}

/* Parses the text of the issuance.json at path: a JSON object, or NULL
 * with ERR_STORAGE. */
static json_t *parse_issuance(const char *text, size_t len, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);

	if (doc == NULL) {
		err_set(ERR_STORAGE, "cannot parse %s: line %d: %s", path, jerr.line, jerr.text);
	} else if (!json_is_object(doc)) {
		err_set(ERR_STORAGE, "cannot parse %s: not a JSON object", path);
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/* Says that there is no certificate name (errno ENOENT). */
static void no_such_cert(const char *state, const char *name)
{
	err_set(ERR_STORAGE, "no certificate \"%s\" in %s/certs", name, state);
	errno = ENOENT;
}

json_t *store_load_issuance(const char *state, const char *name)
{
	char *path, *text;
	json_t *doc = NULL;
	size_t len;

	if (store_check_cert(state, name) == -1)
		return NULL;
	path = store_cert_file(state, name, STORE_ISSUANCE);
	if ((text = store_read_file(path, &len)) != NULL)
		doc = parse_issuance(text, len, path);
	else if (errno == ENOENT)
		no_such_cert(state, name);
	free(path);
	free(text);
	return doc;
}

int store_read_cert(const char *state, const char *name, struct store_cert_files *out)
{
	char *dir = store_cert_dir(state, name), *path, *text = NULL;
	size_t len;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	if (store_check_cert_name(name) == -1)
		goto out;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			no_such_cert(state, name);
		else
			err_set(ERR_STORAGE, "cannot read %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((text = read_at(fd, state, name, STORE_ISSUANCE, &len)) == NULL) {
		if (errno == ENOENT)
			no_such_cert(state, name);
		goto close;
	}
	path = store_cert_file(state, name, STORE_ISSUANCE);
	out->issuance = parse_issuance(text, len, path);
	free(path);
	if (out->issuance == NULL ||
	    (out->cert = read_at(fd, state, name, STORE_CERT, &len)) == NULL)
		goto close;
	/* no ARI state, or none that can be read, is the same: ask again */
	free(text);
	if ((text = read_at(fd, state, name, STORE_ARI, &len)) != NULL)
		out->ari = json_loadb(text, len, 0, NULL);
	err_clear();
	rc = 0;
close:
	close(fd);
out:
	free(dir);
	free(text);
	return rc;
}

void store_cert_files_clear(struct store_cert_files *f)
{
	json_decref(f->issuance);
	free(f->cert);
	json_decref(f->ari);
	memset(f, 0, sizeof(*f));
}
