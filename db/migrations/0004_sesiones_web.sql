-- 0004_sesiones_web: sessions of the garante's web dashboard
-- (server/web_monitoreo.c). A browser never holds an API token: logging
-- in with one (or opening a personal link of proposito 'monitoreo')
-- creates a session, and the browser keeps only that session's own
-- random token in a cookie. As with every other secret, only its
-- SHA-256 is stored. A session ends when it expires (12 hours after it
-- was created), when its user logs out, or when the user is deactivated
-- (the look-up joins usuarios and checks activo).

CREATE TABLE sesiones_web (
	id bigserial PRIMARY KEY,
	hash char(64) NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
	usuario_id bigint NOT NULL REFERENCES usuarios (id) ON DELETE CASCADE,
	creada timestamptz NOT NULL DEFAULT now(),
	expira timestamptz NOT NULL CHECK (expira > creada),
	ultimo_uso timestamptz
);
CREATE INDEX sesiones_web_usuario ON sesiones_web (usuario_id);
-- Expired sessions are deleted as new ones are created.
CREATE INDEX sesiones_web_expira ON sesiones_web (expira);
