-- 0005_resumenes: the garantes' weekly digest (server/resumenes.c).
--
-- One row per (garante, week): semana is the local date, in the daemon's
-- resumen_zona_horaria, of the ISO week's Monday. The pass inserts the
-- row with ON CONFLICT ON CONSTRAINT resumenes_unico DO NOTHING before it
-- queues the email, in the same transaction, and stores the email's
-- outbox id in it; so a garante gets at most one digest a week, even
-- with several pald on one database or after a restart, and an email
-- commits only with its row.
--
-- 0001 laid the table out already (that schema anticipated the digest):
-- the definition is repeated here, with IF NOT EXISTS, as the statement
-- of what the pass relies on; on every database 0001 made it is a no-op.
CREATE TABLE IF NOT EXISTS resumenes (
	id bigserial PRIMARY KEY,
	usuario_id bigint NOT NULL REFERENCES usuarios (id) ON DELETE CASCADE,
	semana date NOT NULL CHECK (extract(isodow FROM semana) = 1),
	outbox_id bigint REFERENCES outbox (id) ON DELETE SET NULL,
	creado timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT resumenes_unico UNIQUE (usuario_id, semana)
);
CREATE INDEX IF NOT EXISTS resumenes_outbox ON resumenes (outbox_id);

-- Every minute each pald asks "is the moment here, and is any active
-- garante without this week's digest?": the garantes from this index,
-- each looked up in resumenes_unico.
CREATE INDEX usuarios_garantes_activos ON usuarios (id)
    WHERE rol = 'garante' AND activo;
