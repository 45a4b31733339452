import os
import sys

# Rasa 3.6 pins SQLAlchemy 1.4 and trips its 2.0-migration banner on import; it is noise for operators.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.cli import main  # noqa: E402

sys.exit(main())
