#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd).

  smtp_server.py OUT_DIR [--tls implicit|starttls CERT KEY] [--auth USER:PASS] [--only-login]
                 [--data-reply "451 try later"]

Prints "PORT <n>" (and writes <n> to OUT_DIR/port) once it listens on 127.0.0.1, then stores each message it
accepts as OUT_DIR/<n>.eml (the raw bytes) with OUT_DIR/<n>.json (envelope,
authenticated user, whether TLS was on). Runs until killed.
"""
import argparse, json, logging, os, signal, socket, ssl, sys, time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    # A parent that ignores SIGTERM (a server under test) passes that on; stop when told.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--tls", nargs=3, metavar=("MODE", "CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--only-login", action="store_true", help="offer AUTH LOGIN only")
    parser.add_argument("--data-reply")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    # aiosmtpd logs refused handshakes (which the tests cause on purpose) with
    # tracebacks; they go to OUT_DIR/server.log, not into the test output.
    logging.basicConfig(filename=os.path.join(args.out, "server.log"), level=logging.INFO)
    counter = {"n": 0}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            if args.data_reply:
                return args.data_reply
            counter["n"] += 1
            base = os.path.join(args.out, str(counter["n"]))
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(base + ".json", "w") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                           "user": getattr(session, "auth_data", None) and session.auth_data.login.decode(),
                           "tls": server.transport.get_extra_info("ssl_object") is not None}, f)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        user, password = args.auth.split(":", 1)
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # server_hostname: the greeting's name; without it aiosmtpd calls
    # socket.getfqdn() for every connection, a DNS lookup that can stall.
    kwargs = {"hostname": "127.0.0.1", "port": port, "server_hostname": "smtp.cronmetrics.test"}
    if args.tls:
        mode, cert, key = args.tls
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if mode == "implicit":
            kwargs["ssl_context"] = context
        else:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
    if args.auth:
        kwargs["authenticator"] = authenticator
        # aiosmtpd knows only STARTTLS as encryption; under implicit TLS it would refuse AUTH.
        kwargs["auth_require_tls"] = bool(args.tls) and args.tls[0] == "starttls"
        kwargs["auth_exclude_mechanism"] = ["PLAIN"] if args.only_login else []
    else:
        kwargs["auth_require_tls"] = False
    controller = Controller(Handler(), **kwargs)
    controller.start()
    with open(os.path.join(args.out, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.out, "port.tmp"), os.path.join(args.out, "port"))
    print(f"PORT {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
