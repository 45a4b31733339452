"""Rasa input channels of the bot (see Rasa's own connectors in rasa/core/channels/)."""
