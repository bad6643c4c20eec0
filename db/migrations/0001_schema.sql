-- 0001_schema: the whole domain schema of pald (DESIGN.md sections 1, 3, 5;
-- issues 3, 4 and 5). pald's migrate.c runs this file inside one
-- transaction and records it in schema_migrations, so there is no
-- BEGIN/COMMIT here.
--
-- Conventions a newcomer should know before reading on:
--
--  * Identifiers are Spanish domain nouns, snake_case, without accents
--    (tamano, not tamaño). Every table has "id bigserial" as primary key.
--  * Instants are timestamptz; calendar dates are "date" and are always
--    the LOCAL date in the mesa's time zone (mesas.zona_horaria), because
--    every day count of the 10-day rule and of the reminders is a count of
--    local calendar days (DESIGN.md section 3).
--  * Every enum-like text column has a CHECK listing its values; the same
--    lists are in common/ and in the API documentation.
--  * "Missing" has exactly one representation: optional texts are NULL
--    when absent and, when present, non-blank (CHECK btrim(x) <> '').
--  * Hashes are lowercase hex SHA-256 in char(64).
--  * Child rows of a mesa carry mesa_id even when it could be reached
--    through a parent, and reference the parent through a composite
--    foreign key (mesa_id, parent_id). That makes it impossible to, say,
--    record the receipt of mesa A's material by mesa B's actor, and it
--    lets the hot queries (the gate, the timeline) filter on mesa_id alone.
--  * ON DELETE policy: deleting a mesa deletes everything of that mesa
--    (CASCADE along mesa_id). Inside a mesa, rows that are part of the
--    audit trail (receipts, conformities, events...) keep what they point
--    at alive: those foreign keys are NO ACTION, checked at the end of the
--    statement, so a mesa deletion that removes both sides still works
--    while deleting a single actor with history is refused. Users are
--    deactivated (usuarios.activo), never deleted once they did anything.
--  * Cross-row rules (a receipt date not before the material's submission
--    date, activity deadlines within the commitment's year, the gate) are
--    pure functions in common/ applied by the store code: pald reports
--    them as a list (pal pal validar), which a constraint could not do.
--    What the database enforces here is what must never be stored at all.


-- ---------------------------------------------------------------------
-- Foundation: users, their API tokens. (Exactly as the rest of the code
-- expects them; add indexes, never rename or drop columns.)
-- ---------------------------------------------------------------------

-- People with an account: admins, STL facilitators and organismo garante
-- staff. Actors and responsables need no account (they use personal links).
-- A garante sees the mesas of its entidad (a state name, as in mesas).
CREATE TABLE usuarios (
	id bigserial PRIMARY KEY,
	nombre text NOT NULL CHECK (length(nombre) BETWEEN 1 AND 200),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	rol text NOT NULL CHECK (rol IN ('admin', 'facilitador', 'garante')),
	entidad text,
	activo boolean NOT NULL DEFAULT true,
	creado timestamptz NOT NULL DEFAULT now()
);
-- One account per address, whatever its case.
CREATE UNIQUE INDEX usuarios_email_key ON usuarios (lower(email));
CREATE INDEX usuarios_entidad ON usuarios (entidad) WHERE rol = 'garante';

-- Bearer tokens of the API. Only the SHA-256 of a token is stored: the
-- clear token is shown once, at creation.
CREATE TABLE tokens (
	id bigserial PRIMARY KEY,
	usuario_id bigint NOT NULL REFERENCES usuarios (id) ON DELETE CASCADE,
	hash char(64) NOT NULL UNIQUE,
	descripcion text,
	creado timestamptz NOT NULL DEFAULT now(),
	revocado timestamptz,
	ultimo_uso timestamptz
);
CREATE INDEX tokens_usuario ON tokens (usuario_id);


-- ---------------------------------------------------------------------
-- Mesas de diálogo.
-- ---------------------------------------------------------------------

-- A mesa de diálogo, from preparation to follow-up. Its phase is a state
-- machine (common/ says which moves are legal); every move is an event.
CREATE TABLE mesas (
	id bigserial PRIMARY KEY,
	titulo text NOT NULL CHECK (length(titulo) BETWEEN 1 AND 300),
	-- The federal entity (state) whose STL runs the mesa; a garante
	-- user sees the mesas whose entidad equals its own.
	entidad text NOT NULL CHECK (length(entidad) BETWEEN 1 AND 100),
	municipio text CHECK (length(btrim(municipio)) BETWEEN 1 AND 200),
	-- An IANA zone name. The CHECK makes PostgreSQL resolve the name, so
	-- an unknown zone is refused here too (with "time zone not
	-- recognized"); pald validates it first with a Spanish message.
	zona_horaria text NOT NULL DEFAULT 'America/Mexico_City'
	    CHECK ((timestamptz '2000-01-01 00:00+00' AT TIME ZONE zona_horaria)
		IS NOT NULL),
	fase text NOT NULL DEFAULT 'preparacion'
	    CHECK (fase IN ('preparacion', 'convocada', 'en_sesion', 'acuerdos',
		'firmada', 'en_seguimiento', 'concluida', 'suspendida',
		'cancelada')),
	-- The facilitator who owns the mesa: only they (or an admin) change it.
	facilitador_id bigint NOT NULL REFERENCES usuarios (id),
	-- The convocatoria: local date, local time (in zona_horaria) and
	-- place. Set together by `pal mesa programar`, so all three are set
	-- or none is; a mesa at or past "convocada" must have them (a
	-- suspended convocatoria keeps its old date for reference).
	fecha date,
	hora time,
	lugar text CHECK (length(btrim(lugar)) BETWEEN 1 AND 500),
	programada timestamptz,		-- when the convocatoria was accepted
	-- Per-mesa reminder settings; NULL means "the daemon's default"
	-- (DESIGN.md section 3). Days before the deadline (0 = on the day),
	-- every how many days an overdue activity is reminded, from how
	-- many days overdue the facilitator and the garante are copied, the
	-- local hour of sending, and every how many days an actor who has
	-- not confirmed receipt of the materials is reminded.
	recordatorio_dias_antes integer[]
	    CHECK (0 <= ALL (recordatorio_dias_antes) AND
		366 >= ALL (recordatorio_dias_antes) AND
		array_position(recordatorio_dias_antes, NULL) IS NULL),
	recordatorio_vencida_cada integer
	    CHECK (recordatorio_vencida_cada BETWEEN 1 AND 366),
	recordatorio_copia_facilitador integer
	    CHECK (recordatorio_copia_facilitador BETWEEN 0 AND 366),
	recordatorio_copia_garante integer
	    CHECK (recordatorio_copia_garante BETWEEN 0 AND 366),
	recordatorio_hora time,
	recordatorio_acuse_cada integer
	    CHECK (recordatorio_acuse_cada BETWEEN 1 AND 366),
	creado timestamptz NOT NULL DEFAULT now(),
	actualizado timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT mesas_convocatoria_completa CHECK (
	    (fecha IS NULL) = (hora IS NULL) AND
	    (fecha IS NULL) = (lugar IS NULL)),
	CONSTRAINT mesas_fase_con_fecha CHECK (
	    fase IN ('preparacion', 'suspendida', 'cancelada') OR
	    fecha IS NOT NULL)
);
CREATE INDEX mesas_facilitador ON mesas (facilitador_id);
CREATE INDEX mesas_entidad ON mesas (entidad, fase);

-- The transactional outbox: every email is a row written in the same
-- transaction as the change that causes it; mailer.c claims rows with
-- FOR UPDATE SKIP LOCKED plus a lease (lease_hasta, lease_por) and sends
-- each as one SMTP transaction. mensaje holds the complete RFC 5322
-- message, Message-ID included, fixed at enqueue time so a retry is the
-- same message. A mesa deletion keeps its mail log (mesa_id SET NULL).
CREATE TABLE outbox (
	id bigserial PRIMARY KEY,
	message_id text NOT NULL UNIQUE,
	mesa_id bigint REFERENCES mesas (id) ON DELETE SET NULL,
	tipo text NOT NULL,
	destinatario text NOT NULL,
	destinatario_nombre text,
	asunto text NOT NULL,
	mensaje bytea NOT NULL,
	estado text NOT NULL DEFAULT 'pendiente'
	    CHECK (estado IN ('pendiente', 'enviado', 'fallido')),
	intentos integer NOT NULL DEFAULT 0,
	proximo_intento timestamptz NOT NULL DEFAULT now(),
	lease_hasta timestamptz,
	lease_por text,
	ultimo_codigo integer,
	ultima_respuesta text,
	creado timestamptz NOT NULL DEFAULT now(),
	enviado timestamptz
);
CREATE INDEX outbox_pendientes ON outbox (proximo_intento) WHERE estado = 'pendiente';
CREATE INDEX outbox_mesa ON outbox (mesa_id);
CREATE INDEX outbox_estado ON outbox (estado, id);

-- The people (or their representatives) who take part in a mesa, by
-- sector. They have no account: they act through personal links.
CREATE TABLE actores (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	nombre text NOT NULL CHECK (length(nombre) BETWEEN 1 AND 200 AND
	    nombre !~ '[[:cntrl:]]'),
	-- A backstop for validate_email: one @, no spaces, no control
	-- characters (CR/LF in an address would inject SMTP commands).
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND
	    email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
	sector text NOT NULL CHECK (sector IN ('sociedad_civil',
	    'institucion_publica', 'organismo_garante', 'stl')),
	organizacion text CHECK (length(btrim(organizacion)) BETWEEN 1 AND 300
	    AND organizacion !~ '[[:cntrl:]]'),
	cargo text CHECK (length(btrim(cargo)) BETWEEN 1 AND 200 AND
	    cargo !~ '[[:cntrl:]]'),
	creado timestamptz NOT NULL DEFAULT now(),
	-- Target of the composite foreign keys (mesa_id, actor_id).
	UNIQUE (mesa_id, id)
);
-- One actor per address in a mesa, whatever its case (Ana@X = ana@x).
CREATE UNIQUE INDEX actores_mesa_email_key ON actores (mesa_id, lower(email));

-- What each actor brings to the preparation (DESIGN.md section 1): a file
-- or a text (stored as text/plain bytes), kept in PostgreSQL. The author
-- has the material from fecha_entrega, which may lie in the past for what
-- was exchanged before the mesa was in pald, but never in the future.
CREATE TABLE materiales (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	autor_id bigint NOT NULL,
	tipo text NOT NULL CHECK (tipo IN ('problematicas', 'criterios_minimos',
	    'soluciones', 'compromisos_preliminares', 'consulta_publica',
	    'solicitudes_informacion', 'estadisticas', 'estudios', 'otro')),
	titulo text NOT NULL CHECK (length(titulo) BETWEEN 1 AND 300 AND
	    titulo !~ '[[:cntrl:]]'),
	-- The uploaded file's name (attachment name in emails); NULL for a
	-- text material. No directory part, no control characters.
	nombre_archivo text CHECK (length(nombre_archivo) BETWEEN 1 AND 255 AND
	    nombre_archivo !~ '[/\\[:cntrl:]]'),
	-- The media type, e.g. application/pdf or text/plain; charset=utf-8.
	tipo_medio text NOT NULL CHECK (length(tipo_medio) <= 255 AND
	    tipo_medio ~* '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*'
	    AND tipo_medio !~ '[[:cntrl:]]'),
	-- The size is stored for listings and checked against the bytes
	-- (octet_length reads a TOAST header, it does not fetch the bytes).
	tamano bigint NOT NULL CHECK (tamano = octet_length(contenido)),
	contenido bytea NOT NULL,
	-- SHA-256 of contenido, computed by pald at upload. Not re-checked by
	-- a CHECK: CHECKs run on every UPDATE and would re-hash the file.
	sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	fecha_entrega date NOT NULL,
	registrado_por bigint REFERENCES usuarios (id),
	creado timestamptz NOT NULL DEFAULT now(),
	UNIQUE (mesa_id, id),
	FOREIGN KEY (mesa_id, autor_id) REFERENCES actores (mesa_id, id),
	-- "Never in the future": the local date can be at most one day
	-- ahead of the UTC date of the insert (zones run from UTC-12 to
	-- UTC+14); pald checks the exact local date first.
	CONSTRAINT materiales_entrega_no_futura CHECK (
	    fecha_entrega <= (creado AT TIME ZONE 'UTC')::date + 1)
);
CREATE INDEX materiales_autor ON materiales (autor_id);
CREATE INDEX materiales_registrado_por ON materiales (registrado_por);


-- ---------------------------------------------------------------------
-- The session: attendance and the minutes.
-- ---------------------------------------------------------------------

-- The session of a mesa (one per mesa: a second opening is refused by the
-- UNIQUE). fecha is the local date it opened, never before mesas.fecha.
CREATE TABLE sesiones (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL UNIQUE REFERENCES mesas (id) ON DELETE CASCADE,
	fecha date NOT NULL,
	-- Introducción, análisis, acuerdos (DESIGN.md section 1, steps 3-5).
	etapa text NOT NULL DEFAULT 'introduccion'
	    CHECK (etapa IN ('introduccion', 'analisis', 'acuerdos')),
	notas text CHECK (length(btrim(notas)) BETWEEN 1 AND 100000),
	abierta timestamptz NOT NULL DEFAULT now(),
	abierta_por bigint REFERENCES usuarios (id),
	cerrada timestamptz CHECK (cerrada >= abierta),
	UNIQUE (mesa_id, id)
);
CREATE INDEX sesiones_abierta_por ON sesiones (abierta_por);

-- Who attended the session. Attendees must be actors of the same mesa
-- (composite foreign key); since a mesa has one session, an actor attends
-- at most once per mesa, which conformidades rely on.
CREATE TABLE asistencias (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	sesion_id bigint NOT NULL,
	actor_id bigint NOT NULL,
	registrado timestamptz NOT NULL DEFAULT now(),
	registrado_por bigint REFERENCES usuarios (id),
	UNIQUE (mesa_id, actor_id),
	FOREIGN KEY (mesa_id, sesion_id) REFERENCES sesiones (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
);
CREATE INDEX asistencias_sesion ON asistencias (sesion_id);
CREATE INDEX asistencias_actor ON asistencias (actor_id);
CREATE INDEX asistencias_registrado_por ON asistencias (registrado_por);

-- The minutes of the analysis: each actor's doubts, contributions and
-- the feedback, in the order they were said (orden, 1, 2, ... per
-- session). Feedback may point at what it answers.
CREATE TABLE aportaciones (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	sesion_id bigint NOT NULL,
	actor_id bigint NOT NULL,
	orden integer NOT NULL CHECK (orden > 0),
	tipo text NOT NULL
	    CHECK (tipo IN ('duda', 'aportacion', 'retroalimentacion')),
	texto text NOT NULL CHECK (length(btrim(texto)) BETWEEN 1 AND 20000),
	en_respuesta_a bigint REFERENCES aportaciones (id) ON DELETE SET NULL,
	registrado timestamptz NOT NULL DEFAULT now(),
	registrado_por bigint REFERENCES usuarios (id),
	UNIQUE (sesion_id, orden),
	FOREIGN KEY (mesa_id, sesion_id) REFERENCES sesiones (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
);
CREATE INDEX aportaciones_mesa ON aportaciones (mesa_id, orden);
CREATE INDEX aportaciones_actor ON aportaciones (actor_id);
CREATE INDEX aportaciones_respuesta ON aportaciones (en_respuesta_a);
CREATE INDEX aportaciones_registrado_por ON aportaciones (registrado_por);


-- ---------------------------------------------------------------------
-- Acuerdos: commitments, quality criteria, activities.
-- ---------------------------------------------------------------------

-- A one-year commitment of the PAL (issue 4). The content fields may be
-- NULL while the facilitator drafts it; `pal pal validar` lists what is
-- missing and closing requires all of it.
CREATE TABLE compromisos (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	-- Position in the PAL (1, 2, ...). Deferrable so a renumbering
	-- UPDATE can swap numbers inside one transaction.
	numero integer NOT NULL CHECK (numero > 0),
	titulo text NOT NULL CHECK (length(titulo) BETWEEN 1 AND 300 AND
	    titulo !~ '[[:cntrl:]]'),
	tipo text NOT NULL CHECK (tipo IN ('contrataciones_abiertas',
	    'plan_nacional', 'local')),
	problema text CHECK (length(btrim(problema)) BETWEEN 1 AND 20000),
	descripcion text CHECK (length(btrim(descripcion)) BETWEEN 1 AND 20000),
	-- The commitment of the national OGP Action Plan 2013-2015 this one
	-- aligns with: required for plan_nacional (constraint below).
	alineacion text CHECK (length(btrim(alineacion)) BETWEEN 1 AND 1000),
	indicador text CHECK (length(btrim(indicador)) BETWEEN 1 AND 5000),
	meta text CHECK (length(btrim(meta)) BETWEEN 1 AND 5000),
	institucion text CHECK (length(btrim(institucion)) BETWEEN 1 AND 300),
	inicio date NOT NULL,
	-- Always inicio + 1 year - 1 day, computed left to right as
	-- PostgreSQL does: 2024-01-15 -> 2025-01-14; a 29 February start
	-- clamps to 28 February and then steps back: 2024-02-29 ->
	-- 2025-02-27. common/'s date code must compute the same.
	fin date NOT NULL,
	creado timestamptz NOT NULL DEFAULT now(),
	actualizado timestamptz NOT NULL DEFAULT now(),
	creado_por bigint REFERENCES usuarios (id),
	UNIQUE (mesa_id, id),
	CONSTRAINT compromisos_numero_key UNIQUE (mesa_id, numero)
	    DEFERRABLE INITIALLY IMMEDIATE,
	CONSTRAINT compromisos_fin_un_anio CHECK (
	    fin = inicio + interval '1 year' - interval '1 day'),
	CONSTRAINT compromisos_alineacion_plan_nacional CHECK (
	    tipo <> 'plan_nacional' OR alineacion IS NOT NULL)
);
CREATE INDEX compromisos_creado_por ON compromisos (creado_por);

-- Attestation of the five quality criteria of a commitment: who attests
-- it and why. One row per (commitment, criterion); attesting again
-- replaces it (the timeline keeps the old one).
CREATE TABLE criterios (
	id bigserial PRIMARY KEY,
	compromiso_id bigint NOT NULL REFERENCES compromisos (id)
	    ON DELETE CASCADE,
	criterio text NOT NULL CHECK (criterio IN ('medible', 'especifico',
	    'replicable', 'sostenible', 'alto_impacto')),
	quien text NOT NULL CHECK (length(quien) BETWEEN 1 AND 200 AND
	    quien !~ '[[:cntrl:]]'),
	justificacion text NOT NULL
	    CHECK (length(btrim(justificacion)) BETWEEN 1 AND 2000),
	registrado timestamptz NOT NULL DEFAULT now(),
	registrado_por bigint REFERENCES usuarios (id),
	UNIQUE (compromiso_id, criterio)
);
CREATE INDEX criterios_registrado_por ON criterios (registrado_por);

-- An activity of a commitment, with its responsable (no account needed:
-- name, role, institution, email) and a deadline inside the commitment's
-- year. estado and avance are the current state, kept in step with the
-- last row of avances; a completed activity is at 100 % and gets no more
-- reminders.
CREATE TABLE actividades (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	compromiso_id bigint NOT NULL,
	numero integer NOT NULL CHECK (numero > 0),
	descripcion text NOT NULL
	    CHECK (length(btrim(descripcion)) BETWEEN 1 AND 5000),
	responsable_nombre text NOT NULL CHECK (
	    length(responsable_nombre) BETWEEN 1 AND 200 AND
	    responsable_nombre !~ '[[:cntrl:]]'),
	responsable_cargo text CHECK (
	    length(btrim(responsable_cargo)) BETWEEN 1 AND 200 AND
	    responsable_cargo !~ '[[:cntrl:]]'),
	responsable_institucion text CHECK (
	    length(btrim(responsable_institucion)) BETWEEN 1 AND 300 AND
	    responsable_institucion !~ '[[:cntrl:]]'),
	responsable_email text NOT NULL CHECK (
	    length(responsable_email) BETWEEN 3 AND 254 AND
	    responsable_email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
	fecha_limite date NOT NULL,
	-- The deliverable or means of verification.
	entregable text CHECK (length(btrim(entregable)) BETWEEN 1 AND 5000),
	estado text NOT NULL DEFAULT 'pendiente'
	    CHECK (estado IN ('pendiente', 'en_progreso', 'cumplida')),
	avance smallint NOT NULL DEFAULT 0 CHECK (avance BETWEEN 0 AND 100),
	-- When it was reported cumplida; set exactly when estado is.
	cumplimiento timestamptz,
	creado timestamptz NOT NULL DEFAULT now(),
	actualizado timestamptz NOT NULL DEFAULT now(),
	UNIQUE (mesa_id, id),
	CONSTRAINT actividades_numero_key UNIQUE (compromiso_id, numero)
	    DEFERRABLE INITIALLY IMMEDIATE,
	FOREIGN KEY (mesa_id, compromiso_id) REFERENCES compromisos (mesa_id, id)
	    ON DELETE CASCADE,
	CONSTRAINT actividades_cumplida_completa CHECK (
	    estado <> 'cumplida' OR avance = 100),
	CONSTRAINT actividades_cumplimiento CHECK (
	    (estado = 'cumplida') = (cumplimiento IS NOT NULL))
);
CREATE INDEX actividades_compromiso ON actividades (compromiso_id);
-- The reminder planner and the garante's monitoring scan open activities
-- by deadline.
CREATE INDEX actividades_abiertas ON actividades (fecha_limite)
    WHERE estado <> 'cumplida';
-- Calendar feeds and "my activities" per responsable.
CREATE INDEX actividades_responsable ON actividades (lower(responsable_email));


-- ---------------------------------------------------------------------
-- The PAL document: frozen versions, their conformities, scans.
-- ---------------------------------------------------------------------

-- A closed version N of a mesa's PAL: the canonical JSON (byte-exact, so
-- text and not jsonb, which would reorder keys) and the PDF rendered
-- from it, each with its SHA-256. The hash of the canonical text is the
-- one printed on every page and against which conformity is given. A
-- later edit closes version N+1 and sets anulada on N; at most one
-- version per mesa is current (anulada IS NULL).
CREATE TABLE pal_versiones (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	numero integer NOT NULL CHECK (numero > 0),
	canonico text NOT NULL CHECK (canonico::jsonb IS NOT NULL),
	sha256_canonico char(64) NOT NULL
	    CHECK (sha256_canonico ~ '^[0-9a-f]{64}$'),
	pdf bytea NOT NULL,
	sha256_pdf char(64) NOT NULL CHECK (sha256_pdf ~ '^[0-9a-f]{64}$'),
	paginas integer CHECK (paginas > 0),
	cerrado timestamptz NOT NULL DEFAULT now(),
	cerrado_por bigint REFERENCES usuarios (id),
	anulada timestamptz CHECK (anulada >= cerrado),
	UNIQUE (mesa_id, numero),
	UNIQUE (mesa_id, id),
	-- Target of conformidades' foreign key: a conformity names the
	-- version and the exact hash it was given against.
	UNIQUE (mesa_id, id, sha256_canonico)
);
CREATE UNIQUE INDEX pal_versiones_vigente ON pal_versiones (mesa_id)
    WHERE anulada IS NULL;
CREATE INDEX pal_versiones_cerrado_por ON pal_versiones (cerrado_por);

-- Personal links: the random token sent in an email, stored as its
-- SHA-256 (like API tokens). A link does one thing (proposito) for one
-- person and can be revoked:
--   acuse        an actor confirms receipt of the materials of a send;
--   conformidad  an actor states conformity with a PAL version;
--   avance       a responsable reports progress on one activity;
--   feed         an iCalendar feed of deadlines, for a garante (usuario)
--                or a responsable (email), across mesas;
--   monitoreo    a garante opens the dashboard without typing a token.
-- The CHECK below says which references each purpose needs.
CREATE TABLE enlaces (
	id bigserial PRIMARY KEY,
	hash char(64) NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
	proposito text NOT NULL CHECK (proposito IN ('acuse', 'conformidad',
	    'avance', 'feed', 'monitoreo')),
	mesa_id bigint REFERENCES mesas (id) ON DELETE CASCADE,
	actor_id bigint,
	actividad_id bigint,
	version_id bigint,
	usuario_id bigint REFERENCES usuarios (id) ON DELETE CASCADE,
	email text CHECK (length(email) BETWEEN 3 AND 254 AND
	    email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
	creado timestamptz NOT NULL DEFAULT now(),
	expira timestamptz CHECK (expira > creado),
	revocado timestamptz,
	ultimo_uso timestamptz,
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, actividad_id) REFERENCES actividades (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, version_id) REFERENCES pal_versiones (mesa_id, id)
	    ON DELETE CASCADE,
	CONSTRAINT enlaces_referencias CHECK (CASE proposito
	    WHEN 'acuse' THEN mesa_id IS NOT NULL AND actor_id IS NOT NULL
	    WHEN 'conformidad' THEN mesa_id IS NOT NULL AND
		actor_id IS NOT NULL AND version_id IS NOT NULL
	    WHEN 'avance' THEN mesa_id IS NOT NULL AND actividad_id IS NOT NULL
	    WHEN 'feed' THEN (usuario_id IS NULL) <> (email IS NULL)
	    WHEN 'monitoreo' THEN usuario_id IS NOT NULL
	    END)
);
CREATE INDEX enlaces_mesa ON enlaces (mesa_id, proposito);
CREATE INDEX enlaces_actor ON enlaces (actor_id);
CREATE INDEX enlaces_actividad ON enlaces (actividad_id);
CREATE INDEX enlaces_version ON enlaces (version_id);
CREATE INDEX enlaces_usuario ON enlaces (usuario_id);
CREATE INDEX enlaces_email ON enlaces (lower(email));

-- Conformity of an attendee with a PAL version, against its hash: by the
-- actor through a link (medio 'enlace', enlace_id set) or recorded by the
-- facilitator (registrado_por set; medio says how, e.g. 'sesion'). The
-- composite foreign keys make a conformity against another version's
-- hash, or by someone who did not attend, impossible. When a new
-- version is closed, the old version's conformities get anulada.
CREATE TABLE conformidades (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	version_id bigint NOT NULL,
	actor_id bigint NOT NULL,
	sha256 char(64) NOT NULL,
	medio text NOT NULL CHECK (length(medio) BETWEEN 1 AND 200 AND
	    medio !~ '[[:cntrl:]]'),
	enlace_id bigint REFERENCES enlaces (id),
	registrado timestamptz NOT NULL DEFAULT now(),
	registrado_por bigint REFERENCES usuarios (id),
	anulada timestamptz CHECK (anulada >= registrado),
	UNIQUE (version_id, actor_id),
	FOREIGN KEY (mesa_id, version_id, sha256)
	    REFERENCES pal_versiones (mesa_id, id, sha256_canonico)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, actor_id) REFERENCES asistencias (mesa_id, actor_id),
	-- Exactly one source: a link (the actor) or a user (facilitator).
	CONSTRAINT conformidades_origen CHECK (
	    (medio = 'enlace') = (enlace_id IS NOT NULL) AND
	    (enlace_id IS NULL) <> (registrado_por IS NULL))
);
CREATE INDEX conformidades_actor ON conformidades (actor_id);
CREATE INDEX conformidades_mesa ON conformidades (mesa_id);
CREATE INDEX conformidades_enlace ON conformidades (enlace_id);
CREATE INDEX conformidades_registrado_por ON conformidades (registrado_por);

-- Uploaded evidence: the scan of a signed paper PAL (version_id), or a
-- file backing an activity's progress (actividad_id), with its SHA-256.
CREATE TABLE evidencias (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	version_id bigint,
	actividad_id bigint,
	descripcion text CHECK (length(btrim(descripcion)) BETWEEN 1 AND 2000),
	nombre_archivo text CHECK (length(nombre_archivo) BETWEEN 1 AND 255 AND
	    nombre_archivo !~ '[/\\[:cntrl:]]'),
	tipo_medio text NOT NULL CHECK (length(tipo_medio) <= 255 AND
	    tipo_medio ~* '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*'
	    AND tipo_medio !~ '[[:cntrl:]]'),
	tamano bigint NOT NULL CHECK (tamano = octet_length(contenido)),
	contenido bytea NOT NULL,
	sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	subido timestamptz NOT NULL DEFAULT now(),
	subido_por bigint REFERENCES usuarios (id),
	FOREIGN KEY (mesa_id, version_id) REFERENCES pal_versiones (mesa_id, id),
	FOREIGN KEY (mesa_id, actividad_id) REFERENCES actividades (mesa_id, id)
);
CREATE INDEX evidencias_mesa ON evidencias (mesa_id);
CREATE INDEX evidencias_version ON evidencias (version_id);
CREATE INDEX evidencias_actividad ON evidencias (actividad_id);
CREATE INDEX evidencias_subido_por ON evidencias (subido_por);


-- ---------------------------------------------------------------------
-- Preparation: sends of materials and receipts (the gate's input).
-- ---------------------------------------------------------------------

-- One email of `pal material enviar` to one actor: the materials it
-- carried (envio_materiales), the personal link it contained, and its
-- outbox row (SMTP acceptance is "sent", never "received").
CREATE TABLE envios (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	actor_id bigint NOT NULL,
	enlace_id bigint NOT NULL UNIQUE REFERENCES enlaces (id),
	outbox_id bigint REFERENCES outbox (id) ON DELETE SET NULL,
	creado timestamptz NOT NULL DEFAULT now(),
	enviado_por bigint REFERENCES usuarios (id),
	UNIQUE (mesa_id, id),
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
);
CREATE INDEX envios_actor ON envios (actor_id);
CREATE INDEX envios_outbox ON envios (outbox_id);
CREATE INDEX envios_enviado_por ON envios (enviado_por);

-- The materials of a send (what its link page lists and its POST
-- confirms).
CREATE TABLE envio_materiales (
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	envio_id bigint NOT NULL,
	material_id bigint NOT NULL,
	PRIMARY KEY (envio_id, material_id),
	FOREIGN KEY (mesa_id, envio_id) REFERENCES envios (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, material_id) REFERENCES materiales (mesa_id, id)
);
CREATE INDEX envio_materiales_material ON envio_materiales (material_id);

-- Proof that an actor has a material (DESIGN.md section 3): confirmed by
-- the actor through a link (medio 'enlace', enlace_id set, registrado_por
-- NULL) or recorded by a user by another channel (medio is that channel
-- in free text, registrado_por set; the author's own receipt of a
-- material is recorded this way with medio 'autor'). fecha is the local
-- date of receipt, the input of the 10-day rule; registrado the instant
-- it was recorded. es_retroactivo marks a date earlier than the day it
-- was recorded. First confirmation wins: one row per (actor, material).
CREATE TABLE acuses (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	actor_id bigint NOT NULL,
	material_id bigint NOT NULL,
	fecha date NOT NULL,
	registrado timestamptz NOT NULL DEFAULT now(),
	medio text NOT NULL CHECK (length(medio) BETWEEN 1 AND 200 AND
	    medio !~ '[[:cntrl:]]'),
	enlace_id bigint REFERENCES enlaces (id),
	registrado_por bigint REFERENCES usuarios (id),
	es_retroactivo boolean NOT NULL DEFAULT false,
	CONSTRAINT acuses_actor_material_key UNIQUE (actor_id, material_id),
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id),
	FOREIGN KEY (mesa_id, material_id) REFERENCES materiales (mesa_id, id),
	CONSTRAINT acuses_origen CHECK (
	    (medio = 'enlace') = (enlace_id IS NOT NULL) AND
	    (enlace_id IS NULL) <> (registrado_por IS NULL)),
	-- Never in the future (same one-day tolerance as materiales).
	CONSTRAINT acuses_fecha_no_futura CHECK (
	    fecha <= (registrado AT TIME ZONE 'UTC')::date + 1)
);
CREATE INDEX acuses_mesa ON acuses (mesa_id);
CREATE INDEX acuses_material ON acuses (material_id);
CREATE INDEX acuses_enlace ON acuses (enlace_id);
CREATE INDEX acuses_registrado_por ON acuses (registrado_por);


-- ---------------------------------------------------------------------
-- Follow-up: progress history, reminders, digests.
-- ---------------------------------------------------------------------

-- Every progress report on an activity, kept for ever: by the responsable
-- through the activity's link (enlace_id) or by a user (usuario_id).
-- avance is NULL when the report gave no percentage.
CREATE TABLE avances (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	actividad_id bigint NOT NULL,
	estado text NOT NULL
	    CHECK (estado IN ('pendiente', 'en_progreso', 'cumplida')),
	avance smallint CHECK (avance BETWEEN 0 AND 100),
	-- Only http(s) links: a javascript: or file: URL would be shown
	-- to the garante as a link.
	evidencia_url text CHECK (length(evidencia_url) <= 2000 AND
	    evidencia_url ~* '^https?://[^[:space:][:cntrl:]]+$'),
	nota text CHECK (length(btrim(nota)) BETWEEN 1 AND 5000),
	reportado timestamptz NOT NULL DEFAULT now(),
	enlace_id bigint REFERENCES enlaces (id),
	usuario_id bigint REFERENCES usuarios (id),
	FOREIGN KEY (mesa_id, actividad_id) REFERENCES actividades (mesa_id, id)
	    ON DELETE CASCADE,
	CONSTRAINT avances_origen CHECK (
	    (enlace_id IS NULL) <> (usuario_id IS NULL))
);
CREATE INDEX avances_actividad ON avances (actividad_id, reportado);
CREATE INDEX avances_mesa ON avances (mesa_id);
CREATE INDEX avances_enlace ON avances (enlace_id);
CREATE INDEX avances_usuario ON avances (usuario_id);

-- Reminders the planner has queued. The unique key is what guarantees
-- "never twice", even with several pald on one database or after a
-- restart: the planner inserts with ON CONFLICT ON CONSTRAINT
-- recordatorios_unico DO NOTHING and only enqueues mail for rows it
-- actually inserted, in the same transaction.
--   previo       N days before the deadline (dias = N > 0);
--   vencimiento  on the deadline (dias = 0);
--   vencida      overdue (dias = -days overdue);
--   acuse        an actor has not confirmed receipt of the materials
--                (actor_id set, actividad_id NULL).
-- fecha is the local date the reminder is for; destinatario is stored
-- lowercased so the key ignores case. NULLS NOT DISTINCT (PostgreSQL 15)
-- makes the key hold for acuse rows too, whose actividad_id is NULL.
CREATE TABLE recordatorios (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	actividad_id bigint,
	actor_id bigint,
	tipo text NOT NULL
	    CHECK (tipo IN ('previo', 'vencimiento', 'vencida', 'acuse')),
	fecha date NOT NULL,
	dias integer NOT NULL DEFAULT 0,
	destinatario text NOT NULL CHECK (
	    length(destinatario) BETWEEN 3 AND 254 AND
	    destinatario = lower(destinatario) AND
	    destinatario ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
	-- Who the recipient is for this reminder (copies included).
	rol_destinatario text NOT NULL CHECK (rol_destinatario IN
	    ('responsable', 'facilitador', 'garante', 'actor')),
	outbox_id bigint REFERENCES outbox (id) ON DELETE SET NULL,
	creado timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT recordatorios_unico UNIQUE NULLS NOT DISTINCT
	    (actividad_id, actor_id, tipo, fecha, destinatario),
	FOREIGN KEY (mesa_id, actividad_id) REFERENCES actividades (mesa_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
	    ON DELETE CASCADE,
	CONSTRAINT recordatorios_referencia CHECK (CASE tipo
	    WHEN 'acuse' THEN actor_id IS NOT NULL AND actividad_id IS NULL
	    ELSE actividad_id IS NOT NULL AND actor_id IS NULL END),
	CONSTRAINT recordatorios_dias CHECK (CASE tipo
	    WHEN 'previo' THEN dias > 0
	    WHEN 'vencimiento' THEN dias = 0
	    WHEN 'vencida' THEN dias < 0
	    ELSE true END)
);
CREATE INDEX recordatorios_mesa ON recordatorios (mesa_id);
CREATE INDEX recordatorios_actor ON recordatorios (actor_id);
CREATE INDEX recordatorios_outbox ON recordatorios (outbox_id);
-- "The latest reminder of this activity": the planner's look-up.
CREATE INDEX recordatorios_ultimo ON recordatorios (actividad_id, fecha DESC);

-- The weekly digest of each garante: one per (user, week), where semana
-- is the local date of the week's Monday; same "never twice" scheme.
CREATE TABLE resumenes (
	id bigserial PRIMARY KEY,
	usuario_id bigint NOT NULL REFERENCES usuarios (id) ON DELETE CASCADE,
	semana date NOT NULL CHECK (extract(isodow FROM semana) = 1),
	outbox_id bigint REFERENCES outbox (id) ON DELETE SET NULL,
	creado timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT resumenes_unico UNIQUE (usuario_id, semana)
);
CREATE INDEX resumenes_outbox ON resumenes (outbox_id);


-- ---------------------------------------------------------------------
-- The timeline.
-- ---------------------------------------------------------------------

-- Everything that happens to a mesa, written in the same transaction as
-- the change (`pal mesa linea-tiempo`). usuario_id is who did it when it
-- was a user; actor_id the actor concerned or acting through a link.
-- tipo is a stable dotted code ('mesa.creada', 'acuse.registrado', ...),
-- descripcion the Spanish sentence shown to people, datos the details
-- (before/after of an edit, a backdated date...). Rows are append-only:
-- a trigger refuses UPDATE, so the audit trail cannot be rewritten;
-- DELETE is left to the cascade of a mesa deletion. Order by id (several
-- events of one transaction share the instant).
CREATE TABLE eventos (
	id bigserial PRIMARY KEY,
	mesa_id bigint NOT NULL REFERENCES mesas (id) ON DELETE CASCADE,
	instante timestamptz NOT NULL DEFAULT now(),
	usuario_id bigint REFERENCES usuarios (id),
	actor_id bigint,
	tipo text NOT NULL CHECK (length(tipo) <= 100 AND
	    tipo ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
	descripcion text NOT NULL CHECK (length(btrim(descripcion)) BETWEEN 1
	    AND 2000),
	datos jsonb CHECK (jsonb_typeof(datos) = 'object'),
	FOREIGN KEY (mesa_id, actor_id) REFERENCES actores (mesa_id, id)
);
CREATE INDEX eventos_mesa ON eventos (mesa_id, id);
CREATE INDEX eventos_usuario ON eventos (usuario_id);
CREATE INDEX eventos_actor ON eventos (actor_id);

CREATE FUNCTION eventos_inmutables() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'eventos are append-only'
	    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER eventos_inmutables BEFORE UPDATE ON eventos
    FOR EACH ROW EXECUTE FUNCTION eventos_inmutables();
