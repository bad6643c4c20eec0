#!/usr/bin/python3
"""Mixed traffic against one pald for tests/soak/run.sh, with pald's
resident memory sampled as it goes. Standard library only; run it with
/usr/bin/python3.

It first builds its data through the API (admin token): mesas to read
(each with actors and materials), mesas that receive new actors, mesas
that receive uploads, and mesas whose materials are sent to their actors
so that personal links exist. Then --conns threads, each with its own
keep-alive connection, send requests for --seconds at --rate requests a
second in total (a thread that falls behind does not sleep), chosen by
weight:

    45  GET  /v1/mesas/{id}             a read mesa, at a glance
    10  GET  /v1/mesas                  the list
    15  POST /v1/mesas/{id}/actores     a new actor (unique email)
    10  POST /v1/mesas/{id}/materiales  a 2-8 KiB file, raw body
    20  POST /e/{token}                 a link confirmation: a fresh link
                                        (records the receipts) when one
                                        is waiting, else one already used
                                        (answers "ya confirmado")

One more thread feeds fresh links: every second it adds a material to a
link mesa and sends it (POST .../materiales/enviar), and it reads the
tokens out of the emails the mail catcher stores (--mail-dir).

Every reply must be 2xx: anything else, or no reply, is a failure.
VmRSS of --pid is sampled at the start and every --sample seconds; the
growth is measured from the first sample after --warmup seconds to the
last. It prints the samples, a table per request kind, and one line

    RESULT requests=N failed=N base_kib=N last_kib=N growth_pct=X

and exits 0 (run.sh judges), 2 on bad usage, 1 if the setup failed.
"""

import argparse
import collections
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse

# The shared client lives in tests/faults; no __pycache__ in the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'faults'))
from load import Client, percentile  # noqa: E402

TOKEN_RE = re.compile(r'/e/([0-9a-f]{64})\b')
MAIL_RE = re.compile(r'^(\d{6})\.json$')
SECTORES = ('sociedad_civil', 'institucion_publica', 'organismo_garante',
            'stl')
WEIGHTS = (('read_mesa', 45), ('list_mesas', 10), ('actor', 15),
           ('upload', 10), ('link', 20))


class SetupError(Exception):
    pass


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise SetupError('no VmRSS for pid %d' % pid)


