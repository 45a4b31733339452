"""rasa-sdk custom actions, one module per flow. They reach data only through `bot.backends`."""
