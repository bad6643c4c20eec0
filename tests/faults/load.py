#!/usr/bin/python3
"""Load and checks for tests/faults/run.sh (and the HTTP client that
tests/soak/traffic.py imports). Standard library only; run it with
/usr/bin/python3. Subcommands:

  writes        N threads, each on its own keep-alive connection, add
                actors to a mesa (POST, the writes) and read the mesa
                (GET), for S seconds; every request is logged as one JSON
                line (times, status, error code, the id a 201 returned).
  writes-check  reads that log and the actors that PostgreSQL holds and
                says whether the database outage was handled: every
                non-2xx a fast 503 base_no_disponible, every acknowledged
                write present, service back after the restart.
  correos       queues N test emails (POST /v1/correos/prueba) at a given
                concurrency and writes their Message-IDs, one a line.
  mail-check    counts, by Message-ID, what the catcher stored against an
                expected list: missing ones and duplicates.
  wait-mail     waits until the catcher holds N messages.

Each check prints one line of numbers and exits 0 if it passed, 1 if
not, 2 on bad usage. It deliberately starts no server: run.sh does.
"""

import argparse
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse

MAIL_RE = re.compile(r'^\d{6}\.json$')


class Client:
    """One keep-alive HTTP/1.1 connection to pald, for one thread."""

    def __init__(self, url, token=None, timeout=15.0):
        u = urllib.parse.urlsplit(url)
        self.host = u.hostname
        self.port = u.port
        self.token = token
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, ctype=None):
        """Returns (status, content type, body bytes); status 0 and the
        error text as body when no reply came. A GET on a kept-alive
        connection the server had closed is retried once on a new one;
        a POST never is, since it may have been processed."""
        headers = {}
        if self.token:
            headers['Authorization'] = 'Bearer ' + self.token
        if body is not None:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode('utf-8')
                ctype = ctype or 'application/json'
            headers['Content-Type'] = ctype or 'application/octet-stream'
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.close()
                return r.status, r.getheader('Content-Type') or '', data
            except (OSError, http.client.HTTPException) as e:
                self.close()
                if (attempt == 0 and reused and method == 'GET' and
                        isinstance(e, (http.client.RemoteDisconnected,
                                       ConnectionResetError,
                                       BrokenPipeError))):
                    continue
                return 0, '', ('%s: %s' % (type(e).__name__, e)).encode()
        return 0, '', b'unreachable'


def error_code(ctype, data):
    """The stable code of a JSON error body, or None."""
    if not ctype.startswith('application/json'):
        return None
    try:
        return json.loads(data)['error']['code']
    except (ValueError, KeyError, TypeError):
        return None


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))
    return values[k]


def run_all(threads):
    """Starts every thread, then waits for all of them."""
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- writes ------------------------------------------------------------

def cmd_writes(a):
    stop_at = time.time() + a.seconds
    logs = [[] for _ in range(a.threads)]

    def worker(n):
        c = Client(a.url, a.token, timeout=a.timeout)
        log = logs[n]
        i = 0
        while time.time() < stop_at:
            i += 1
            email = '%s-%d-%d@ejemplo.mx' % (a.tag, n, i)
            t0 = time.time()
            st, ct, data = c.request(
                'POST', '/v1/mesas/%d/actores' % a.mesa,
                {'nombre': 'Actor %d.%d' % (n, i), 'email': email,
                 'sector': 'sociedad_civil'})
            rec = {'op': 'w', 't0': t0, 't1': time.time(), 'st': st,
                   'email': email}
            if st == 201:
                try:
                    rec['id'] = json.loads(data)['id']
                except (ValueError, KeyError):
                    rec['bad'] = 'no id in 201'
            else:
                rec['code'] = error_code(ct, data)
                if st == 0:
                    rec['err'] = data.decode(errors='replace')
            log.append(rec)
            t0 = time.time()
            st, ct, data = c.request('GET', '/v1/mesas/%d' % a.mesa)
            rec = {'op': 'r', 't0': t0, 't1': time.time(), 'st': st}
            if st != 200:
                rec['code'] = error_code(ct, data)
            log.append(rec)
            if a.pause_ms:
                time.sleep(a.pause_ms / 1000.0)
        c.close()

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(a.threads)]
    run_all(threads)
    with open(a.log, 'w') as f:
        for log in logs:
            for rec in log:
                f.write(json.dumps(rec) + '\n')
    return 0


