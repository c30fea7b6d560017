"""Jalon — plateforme d'insertion socio-professionnelle par le numérique."""
