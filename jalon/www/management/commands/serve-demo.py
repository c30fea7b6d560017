import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jalon.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Sert la démo sur http://127.0.0.1:8000 avec le consommateur de tâches (Huey)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        if settings.JALON_PRODUCTION:
            raise CommandError("La démo ne tourne pas avec les réglages de production (DEBUG désactivé).")
        self.stdout.write(self.style.SUCCESS(f"\nJalon — démo sur http://{options['addr']}/"))
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
            },
        )
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            consumer.send_signal(signal.SIGINT)
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.kill()
