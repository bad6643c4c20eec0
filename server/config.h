/*
 * pald's configuration: `key = value` lines, one table in config.c that
 * names every key with its default, bounds, whether SIGHUP reloads it and a
 * line of documentation. deploy/pald.conf.example documents every key and
 * a unit test keeps the two in step.
 */
#ifndef PALD_CONFIG_H
#define PALD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

struct config {
	/* HTTP */
	char	*listen_address;
	int	 listen_port;		/* 0: any free port, see port_file */
	char	*port_file;		/* "" or a file that gets the port */
	char	*public_url;		/* base of personal links in emails */
	int	 http_max_body_bytes;	/* hard cap, evhttp refuses above */
	int	 http_max_json_bytes;	/* JSON bodies, 413 above */
	int	 http_max_headers_bytes;
	int	 http_timeout_s;
	int	 http_request_timeout_s;	/* whole request, first byte on */
	int	 http_request_min_rate;		/* bytes/s that earn a second */
	int	 material_max_bytes;	/* uploads, 413 above */
	/* PostgreSQL */
	char	*database;		/* libpq conninfo */
	int	 db_workers;
	int	 db_queue_max;
	int	 db_connect_timeout_s;
	int	 db_retry_max_ms;	/* reconnect backoff ceiling */
	/* Mail */
	char	*smtp_url;		/* smtp://host:port or smtps:// */
	bool	 smtp_require_tls;	/* STARTTLS required on smtp:// */
	char	*smtp_user;
	char	*smtp_password;
	int	 smtp_timeout_s;
	char	*mail_from;
	char	*mail_from_name;
	int	 mail_threads;		/* 0 disables delivery */
	int	 mail_poll_ms;		/* reloadable */
	int	 mail_batch;
	int	 mail_lease_s;
	int	 mail_retry_base_s;
	int	 mail_retry_max_s;
	int	 mail_max_attempts;
	/* Reminders (DESIGN.md section 3); all reloadable but the period */
	char	*recordatorio_dias_antes;	/* "30,7,1,0" */
	int	 recordatorio_vencida_cada;
	int	 recordatorio_copia_facilitador;
	int	 recordatorio_copia_garante;
	char	*recordatorio_hora;		/* "09:00", local */
	int	 recordatorio_acuse_cada;
	int	 recordatorio_periodo_s;
	/* The garantes' weekly digest; all reloadable */
	int	 resumen_dia;			/* ISO weekday, 1 = lunes */
	char	*resumen_hora;			/* "08:00", local */
	char	*resumen_zona_horaria;		/* "America/Mexico_City" */
	/* Logging */
	char	*log_level;		/* reloadable */
};

/* Fills c with every default. */
void	config_init(struct config *c);
/* Frees every string of c. */
void	config_cleanup(struct config *c);
/*
 * Reads path on top of c (which holds defaults). On failure err->message
 * is "path:line: reason" and c may be partly written: parse into a
 * scratch struct when the old values must survive (SIGHUP).
 */
bool	config_load(struct config *c, const char *path, struct error *err);
/* Parses one "key = value" assignment; used by config_load and tests. */
bool	config_set(struct config *c, const char *key, const char *value,
	    struct error *err);
/* Copies the reloadable keys of src into dst. */
void	config_reload_into(struct config *dst, const struct config *src);
/* Writes every key with its value and doc, as the example file does. */
void	config_dump(const struct config *c, FILE *out);
/* Iterates over the table: name and doc of entry i, false past the end. */
bool	config_key_at(int i, const char **name, const char **doc);

/* The configuration in force; set once by main, before any thread. */
extern struct config *config_live;

#endif
