"""Shared places, permanences (rota), appointments and their participants."""
