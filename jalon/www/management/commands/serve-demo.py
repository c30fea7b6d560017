import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jalon.demo import DEMO_PASSWORD, demo_logins

DEFAULT_ADDR = "127.0.0.1:8000"
# Binding every interface says nothing of the address a browser will use.
ANY_HOST = {"", "0.0.0.0", "::", "[::]", "0"}


def split_addr(addr: str) -> tuple[str, str]:
    """'8080' → ('127.0.0.1', '8080'); '0.0.0.0:8080' → ('0.0.0.0', '8080'); '[::1]:80' kept whole."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", addr
    if not port.isdigit():
        raise CommandError(
            f"Adresse invalide : « {addr} ». Écrivez par exemple 127.0.0.1:8000 ou 0.0.0.0:8080."
        )
    return host, port


def lan_address() -> str:
    """The address other machines on the network reach this one by (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing lookup only
            return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def port_problem(host: str, port: str) -> str | None:
    """Why the web server could not listen on host:port (in French), or None if it can.

    Asked before the job consumer starts: runserver ends its process with os._exit() when the
    port is taken, which would leave the consumer running on its own.
    """
    bind_host = "0.0.0.0" if host in ANY_HOST else host.strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(bind_host, int(port), type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return f"Adresse introuvable : « {host} »."
    with socket.socket(family, kind, proto) as probe:
        # As runserver does: a port left in TIME_WAIT by a previous run is free to reuse.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"Le port {port} est déjà utilisé (une autre démo tourne-t-elle ?). "
                    f"Choisissez-en un autre, par exemple : --addr 127.0.0.1:{int(port) + 1}"
                )
            if error.errno == errno.EACCES:
                return f"Pas le droit d'écouter sur le port {port} : choisissez un port au-dessus de 1024."
            return f"Impossible d'écouter sur {host}:{port} ({error.strerror})."
    return None


def die_with_parent() -> None:
    """In the job consumer, before it runs: end it with SIGTERM if serve-demo dies (Linux).

    Covers what the port check cannot: the port taken between the check and the server, or
    serve-demo killed without its `finally`.
    """
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def site_url_for(addr: str) -> str:
    host, port = split_addr(addr)
    if host in ANY_HOST:
        host = lan_address()
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Sert la démo sur http://127.0.0.1:8000 avec le consommateur de tâches (Huey)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default=DEFAULT_ADDR,
            help="hôte:port où servir la démo (0.0.0.0:8080 pour le réseau local). "
            "Les liens des messages (SMS, e-mails) pointent vers cette adresse, "
            "sauf si la variable SITE_URL est définie.",
        )

    def handle(self, *args, **options):
        if settings.JALON_PRODUCTION:
            raise CommandError("La démo ne tourne pas avec les réglages de production (DEBUG désactivé).")
        addr = options["addr"]
        problem = port_problem(*split_addr(addr))
        if problem:
            raise CommandError(problem)
        # An explicit SITE_URL (a proxy, a tunnel) wins; otherwise links point where the demo runs.
        site_url = os.environ.get("SITE_URL") or site_url_for(addr)
        settings.SITE_URL = site_url
        site_host = urlsplit(site_url).hostname or ""
        if site_host and site_host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, site_host]
        # Pages link fingerprinted, compressed files, as in production: build them first (a few
        # seconds), then tell the storage to link them although DEBUG is on.
        call_command("collectstatic", interactive=False, verbosity=0)
        settings.JALON_STATIC_BUILT = True
        self.stdout.write(self.style.SUCCESS(f"\nJalon — démo sur {site_url}/"))
        self.stdout.write(f"Mot de passe de tous les comptes de démo : {DEMO_PASSWORD}")
        for email, description in demo_logins():
            self.stdout.write(f"  {email:<42} {description}")
        self.stdout.write("Arrêt : Ctrl+C\n")
        sys.stdout.flush()
        consumer = subprocess.Popen(
            [sys.executable, "-m", "jalon", "run_huey", "--quiet"],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "jalon.settings"),
                # Jobs compose the SMS and e-mails: their links must point here too.
                "SITE_URL": site_url,
                # A quiet consumer in the demo's terminal (run_huey's --quiet yields to LOGGING).
                "JOBS_LOG_LEVEL": os.environ.get("JOBS_LOG_LEVEL", "WARNING"),
            },
            preexec_fn=die_with_parent,
        )
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            consumer.send_signal(signal.SIGINT)
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.kill()
