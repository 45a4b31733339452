"""How the Rasa server runs here: Rasa's own server with a processor that answers even when a part is down."""
