#!/usr/bin/python3
"""A mail catcher for pald's tests and for `make run`.

It listens on 127.0.0.1 only, accepts every message and stores it in --dir
as NNNNNN.eml (the exact bytes of the DATA content, after dot-unstuffing)
and NNNNNN.json (the envelope plus a parse made by Python's email package),
numbered from 000000 in the order DATA completed. The .eml is written
before the .json and both are renamed into place, so a reader that sees
NNNNNN.json sees a complete message. Numbering continues after the
highest number already in --dir, so a restart keeps what was stored.

Refusals are driven by DIR/rules.json, read at every RCPT and at the end
of every DATA: an object that maps a recipient address (lowercased, or
"*" for any recipient) to a rule

    {"code": 450, "message": "...", "times": N, "at": "rcpt", "delay_ms": 0}

"code" is the reply to send instead of 250; "times" is how many replies
the rule still gives (absent: for ever); the server decrements it in the
file and removes the rule when it reaches 0. "at" is "rcpt" (default) or
"data" (refuse at the end of DATA, for a transaction with that
recipient). "delay_ms" delays the reply (a slow server); a rule with a
delay and no code delays and then accepts. Every change of rules.json
happens under an flock of DIR/rules.lock, which the C harness takes too.

Every connection, RCPT and DATA outcome is appended to DIR/events.jsonl
(one JSON object a line) so tests can count attempts and connections.

It deliberately does no TLS, no AUTH and no relaying: it is a test
double, not a mail server. SIGTERM and SIGINT stop it at once, exit 0.

Run it with Debian's /usr/bin/python3, which has python3-aiosmtpd:
    smtpd.py --port N --dir DIR [--port-file F]
--port 0 picks a free port; --port-file receives the port either way.
"""

import argparse
import asyncio
import base64
import datetime
import email
import email.policy
import fcntl
import hashlib
import json
import os
import re
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

HOST = '127.0.0.1'
NAME_RE = re.compile(r'^(\d{6})\.(eml|json)$')


def log(line):
    print('smtpd: ' + line, flush=True)


def write_atomic(path, data):
    """Writes data (bytes) to path through a temporary name and a rename."""
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'wb') as f:
        f.write(data)
    os.rename(tmp, path)


