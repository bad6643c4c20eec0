-- tests/bench/monitoreo.sql: the data of the monitoring benchmark
-- (tests/bench/run.sh), written straight with SQL as
-- tests/integration/test_monitoreo.c does: :mesas mesas en_seguimiento
-- in entidad :'entidad', each with a current (closed) PAL version,
-- :compromisos commitments and :actividades activities per commitment.
-- Deadlines are spread from 60 days ago to 300 days ahead of the mesas'
-- local today; most past ones are cumplida, some en_progreso and some
-- still pendiente (overdue), a few future ones are done or under way.
-- Every activity that is not pendiente has a report in avances (the
-- overdue en_progreso ones two, so "the latest report" has a choice),
-- and so has a third of the overdue pendientes.
--
--	psql -v entidad=Jalisco -v mesas=10 -v compromisos=20 \
--	    -v actividades=50 -f tests/bench/monitoreo.sql
--
-- It needs a facilitador in usuarios (the mesas are the first one's) and
-- no other mesa in that entidad. It does not go through pald: what is
-- measured is reading, and 10,000 activities take a second this way.
\set ON_ERROR_STOP 1

BEGIN;

CREATE TEMP TABLE bench_hoy AS
    SELECT (now() AT TIME ZONE 'America/Mexico_City')::date AS hoy,
	(SELECT id FROM usuarios WHERE rol = 'facilitador' ORDER BY id
	    LIMIT 1) AS fac;

INSERT INTO mesas (titulo, entidad, zona_horaria, fase, facilitador_id,
    fecha, hora, lugar)
SELECT 'Mesa de seguimiento de contrataciones abiertas número ' || i,
    :'entidad', 'America/Mexico_City', 'en_seguimiento', h.fac,
    h.hoy - 90, '10:00', 'Sala de cabildo'
FROM generate_series(1, :mesas) AS i, bench_hoy h;

-- A closed, current version 1 of each PAL: what the monitoring shows as
-- "version". Its canonical text and PDF are stand-ins; nothing here
-- reads them.
INSERT INTO pal_versiones (mesa_id, numero, canonico, sha256_canonico, pdf,
    sha256_pdf, paginas, cerrado, cerrado_por)
SELECT m.id, 1, '{"mesa_id":' || m.id || '}',
    encode(sha256(convert_to('{"mesa_id":' || m.id || '}', 'UTF8')), 'hex'),
    '\x255044462d312e34'::bytea,
    encode(sha256('\x255044462d312e34'::bytea), 'hex'), 1,
    now() - interval '60 days', h.fac
FROM mesas m, bench_hoy h
WHERE m.entidad = :'entidad';

INSERT INTO compromisos (mesa_id, numero, titulo, tipo, inicio, fin)
SELECT m.id, c,
    'Compromiso ' || c || ': publicar en formato abierto los contratos'
	' de obra pública del municipio',
    CASE WHEN c % 3 = 0 THEN 'contrataciones_abiertas' ELSE 'local' END,
    h.hoy - 60, (h.hoy - 60 + interval '1 year' - interval '1 day')::date
FROM mesas m, generate_series(1, :compromisos) AS c, bench_hoy h
WHERE m.entidad = :'entidad';

-- d: the deadline in days from today (-60 .. 300, scattered); k: a
-- second scatter that picks the state.
INSERT INTO actividades (mesa_id, compromiso_id, numero, descripcion,
    responsable_nombre, responsable_institucion, responsable_email,
    fecha_limite, estado, avance, cumplimiento)
SELECT mesa_id, compromiso_id, a,
    'Actividad ' || a || ' del compromiso ' || numero || ': publicar los'
	' contratos del trimestre con sus anexos y datos abiertos',
    'Responsable número ' || a, 'Secretaría de Finanzas del municipio',
    'resp' || a || '@finanzas.gob.mx', hoy + d,
    CASE WHEN (d < 0 AND k < 6) OR (d >= 0 AND k < 1) THEN 'cumplida'
	WHEN (d < 0 AND k < 8) OR (d >= 0 AND k < 4) THEN 'en_progreso'
	ELSE 'pendiente' END,
    CASE WHEN (d < 0 AND k < 6) OR (d >= 0 AND k < 1) THEN 100
	WHEN (d < 0 AND k < 8) OR (d >= 0 AND k < 4) THEN 10 + 10 * k
	ELSE 0 END,
    CASE WHEN (d < 0 AND k < 6) OR (d >= 0 AND k < 1) THEN now() END
FROM (SELECT c.mesa_id, c.id AS compromiso_id, c.numero, a, h.hoy,
	((c.id * 31 + a * 7919) % 361)::int - 60 AS d,
	((c.id * 7 + a * 13) % 10)::int AS k
    FROM compromisos c JOIN mesas m ON m.id = c.mesa_id,
	generate_series(1, :actividades) AS a, bench_hoy h
    WHERE m.entidad = :'entidad') s;

INSERT INTO avances (mesa_id, actividad_id, estado, avance, evidencia_url,
    nota, reportado, usuario_id)
SELECT a.mesa_id, a.id, a.estado, a.avance,
    CASE WHEN a.estado = 'cumplida' THEN
	'https://transparencia.ejemplo.gob.mx/contratos/' || a.id END,
    'Reporte de avance de la actividad ' || a.id,
    now() - interval '3 days', h.fac
FROM actividades a JOIN mesas m ON m.id = a.mesa_id, bench_hoy h
WHERE m.entidad = :'entidad'
    AND (a.estado <> 'pendiente' OR a.id % 3 = 0);

INSERT INTO avances (mesa_id, actividad_id, estado, avance, nota, reportado,
    usuario_id)
SELECT a.mesa_id, a.id, 'en_progreso', a.avance / 2,
    'Primer reporte, con la mitad del avance', now() - interval '30 days',
    h.fac
FROM actividades a JOIN mesas m ON m.id = a.mesa_id, bench_hoy h
WHERE m.entidad = :'entidad' AND a.estado = 'en_progreso'
    AND a.fecha_limite < h.hoy;

COMMIT;

ANALYZE mesas;
ANALYZE pal_versiones;
ANALYZE compromisos;
ANALYZE actividades;
ANALYZE avances;

-- What the benchmark checks the monitoring against: mesas, activities,
-- overdue ones, reports.
SELECT count(DISTINCT m.id), count(*),
    count(*) FILTER (WHERE a.estado <> 'cumplida'
	AND a.fecha_limite < (now() AT TIME ZONE m.zona_horaria)::date),
    (SELECT count(*) FROM avances v JOIN mesas m2 ON m2.id = v.mesa_id
	WHERE m2.entidad = :'entidad')
FROM mesas m JOIN actividades a ON a.mesa_id = m.id
WHERE m.entidad = :'entidad';
