"""The console\x27s web server (Sanic, Rasa\x27s own web framework)."""