class Rules:
    """DIR/rules.json, read and decremented under DIR/rules.lock."""

    def __init__(self, directory):
        self.path = os.path.join(directory, 'rules.json')
        self.lock_path = os.path.join(directory, 'rules.lock')

    def take(self, addresses, stage):
        """Returns the rule that applies to the first of addresses at
        stage ("rcpt" or "data"), after counting one use of it, or None."""
        if not os.path.exists(self.path):
            return None
        with open(self.lock_path, 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with open(self.path, 'rb') as f:
                    rules = json.loads(f.read() or b'{}')
            except (OSError, ValueError) as e:
                log('ignoring unreadable %s: %s' % (self.path, e))
                return None
            if not isinstance(rules, dict):
                return None
            for address in addresses:
                for key in (address.lower(), '*'):
                    rule = rules.get(key)
                    if not isinstance(rule, dict):
                        continue
                    if rule.get('at', 'rcpt') != stage:
                        continue
                    times = rule.get('times')
                    if times is not None:
                        if times <= 1:
                            del rules[key]
                        else:
                            rule['times'] = times - 1
                        write_atomic(self.path, json.dumps(
                            rules, indent=1).encode())
                        if times <= 0:
                            continue
                    return rule
            return None


def reply_for(rule):
    code = int(rule['code'])
    message = rule.get('message')
    if not message:
        if code >= 500:
            message = 'Mailbox unavailable (test rule)'
        else:
            message = 'Try again later (test rule)'
    return '%d %s' % (code, message)


def lines_ok(raw):
    """True if every line of raw ends in CRLF and has at most 998 bytes."""
    if not raw.endswith(b'\r\n'):
        return False
    for line in raw[:-2].split(b'\r\n'):
        if b'\n' in line or b'\r' in line or len(line) > 998:
            return False
    return True


def header_value(msg, name):
    try:
        value = msg[name]
    except Exception as e:  # A malformed header must not lose the message.
        return 'unparsable: %s' % e
    return None if value is None else str(value)


def parse(raw):
    """The parse stored next to each message, as a dict."""
    out = {}
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as e:
        out['parse_error'] = repr(e)
        return out
    for key, name in (('subject', 'subject'), ('from', 'from'),
                      ('to', 'to'), ('cc', 'cc'),
                      ('message_id', 'message-id'), ('date', 'date')):
        out[key] = header_value(msg, name)
    headers = {}
    defects = []
    for name in msg.keys():
        values = headers.setdefault(name.lower(), [])
        for value in msg.get_all(name, []):
            values.append(str(value))
            for d in getattr(value, 'defects', ()):
                defects.append('%s: %s' % (name, type(d).__name__))
    out['headers'] = headers
    text_part = html_part = None
    try:
        text_part = msg.get_body(preferencelist=('plain',))
        html_part = msg.get_body(preferencelist=('html',))
    except Exception as e:
        defects.append('get_body: %r' % e)
    for key, part in (('text', text_part), ('html', html_part)):
        out[key] = None
        if part is not None:
            try:
                # Line ends are normalised to LF: tests compare wording,
                # the raw .eml keeps the bytes for CRLF checks.
                out[key] = part.get_content().replace('\r\n', '\n')
            except Exception as e:
                defects.append('%s: %r' % (key, e))
    attachments = []
    parts = []
    for part in msg.walk():
        for d in part.defects:
            defects.append(type(d).__name__)
        if part.is_multipart():
            continue
        parts.append(part.get_content_type())
        if part is text_part or part is html_part:
            continue
        data = part.get_payload(decode=True) or b''
        attachments.append({
            'filename': part.get_filename(),
            'content_type': part.get_content_type(),
            'disposition': part.get_content_disposition(),
            'size': len(data),
            'sha256': hashlib.sha256(data).hexdigest(),
            'data_base64': base64.b64encode(data).decode('ascii'),
        })
    out['parts'] = parts
    out['attachments'] = attachments
    out['defects'] = defects
    return out


class Store:
    """The numbered files of --dir and the events log."""

    def __init__(self, directory):
        self.dir = directory
        self.next = 0
        for name in os.listdir(directory):
            m = NAME_RE.match(name)
            if m:
                self.next = max(self.next, int(m.group(1)) + 1)
        self.events_path = os.path.join(directory, 'events.jsonl')

    def event(self, **fields):
        fields['time'] = time.time()
        line = json.dumps(fields, ensure_ascii=False) + '\n'
        with open(self.events_path, 'a', encoding='utf-8') as f:
            f.write(line)

    def save(self, envelope):
        """Stores one message; returns its number. Runs without awaiting,
        so numbers are handed out in order on the single loop thread."""
        n = self.next
        self.next += 1
        raw = envelope.original_content
        base = os.path.join(self.dir, '%06d' % n)
        write_atomic(base + '.eml', raw)
        meta = {
            'index': n,
            'received_at': datetime.datetime.now(
                datetime.timezone.utc).isoformat(),
            'mail_from': envelope.mail_from,
            'mail_options': envelope.mail_options,
            'rcpt_tos': envelope.rcpt_tos,
            'size': len(raw),
            'headers_raw_lines_ok': lines_ok(raw),
            'raw_7bit': all(b < 128 for b in raw),
        }
        meta.update(parse(raw))
        write_atomic(base + '.json', json.dumps(
            meta, ensure_ascii=False, indent=1).encode('utf-8'))
        return n, meta


class Handler:
    def __init__(self, store, rules):
        self.store = store
        self.rules = rules

    async def _apply(self, rule):
        delay = rule.get('delay_ms') if rule else None
        if delay:
            await asyncio.sleep(delay / 1000.0)
        if rule and rule.get('code'):
            return reply_for(rule)
        return None

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        reply = await self._apply(self.rules.take([address], 'rcpt'))
        if reply is None:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            reply = '250 OK'
        self.store.event(event='rcpt', peer=session.peer[1],
                         mail_from=envelope.mail_from, address=address,
                         code=int(reply[:3]))
        return reply

    async def handle_DATA(self, server, session, envelope):
        reply = await self._apply(self.rules.take(envelope.rcpt_tos, 'data'))
        if reply is not None:
            self.store.event(event='data', peer=session.peer[1],
                             rcpt_tos=envelope.rcpt_tos,
                             code=int(reply[:3]))
            return reply
        n, meta = self.store.save(envelope)
        self.store.event(event='data', peer=session.peer[1],
                         rcpt_tos=envelope.rcpt_tos, code=250, index=n)
        log('stored %06d from <%s> to %s: %s' % (
            n, envelope.mail_from, ', '.join(envelope.rcpt_tos),
            meta.get('subject')))
        return '250 OK stored as %06d' % n


class CatcherSMTP(SMTP):
    # Long lines are stored and flagged (headers_raw_lines_ok) rather
    # than refused, so a test sees what pald produced.
    line_length_limit = 1 << 20

    def __init__(self, handler, store, **kw):
        super().__init__(handler, **kw)
        self.store = store

    def connection_made(self, transport):
        super().connection_made(transport)
        peer = transport.get_extra_info('peername')
        self.store.event(event='connect', peer=peer[1] if peer else None)

    def connection_lost(self, error):
        peer = self.session.peer if self.session else None
        self.store.event(event='disconnect',
                         peer=peer[1] if peer else None)
        super().connection_lost(error)


async def listen(loop, factory, port):
    # A restart asks for the port it had; another process may hold it for
    # a moment, so retry briefly before giving up.
    deadline = time.monotonic() + 5
    while True:
        try:
            return await loop.create_server(factory, host=HOST, port=port,
                                            reuse_address=True)
        except OSError:
            if port == 0 or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    store = Store(args.dir)
    handler = Handler(store, Rules(args.dir))
    loop = asyncio.get_running_loop()

    def factory():
        return CatcherSMTP(handler, store, hostname='localhost',
                           ident='pald-test-smtpd', enable_SMTPUTF8=True,
                           decode_data=False, loop=loop)

    server = await listen(loop, factory, args.port)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_atomic(args.port_file, b'%d\n' % port)
    log('listening on %s:%d, storing messages in %s' % (HOST, port,
                                                        args.dir))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    log('stopped')


def main():
    p = argparse.ArgumentParser(description='Mail catcher for pald tests.')
    p.add_argument('--port', type=int, required=True,
                   help='TCP port on 127.0.0.1; 0 picks a free one')
    p.add_argument('--dir', required=True, help='where messages are stored')
    p.add_argument('--port-file', help='file that receives the port')
    args = p.parse_args()
    sys.stdout.reconfigure(errors='backslashreplace', line_buffering=True)
    asyncio.run(serve(args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
