"""`python -m bot.serving run …` is `rasa run …` with the resilient processor (bot/serving/processor.py).

Rasa builds its `MessageProcessor` inside `Agent.load_model` and offers no setting or plugin hook for another
class, so the name `rasa.core.agent` uses is pointed at ours before Rasa's own command line starts.
"""
import rasa.core.agent
from rasa.__main__ import main

from bot.serving.processor import ResilientProcessor

rasa.core.agent.MessageProcessor = ResilientProcessor  # type: ignore[misc]

if __name__ == "__main__":
    main()