class Stats:
    """Per kind of request: count, failures, latencies (ms)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = collections.Counter()
        self.failed = collections.Counter()
        self.lat = collections.defaultdict(list)
        self.examples = []
        self.total = 0
        self.total_failed = 0

    def add(self, kind, status, ms, detail):
        ok = 200 <= status < 300
        with self.lock:
            self.count[kind] += 1
            self.lat[kind].append(ms)
            self.total += 1
            if not ok:
                self.failed[kind] += 1
                self.total_failed += 1
                if len(self.examples) < 5:
                    self.examples.append('%s %d %s' % (kind, status,
                                                       detail[:200]))


def call(client, stats, kind, method, path, body=None, ctype=None):
    t0 = time.monotonic()
    st, ct, data = client.request(method, path, body, ctype)
    stats.add(kind, st, (time.monotonic() - t0) * 1000,
              data.decode('utf-8', 'replace') if st // 100 != 2 else '')
    return st, data


def must(reply, what):
    """The JSON of a 2xx reply of Client.request; SetupError otherwise."""
    st, _, data = reply
    if st // 100 != 2:
        raise SetupError('%s: %d %s' % (what, st, data[:300]))
    return json.loads(data) if data[:1] == b'{' else data


class World:
    """The ids the traffic uses, built through the API."""

    def __init__(self, c, nread, nwrite, nupload, nlink, link_actors):
        def mesa(titulo):
            return must(c.request('POST', '/v1/mesas', {
                'titulo': titulo, 'entidad': 'Oaxaca',
                'municipio': 'Santa María del Tule'}), 'mesa')['id']

        def actor(m, n, tag):
            return must(c.request('POST', '/v1/mesas/%d/actores' % m, {
                'nombre': 'Participante %s %d' % (tag, n),
                'email': 'soak-%s-%d-%d@ejemplo.mx' % (tag, m, n),
                'sector': SECTORES[n % len(SECTORES)],
                'organizacion': 'Colectivo Ciudadano %d' % n}),
                'actor')['id']

        self.read = []
        for i in range(nread):
            m = mesa('Mesa de lectura %d' % i)
            actors = [actor(m, n, 'r') for n in range(8)]
            for k in range(3):
                must(material(c, m, actors[k], 'Diagnóstico %d' % k, 1024,
                              ctype='text/plain; charset=utf-8'),
                     'material')
            self.read.append(m)
        self.write = [mesa('Mesa de altas %d' % i) for i in range(nwrite)]
        self.upload = []
        for i in range(nupload):
            m = mesa('Mesa de archivos %d' % i)
            self.upload.append((m, actor(m, 0, 'u')))
        self.link = []
        for i in range(nlink):
            m = mesa('Mesa de enlaces %d' % i)
            actors = [actor(m, n, 'l') for n in range(link_actors)]
            self.link.append((m, actors[0]))


def material(c, m, autor, titulo, size, ctype='application/pdf', rnd=None):
    """Uploads a material of size bytes; returns (status, body)."""
    rnd = rnd or random
    if ctype.startswith('text/'):
        body = ('Contenido de «%s». ' % titulo).encode('utf-8')
        body = (body * (size // len(body) + 1))[:size]
        # Never cut a UTF-8 character in two.
        body = body.decode('utf-8', 'ignore').encode('utf-8')
        q = {'actor': autor, 'tipo': 'problematicas', 'titulo': titulo}
    else:
        body = b'%PDF-1.4\n' + rnd.randbytes(size)
        q = {'actor': autor, 'tipo': 'estudios', 'titulo': titulo,
             'archivo': titulo.replace(' ', '-') + '.pdf'}
    path = '/v1/mesas/%d/materiales?%s' % (m, urllib.parse.urlencode(q))
    return c.request('POST', path, body, ctype)


class Links:
    """Tokens read from the catcher's messages: fresh ones wait in a
    queue; used ones are kept (the last 2,000) for repeat confirmations."""

    def __init__(self, mail_dir):
        self.dir = mail_dir
        self.next_index = 0
        self.fresh = collections.deque()
        self.used = collections.deque(maxlen=2000)
        self.lock = threading.Lock()
        self.fresh_taken = 0
        self.repeat_taken = 0

    def scan(self):
        found = []
        for e in os.scandir(self.dir):
            m = MAIL_RE.match(e.name)
            if m and int(m.group(1)) >= self.next_index:
                found.append((int(m.group(1)), e.path))
        for n, path in sorted(found):
            with open(path, 'rb') as f:
                meta = json.loads(f.read())
            for t in TOKEN_RE.findall(meta.get('text') or ''):
                with self.lock:
                    self.fresh.append(t)
            self.next_index = max(self.next_index, n + 1)

    def take(self, rnd):
        with self.lock:
            if self.fresh:
                t = self.fresh.popleft()
                self.used.append(t)
                self.fresh_taken += 1
                return t
            if self.used:
                self.repeat_taken += 1
                return rnd.choice(self.used)
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--url', required=True)
    p.add_argument('--token', required=True)
    p.add_argument('--pid', type=int, required=True)
    p.add_argument('--mail-dir', required=True)
    p.add_argument('--seconds', type=float, required=True)
    p.add_argument('--sample', type=float, required=True)
    p.add_argument('--warmup', type=float, required=True)
    p.add_argument('--conns', type=int, default=16)
    p.add_argument('--rate', type=float, default=400)
    a = p.parse_args()

    setup = Client(a.url, a.token)
    t0 = time.monotonic()
    try:
        world = World(setup, nread=5, nwrite=20, nupload=5, nlink=10,
                      link_actors=10)
    except SetupError as e:
        print('soak: setup failed: %s' % e)
        return 1
    print('soak: data built in %.1f s: %d mesas' % (
        time.monotonic() - t0, 5 + 20 + 5 + 10), flush=True)

    stats = Stats()
    links = Links(a.mail_dir)
    stop = threading.Event()
    kinds = [k for k, w in WEIGHTS for _ in range(w)]

    def worker(n):
        rnd = random.Random(n)
        c = Client(a.url, a.token)
        interval = a.conns / a.rate if a.rate > 0 else 0
        nxt = time.monotonic()
        i = 0
        while not stop.is_set():
            i += 1
            kind = rnd.choice(kinds)
            if kind == 'link':
                token = links.take(rnd)
                if token is None:
                    kind = 'read_mesa'
                else:
                    call(c, stats, 'link', 'POST', '/e/' + token, b'',
                         'application/x-www-form-urlencoded')
            if kind == 'read_mesa':
                call(c, stats, kind, 'GET',
                     '/v1/mesas/%d' % rnd.choice(world.read))
            elif kind == 'list_mesas':
                call(c, stats, kind, 'GET', '/v1/mesas')
            elif kind == 'actor':
                m = world.write[(n + i) % len(world.write)]
                call(c, stats, kind, 'POST', '/v1/mesas/%d/actores' % m, {
                    'nombre': 'Persona %d-%d' % (n, i),
                    'email': 'alta-%d-%d@ejemplo.mx' % (n, i),
                    'sector': SECTORES[i % len(SECTORES)]})
            elif kind == 'upload':
                m, autor = world.upload[rnd.randrange(len(world.upload))]
                t = time.monotonic()
                st, ct, data = material(
                    c, m, autor, 'Estudio %d-%d' % (n, i),
                    rnd.randrange(2048, 8193), rnd=rnd)
                stats.add(kind, st, (time.monotonic() - t) * 1000,
                          data.decode('utf-8', 'replace'))
            if interval:
                nxt += interval
                delay = nxt - time.monotonic()
                if delay > 0:
                    stop.wait(delay)
                else:
                    nxt = time.monotonic()
        c.close()

    def feeder():
        c = Client(a.url, a.token)
        k = 0
        while not stop.is_set():
            m, autor = world.link[k % len(world.link)]
            t = time.monotonic()
            st, _, data = material(c, m, autor, 'Anexo %d' % k, 512,
                                   ctype='text/plain; charset=utf-8')
            stats.add('feed_mat', st, (time.monotonic() - t) * 1000,
                      data.decode('utf-8', 'replace'))
            if st // 100 == 2:
                call(c, stats, 'feed_send', 'POST',
                     '/v1/mesas/%d/materiales/enviar' % m)
            k += 1
            links.scan()
            stop.wait(1.0)
        c.close()

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(a.conns)]
    threads.append(threading.Thread(target=feeder))
    samples = [(0.0, rss_kib(a.pid), 0, 0)]
    print('soak: %d connections, %.0f req/s asked, %.0f s, VmRSS every '
          '%.0f s' % (a.conns, a.rate, a.seconds, a.sample), flush=True)
    print('%8s %12s %10s %8s %7s' % ('t (s)', 'VmRSS (KiB)', 'requests',
                                     'req/s', 'failed'), flush=True)
    print('%8.0f %12d %10d %8s %7d' % (0, samples[0][1], 0, '-', 0),
          flush=True)
    start = time.monotonic()
    for t in threads:
        t.start()
    prev_n, prev_t = 0, 0.0
    tick = 0
    while True:
        tick += 1
        at = min(tick * a.sample, a.seconds)
        time.sleep(max(0.0, start + at - time.monotonic()))
        try:
            rss = rss_kib(a.pid)
        except (OSError, SetupError):
            print('soak: pald (pid %d) is gone' % a.pid)
            rss = -1
        with stats.lock:
            n, f = stats.total, stats.total_failed
        samples.append((at, rss, n, f))
        print('%8.0f %12d %10d %8.0f %7d' % (
            at, rss, n, (n - prev_n) / max(at - prev_t, 1e-9), f),
            flush=True)
        prev_n, prev_t = n, at
        if rss < 0 or at >= a.seconds:
            break
    stop.set()
    for t in threads:
        t.join()

    print('%-11s %9s %7s %9s %9s' % ('request', 'count', 'failed',
                                     'p50 (ms)', 'p99 (ms)'))
    for kind in sorted(stats.count):
        lat = stats.lat[kind]
        print('%-11s %9d %7d %9.1f %9.1f' % (
            kind, stats.count[kind], stats.failed[kind],
            percentile(lat, 50), percentile(lat, 99)))
    print('links: %d fresh confirmations, %d repeated' % (
        links.fresh_taken, links.repeat_taken))
    for e in stats.examples:
        print('  failed: ' + e)
    after = [s for s in samples if s[0] >= a.warmup and s[1] > 0]
    base = after[0][1] if after else -1
    last = samples[-1][1]
    growth = (last - base) * 100.0 / base if base > 0 and last > 0 else 999
    print('RESULT requests=%d failed=%d base_kib=%d last_kib=%d '
          'growth_pct=%.2f base_at=%.0f' % (
              stats.total, stats.total_failed, base, last, growth,
              after[0][0] if after else -1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