def cmd_writes_check(a):
    recs = []
    with open(a.log) as f:
        for line in f:
            recs.append(json.loads(line))
    present = {}
    with open(a.present) as f:
        for line in f:
            line = line.strip()
            if line:
                i, email = line.split('|', 1)
                present[int(i)] = email
    problems = []
    acked = [r for r in recs if r['op'] == 'w' and r['st'] == 201]
    lost = [r for r in acked
            if r.get('id') not in present or present[r['id']] != r['email']]
    unexpected = [r for r in recs if not (200 <= r['st'] < 300) and
                  not (r['st'] == 503 and r.get('code') ==
                       'base_no_disponible')]
    bad = [r for r in recs if 'bad' in r]
    lat503 = [(r['t1'] - r['t0']) * 1000 for r in recs if r['st'] == 503]
    after = [r['t1'] for r in recs
             if r['op'] == 'w' and r['st'] == 201 and r['t0'] >= a.up]
    recovery = min(after) - a.up if after else None
    if lost:
        problems.append('%d acknowledged writes missing (first: %s)' % (
            len(lost), json.dumps(lost[0])))
    if unexpected:
        problems.append('%d unexpected replies (first: %s)' % (
            len(unexpected), json.dumps(unexpected[0])))
    if bad:
        problems.append('%d malformed 201 replies' % len(bad))
    if not lat503:
        problems.append('no 503 seen: the outage did not reach pald')
    elif max(lat503) > a.max_503_ms:
        problems.append('slowest 503 took %.0f ms (limit %d)' % (
            max(lat503), a.max_503_ms))
    if recovery is None:
        problems.append('no write succeeded after the restart')
    elif recovery > a.max_recovery_s:
        problems.append('service back only %.1f s after the restart' %
                        recovery)
    print('%d requests (%d writes acknowledged, %d of them missing from '
          'the database), %d x 503 base_no_disponible (p50 %.1f ms, '
          'max %.1f ms), %d unexpected, writes back %.2f s after '
          'PostgreSQL' % (
              len(recs), len(acked), len(lost), len(lat503),
              percentile(lat503, 50), max(lat503) if lat503 else 0,
              len(unexpected),
              recovery if recovery is not None else -1))
    for p in problems:
        print('; ' + p)
    return 1 if problems else 0


# --- correos -----------------------------------------------------------

def cmd_correos(a):
    lock = threading.Lock()
    ids = []
    errors = []
    nxt = [0]

    def worker():
        c = Client(a.url, a.token)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= a.count:
                break
            st, ct, data = c.request('POST', '/v1/correos/prueba',
                                     {'email': '%s%d@ejemplo.mx' % (
                                         a.prefix, i)})
            with lock:
                if st == 202:
                    ids.append(json.loads(data)['message_id'])
                else:
                    errors.append('%d %s' % (st, data[:200]))
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(a.threads)]
    t0 = time.time()
    run_all(threads)
    with open(a.out, 'a') as f:
        for mid in ids:
            f.write(mid + '\n')
    print('%d emails queued in %.2f s, %d refused%s' % (
        len(ids), time.time() - t0, len(errors),
        (' (first: %s)' % errors[0]) if errors else ''))
    return 1 if errors else 0


# --- the catcher -------------------------------------------------------

def stored(directory):
    """The number of complete messages in the catcher's directory."""
    return sum(1 for e in os.scandir(directory) if MAIL_RE.match(e.name))


def cmd_wait_mail(a):
    deadline = time.time() + a.timeout
    while True:
        n = stored(a.dir)
        if n >= a.count or time.time() > deadline:
            print(n)
            return 0 if n >= a.count else 1
        time.sleep(0.02)


def cmd_mail_check(a):
    with open(a.expect) as f:
        expected = {line.strip().strip('<>') for line in f if line.strip()}
    seen = {}
    for e in os.scandir(a.dir):
        if not MAIL_RE.match(e.name):
            continue
        with open(e.path, 'rb') as f:
            meta = json.loads(f.read())
        mid = (meta.get('message_id') or '').strip().strip('<>')
        seen[mid] = seen.get(mid, 0) + 1
    missing = sorted(expected - set(seen))
    dups = sum(seen[m] - 1 for m in expected if m in seen)
    dup_msgs = sum(1 for m in expected if seen.get(m, 0) > 1)
    print('%d expected, %d delivered, %d missing, %d duplicate deliveries '
          '(%d messages)%s' % (
              len(expected), len(expected) - len(missing), len(missing),
              dups, dup_msgs,
              (' (first missing: <%s>)' % missing[0]) if missing else ''))
    if missing:
        return 1
    if a.max_dup is not None and dups > a.max_dup:
        print('  more duplicates than the bound of %d' % a.max_dup)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)

    s = sub.add_parser('writes')
    s.add_argument('--url', required=True)
    s.add_argument('--token', required=True)
    s.add_argument('--mesa', type=int, required=True)
    s.add_argument('--seconds', type=float, required=True)
    s.add_argument('--threads', type=int, default=8)
    s.add_argument('--pause-ms', type=float, default=0)
    s.add_argument('--timeout', type=float, default=15)
    s.add_argument('--tag', required=True, help='unique per run')
    s.add_argument('--log', required=True)

    s = sub.add_parser('writes-check')
    s.add_argument('--log', required=True)
    s.add_argument('--present', required=True,
                   help='"id|email" lines of the actors in the database')
    s.add_argument('--up', type=float, required=True,
                   help='epoch time PostgreSQL was accepting again')
    s.add_argument('--max-503-ms', type=int, default=1000)
    s.add_argument('--max-recovery-s', type=float, default=10)

    s = sub.add_parser('correos')
    s.add_argument('--url', required=True)
    s.add_argument('--token', required=True)
    s.add_argument('--count', type=int, required=True)
    s.add_argument('--threads', type=int, default=8)
    s.add_argument('--prefix', required=True)
    s.add_argument('--out', required=True, help='Message-IDs appended here')

    s = sub.add_parser('wait-mail')
    s.add_argument('--dir', required=True)
    s.add_argument('--count', type=int, required=True)
    s.add_argument('--timeout', type=float, required=True)

    s = sub.add_parser('mail-check')
    s.add_argument('--dir', required=True)
    s.add_argument('--expect', required=True, help='Message-IDs, one a line')
    s.add_argument('--max-dup', type=int)

    a = p.parse_args()
    return {'writes': cmd_writes, 'writes-check': cmd_writes_check,
            'correos': cmd_correos, 'wait-mail': cmd_wait_mail,
            'mail-check': cmd_mail_check}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
